namespace RagService.Api.Security;

/// <summary>
/// Audit events: who (key id, never the key; tenant; user) did what to which target, and the outcome. One
/// structured log event per action under the <c>RagService.Audit</c> category, so they can be routed apart.
/// </summary>
public sealed partial class Audit(ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("RagService.Audit");

    public void Record(HttpContext http, string action, string target, string outcome)
    {
        var caller = http.GetCaller();
        Log(_logger, action, target, outcome, caller.KeyId, caller.Tenant, caller.User);
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information,
        Message = "Audit {Action} {Target}: {Outcome} (key {KeyId}, tenant {Tenant}, user {User})")]
    private static partial void Log(ILogger logger, string action, string target, string outcome, string? keyId, string tenant, string? user);
}
