using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace RagService.Api.Hosting.Validation;

/// <summary>
/// What is wrong with one configuration section, each failure naming the setting the way it is written in
/// configuration ("Retrieval:Bm25Candidates must be &gt; 0 (was -1)"), so the operator knows what to change.
/// The setting's name is taken from the checked expression (<c>options.Bm25Candidates</c>), so it cannot drift from the property.
/// </summary>
internal sealed class SettingChecks(string section)
{
    private readonly List<string> _failures = [];

    public string Section => section;

    public IReadOnlyList<string> Failures => _failures;

    /// <summary>The configuration key of a setting in this section: "Retrieval:Fusion".</summary>
    public string Key(string setting) => $"{section}:{setting}";

    public void Fail(string setting, string problem) => _failures.Add($"{Key(setting)} {problem}");

    public void Positive(long value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value <= 0)
        {
            Fail(Name(setting), $"must be > 0 (was {value})");
        }
    }

    public void Positive(double value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            Fail(Name(setting), $"must be a number > 0 (was {Show(value)})");
        }
    }

    public void Positive(TimeSpan value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value <= TimeSpan.Zero)
        {
            Fail(Name(setting), $"must be a duration > 0 (was {value})");
        }
    }

    /// <summary>Null means "not set" (the component picks); a set value must be positive.</summary>
    public void PositiveOrUnset(long? value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value is { } set)
        {
            Positive(set, setting);
        }
    }

    public void NotNegative(long value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value < 0)
        {
            Fail(Name(setting), $"must be >= 0 (was {value})");
        }
    }

    public void NotNegative(double value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            Fail(Name(setting), $"must be a number >= 0 (was {Show(value)})");
        }
    }

    public void Between(long value, long min, long max, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value < min || value > max)
        {
            Fail(Name(setting), $"must be between {min} and {max} (was {value})");
        }
    }

    public void Between(double value, double min, double max, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (!(value >= min && value <= max))
        {
            Fail(Name(setting), $"must be between {Show(min)} and {Show(max)} (was {Show(value)})");
        }
    }

    /// <summary>One of a fixed set of names, compared without regard to case (as the components compare them).</summary>
    public void OneOf(string? value, IReadOnlyCollection<string> allowed, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value is null || !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            Fail(Name(setting), $"must be one of {string.Join(", ", allowed.Select(a => a.Length == 0 ? "\"\"" : $"'{a}'"))} (was {Quote(value)})");
        }
    }

    public void Required(string? value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail(Name(setting), "must be set");
        }
    }

    /// <summary>An absolute http or https URL, when set.</summary>
    public void HttpUrlOrUnset(string? value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (!string.IsNullOrWhiteSpace(value)
            && !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            Fail(Name(setting), $"must be an absolute http or https URL (was {Quote(value)})");
        }
    }

    /// <summary>An existing folder, when set.</summary>
    public void ExistingFolderOrUnset(string? value, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (!string.IsNullOrWhiteSpace(value) && !Directory.Exists(value))
        {
            Fail(Name(setting), $"must be an existing folder (was {Quote(value)}, resolved to '{Path.GetFullPath(value)}')");
        }
    }

    /// <summary>Takes over the failures of a related check (a file the section points at).</summary>
    public void Include(SettingChecks other) => _failures.AddRange(other._failures);

    public ValidateOptionsResult Result() => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    /// <summary>"options.Bm25Candidates" → "Bm25Candidates"; a plain name passes through.</summary>
    public static string Name(string expression) => expression[(expression.LastIndexOf('.') + 1)..];

    public static string Quote(string? value) => value is null ? "not set" : $"'{value}'";

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
