namespace RagService.Evaluation.Chunking;

/// <summary>
/// What <c>rag eval-chunks</c> writes as JSON. The property names and their order are the report's file
/// format.
/// </summary>
public sealed record ChunkEvalReport(
    string Dataset, string Model, int MaxTokens, double SemanticThreshold, int Documents, IReadOnlyList<ChunkStructureResult> Structure,
    IReadOnlyList<ChunkRetrievalResult> Retrieval, DateTimeOffset At, int Cores);

/// <summary>The structure of one chunking's output on one set of trees (the parsed sources or the ground-truth Markdown).</summary>
public sealed record ChunkStructureResult(
    string Chunking, string Trees, int Documents, int Chunks, QualityCount TablesIntact, QualityCount ListsIntact,
    QualityCount BoundariesBetweenSentences, QualityCount SentencesWhole, QualityCount? SectionPath, QualityCount? InnermostSection,
    int Unlocated, int MinTokens, int P50Tokens, int P95Tokens, int MaxTokens, double ChunkSeconds);

/// <summary>How well one chunking (with or without the contextual header) lets hybrid search find each question's evidence, and what ingesting it cost.</summary>
public sealed record ChunkRetrievalResult(
    string Chunking, bool ContextualHeader, int Questions, int Chunks, double HitAt1, double HitAt5, double Mrr, IReadOnlyList<string> Misses,
    double ParseSeconds, double ChunkSeconds, double DedupSeconds, double EmbedSeconds, double WriteSeconds, double IngestSeconds, int Duplicates);
