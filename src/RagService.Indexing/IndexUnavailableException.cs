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
