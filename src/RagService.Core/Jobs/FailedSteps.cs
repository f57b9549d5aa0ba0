namespace RagService.Core.Jobs;

/// <summary>
/// The step a document failed in (<see cref="DocumentStatus.FailedStep"/>), in pipeline order: what ingestion records
/// with a failure, and what a listing may filter by (<see cref="DocumentListing.FailedStep"/>).
/// </summary>
public static class FailedSteps
{
    /// <summary>Refused at upload (too large), before any parsing.</summary>
    public const string Upload = "upload";

    public const string Parsing = "parsing";

    public const string Chunking = "chunking";

    public const string Embedding = "embedding";

    public const string Indexing = "indexing";

    public static readonly IReadOnlyList<string> All = [Upload, Parsing, Chunking, Embedding, Indexing];
}
