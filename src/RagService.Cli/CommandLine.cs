using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RagService.Cli;

/// <summary>
/// What a command reads from its parsed command line, by option name (<c>"top-k"</c> for <c>--top-k</c>).
/// System.CommandLine has already rejected unknown options, missing values and values of the wrong type
/// (exit code 2). An option the command does not declare reads as not given: the shared setup
/// (<see cref="CliHost"/>) asks every command for <c>--data</c>, <c>--model</c> and <c>--verbose</c>.
/// </summary>
public sealed class CommandLine
{
    private readonly ParseResult _result;

    public CommandLine(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _result = result;
        Positional = [.. result.CommandResult.Command.Arguments.SelectMany(Values)];
    }

    /// <summary>The command's positional arguments, in order.</summary>
    public IReadOnlyList<string> Positional { get; }

    /// <summary>The option's value as given (the last one when it repeats), or null when it was not given.</summary>
    public string? Get(string name) => GetAll(name) is [.., var last] ? last : null;

    public string Require(string name) => Get(name) ?? throw new UsageException($"--{name} is required.");

    /// <summary>Every value of a repeatable option (<c>--tag a:b --tag c:d</c>).</summary>
    public IReadOnlyList<string> GetAll(string name) =>
        Find(name) is { } option && _result.GetResult(option) is OptionResult { Implicit: false } given ? Format(given.GetValueOrDefault<object?>()) : [];

    public int GetInt(string name, int fallback) =>
        Get(name) is { } s ? (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"--{name} must be a whole number.")) : fallback;

    public double GetDouble(string name, double fallback) =>
        Get(name) is { } s ? (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"--{name} must be a number.")) : fallback;

    /// <summary>A flag that is on (<c>--trace</c>, <c>--trace true</c>), or a value option that was given.</summary>
    public bool Has(string name) => Get(name) is { } value && !string.Equals(value, bool.FalseString, StringComparison.OrdinalIgnoreCase);

    private Option? Find(string name)
    {
        var wanted = "--" + name;
        for (var command = _result.CommandResult; command is not null; command = command.Parent as CommandResult)
        {
            if (command.Command.Options.FirstOrDefault(o => o.Name == wanted) is { } option)
            {
                return option;
            }
        }

        return null;
    }

    private IEnumerable<string> Values(Argument argument) =>
        _result.GetResult(argument) is ArgumentResult given ? Format(given.GetValueOrDefault<object?>()) : [];

    private static IReadOnlyList<string> Format(object? value) => value switch
    {
        null => [],
        string s => [s],
        bool b => [b ? "true" : "false"],
        IFormattable f => [f.ToString(null, CultureInfo.InvariantCulture)],
        IEnumerable<string> many => [.. many],
        _ => [value.ToString() ?? ""],
    };
}

/// <summary>A mistake in the command line found after parsing: printed in red, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
