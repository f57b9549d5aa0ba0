namespace RagService.Cli;

/// <summary>
/// The parsed command line: positional arguments and <c>--name value</c> / <c>--flag</c> options.
/// Options may repeat (<c>--tag a:b --tag c:d</c>).
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.OrdinalIgnoreCase);

    private CommandLine(string command, List<string> positional)
    {
        Command = command;
        Positional = positional;
    }

    public string Command { get; }

    public IReadOnlyList<string> Positional { get; }

    /// <summary>Options that take no value.</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.OrdinalIgnoreCase) { "trace", "help", "json", "rebuild", "no-progress" };

    public static CommandLine Parse(string[] args)
    {
        var positional = new List<string>();
        var line = new CommandLine(args.Length > 0 ? args[0] : "help", positional);
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var name = arg[2..];
                string value;
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                else if (Flags.Contains(name) || i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = "true";
                }
                else
                {
                    value = args[++i];
                }

                if (!line._options.TryGetValue(name, out var list))
                {
                    line._options[name] = list = [];
                }

                list.Add(value);
            }
            else
            {
                positional.Add(arg);
            }
        }

        return line;
    }

    public string? Get(string name) => _options.TryGetValue(name, out var v) ? v[^1] : null;

    public string Require(string name) => Get(name) ?? throw new UsageException($"--{name} is required.");

    public IReadOnlyList<string> GetAll(string name) => _options.TryGetValue(name, out var v) ? v : [];

    public int GetInt(string name, int fallback) =>
        Get(name) is { } s ? (int.TryParse(s, out var n) ? n : throw new UsageException($"--{name} must be a whole number.")) : fallback;

    public double GetDouble(string name, double fallback) =>
        Get(name) is { } s ? (double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : throw new UsageException($"--{name} must be a number.")) : fallback;

    public bool Has(string name) => _options.ContainsKey(name);
}

/// <summary>A mistake in the command line: printed with the usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
