namespace RagService.Core.Jobs;

/// <summary>
/// How often the ingestion of a document version was started, persisted before the work starts: a
/// version that was started and never finished (its process crashed, or it timed out) shows a count
/// above zero on the next try, so a document that kills or hangs the service is tried alone and, past a
/// limit, failed instead of crash-looping the service. <see cref="DocumentStatus.Attempts"/> reads it back.
/// </summary>
public interface IJobAttempts
{
    /// <summary>Records, durably, that an attempt at this version starts now; returns its number (1 for the first).</summary>
    Task<int> BeginAttemptAsync(string documentId, int version, CancellationToken ct);

    /// <summary>Takes back an attempt that the service itself stopped (a clean shutdown is not the document's fault).</summary>
    Task ForgetAttemptAsync(string documentId, int version, CancellationToken ct);
}
