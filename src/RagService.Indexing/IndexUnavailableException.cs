namespace RagService.Indexing;

/// <summary>
/// The index exists but cannot be served: its files could not be opened, or its BM25 or vector index holds
/// fewer chunks than its catalog. The host answers its routes with 503 and the reason; <c>rag doctor --repair</c>
/// rebuilds what is derived.
/// </summary>
public sealed class IndexUnavailableException(string index, string reason, Exception? inner = null)
    : Exception($"Index '{index}' is unavailable: {reason}", inner)
{
    public string Index { get; } = index;

    public string Reason { get; } = reason;
}

/// <summary>The index cannot be created or changed right now (it is being deleted); the API answers 409 with the reason.</summary>
public sealed class IndexBusyException(string index, string reason)
    : Exception($"Index '{index}' is busy: {reason}.")
{
    public string Index { get; } = index;

    public string Reason { get; } = reason;
}
