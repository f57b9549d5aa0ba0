namespace RagService.Api.Ingestion;

/// <summary>
/// The doorbell between the upload endpoint and the ingestion worker. The queue itself is durable
/// (the unfinished rows of each index's catalog); this only wakes the worker early instead of
/// waiting for its next poll.
/// </summary>
public sealed class IngestionQueue
{
    private readonly SemaphoreSlim _bell = new(0, 1);

    public void Signal()
    {
        if (_bell.CurrentCount == 0)
        {
            try
            {
                _bell.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another upload rang at the same moment; one ring is enough.
            }
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _bell.WaitAsync(timeout, ct);
}
