using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RagService.Api.Tests;

/// <summary>One log event as a provider receives it: its category, level, id, rendered message, structured values and scope values.</summary>
internal sealed record CapturedLog(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    IReadOnlyDictionary<string, string?> State,
    IReadOnlyDictionary<string, string?> Scope,
    string? Exception)
{
    /// <summary>Everything the event carries, as one line of text (what any sink could write).</summary>
    public string AllText => string.Join(
        " | ",
        new[] { Category, Message, Exception ?? string.Empty }
            .Concat(State.Select(p => $"{p.Key}={p.Value}"))
            .Concat(Scope.Select(p => $"{p.Key}={p.Value}")));
}

/// <summary>
/// A logger provider added to the host's logging like any sink (so the configured filters apply; its alias for
/// them is <c>Capture</c>), recording each event with the structured values and scopes the logger factory hands
/// every provider, as the JSON console formatter receives them with IncludeScopes.
/// </summary>
[ProviderAlias("Capture")]
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static Dictionary<string, string?> Values(object? value, Dictionary<string, string?> into)
    {
        if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, item) in pairs)
            {
                into[key] = item?.ToString();
            }
        }

        return into;
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, string?>();
            owner._scopes.ForEachScope((value, values) => Values(value, values), scope);
            owner.Entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), Values(state, []), scope, exception?.ToString()));
        }
    }
}
