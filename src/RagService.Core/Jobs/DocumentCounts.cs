namespace RagService.Core.Jobs;

/// <summary>
/// An index's documents counted by state, with the chunks of their live versions and the bytes of their
/// uploads: what a client waiting on a batch polls and what the metrics report, from one catalog query.
/// </summary>
public sealed record DocumentCounts(IReadOnlyDictionary<DocumentState, int> ByState, long LiveChunks, long UploadedBytes)
{
    public static readonly DocumentCounts Empty = new(new Dictionary<DocumentState, int>(), 0, 0);

    public int Total => ByState.Values.Sum();

    public int Of(DocumentState state) => ByState.GetValueOrDefault(state);

    /// <summary>Neither ready nor failed: queued or in one of the working steps.</summary>
    public int Unfinished => Total - Of(DocumentState.Ready) - Of(DocumentState.Failed);
}
