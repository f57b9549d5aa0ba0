namespace RagService.Ingestion.Jobs;

/// <summary>
/// What one document may cost the ingestion queue before it is given up on, so a poison document (one
/// that hangs the parser or crashes the process) cannot stall the queue or crash-loop the service.
/// </summary>
public sealed record IngestionLimits
{
    /// <summary>Attempts at one version before it fails with "crashed or timed out N times".</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>How long parsing and chunking one document may take; past it the attempt is abandoned.</summary>
    public TimeSpan ParseTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most pages a document may have; a longer one is rejected with its page count.</summary>
    public int MaxPages { get; init; } = 10_000;

    /// <summary>The wait before retrying a version that was started <paramref name="attempts"/> times: none after a first crash (a kill of the whole batch is not the document's fault), then doubling from 2 s to at most 30 s.</summary>
    public static TimeSpan RetryDelay(int attempts) =>
        attempts < 2 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempts - 1)));
}
