using System.Reflection;
using Microsoft.Extensions.Options;

namespace RagService.Api.Hosting.Validation;

/// <summary>
/// Checks one bound configuration section at start-up: the values (<see cref="Check"/>) and the keys, so a
/// mistyped setting ("Retrieval:Fuson") stops the service instead of being silently ignored.
/// </summary>
internal abstract class SectionValidator<TOptions>(string section, IConfiguration? configuration) : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly string[] SettingNames = typeof(TOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true })
        .Select(p => p.Name)
        .ToArray();

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var checks = new SettingChecks(section);
        CheckKeys(checks);
        Check(options, checks);
        return checks.Result();
    }

    protected abstract void Check(TOptions options, SettingChecks checks);

    private void CheckKeys(SettingChecks checks)
    {
        if (configuration is null)
        {
            return;
        }

        foreach (var key in configuration.GetSection(section).GetChildren().Select(c => c.Key))
        {
            if (!SettingNames.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                var closest = SettingNames.MinBy(n => EditDistance(n.ToLowerInvariant(), key.ToLowerInvariant()));
                checks.Fail(key, $"is not a setting of '{section}'{(closest is null ? "" : $"; did you mean {checks.Key(closest)}?")}");
            }
        }
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
