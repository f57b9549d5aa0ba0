using System.ComponentModel;
using RagService.Core.Answers;
using RagService.Core.Jobs;
using RagService.Core.Search;

namespace RagService.Api.Contracts;

public sealed record CreateIndexRequest
{
    [Description("Embedding model of the index: \"minilm\" or \"arctic-xs\" (English, bundled), or \"bge-small-zh\" (Chinese and English, pulled into the model cache first). Fixed for the index's life.")]
    public string? EmbeddingModel { get; init; }

    [Description("Chunk budget in embedding-model tokens.")]
    public int? ChunkMaxTokens { get; init; }

    [Description("Prefix title and section path to the indexed text of each chunk.")]
    public bool? ContextualHeader { get; init; }

    [Description("Retrieval stage defaults for this index (same members as a search's stages, e.g. {\"llmRerank\":true,\"mmr\":true}); a request's own stages override them.")]
    public SearchStages? Stages { get; init; }
}

public sealed record IndexInfo(
    string Name,
    string EmbeddingModel,
    int Dimensions,
    int ChunkMaxTokens,
    bool ContextualHeader,
    int DocumentCount,
    long VectorCount,
    long SizeOnDiskBytes,
    DateTimeOffset CreatedAt)
{
    [Description("The index's retrieval stage defaults, when it has any.")]
    public SearchStages? Stages { get; init; }

    [Description("The stage switches a search of this index runs with where its request sets none: the index's defaults over the service's settings (Retrieval), every member set. A stage whose model or LLM is not configured (rerank, llmRerank, rewrite, secondStage) does not run even when on; the trace's settings say what ran.")]
    public SearchStages? EffectiveStages { get; init; }

    [Description("The stage switches that cannot run on this service whatever their value: rerank without a cross-encoder (Retrieval:RerankerModelPath), rewrite and its techniques and llmRerank without an LLM.")]
    public IReadOnlyList<string> UnavailableStages { get; init; } = [];

    [Description("ok, or broken: the index could not be opened or its BM25 or vector index disagrees with its catalog; its routes answer 503 until it is repaired (rag doctor --repair).")]
    public string Health { get; init; } = "ok";

    [Description("Why the index is broken (absent when healthy).")]
    public string? Error { get; init; }
    [Description("The index's documents by state (queued, processing, ready, failed) and their live chunks.")]
    public DocumentCountsDto? Documents { get; init; }
}

public sealed record IndexList(IReadOnlyList<IndexInfo> Indexes);

public sealed record DocumentStatusDto(
    string DocumentId,
    int Version,
    int LiveVersion,
    string FileName,
    string Format,
    long SizeBytes,
    string ContentHash,
    IReadOnlyDictionary<string, string> Tags,
    string Status,
    double Progress,
    string? FailedStep,
    string? Error,
    string? Title,
    int PageCount,
    int ChunkCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt)
{
    [Description("Who may see the document: user:<name>, group:<name> or tenant (everyone in the tenant).")]
    public IReadOnlyList<string> Acl { get; init; } = [];

    public static DocumentStatusDto From(DocumentStatus s) => new(
        s.DocumentId, s.Version, s.LiveVersion, s.FileName, s.Format.ToString().ToLowerInvariant(), s.SizeBytes, s.ContentHash,
        s.Tags, s.State.ToString().ToLowerInvariant(), s.Progress, s.FailedStep, s.Error, s.Title, s.PageCount, s.ChunkCount,
        s.CreatedAt, s.UpdatedAt, s.StartedAt, s.CompletedAt)
    {
        Acl = s.Acl,
    };
}

/// <summary>A change of a document's permissions and/or tags (PATCH); a member left out is unchanged.</summary>
public sealed record DocumentAccessPatch
{
    [Description("The new ACL: entries user:<name>, group:<name> or tenant.")]
    public IReadOnlyList<string>? Acl { get; init; }

    [Description("The new tags (replacing all of them).")]
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
}

public sealed record AcceptedDocument(string DocumentId, string Location, bool Enqueued, DocumentStatusDto Status);

public sealed record UploadResponse(IReadOnlyList<AcceptedDocument> Documents);

public sealed record DocumentList(int Total, int Offset, IReadOnlyList<DocumentStatusDto> Documents);

public sealed record ChunkDto(
    string ChunkId,
    string DocumentId,
    int Version,
    int Ordinal,
    string Text,
    string? Title,
    string? FileName,
    IReadOnlyList<string> SectionPath,
    int PageStart,
    int PageEnd,
    IReadOnlyList<string> BlockIds,
    int TokenCount,
    string ContentHash)
{
    /// <summary>Heading level of each section path entry (1 = top).</summary>
    public IReadOnlyList<int> SectionLevels { get; init; } = [];

    /// <summary>Boxes of the chunk's blocks, per page, in PDF points (origin bottom-left).</summary>
    public IReadOnlyList<PageBoxDto> Boxes { get; init; } = [];

    public string? PreviousChunkId { get; init; }

    public string? NextChunkId { get; init; }

    /// <summary>The section every chunk of the same section shares (its heading's block id).</summary>
    public string? ParentSectionId { get; init; }

    /// <summary>Set on a duplicate: the id of the original chunk it repeats (found by BM25 with its own text; it has no vector of its own).</summary>
    public string? DuplicateOf { get; init; }

    /// <summary>What ingestion flagged in the text, e.g. <c>instructions:ignore-previous</c> (text that reads like an instruction to the model); empty for ordinary text.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>The detected language of the chunk ("en", "zh", "zh-en" …).</summary>
    public string? Language { get; init; }

    /// <summary>True when the chunk is indexed lexically only: the index's embedding model does not cover its language.</summary>
    public bool LexicalOnly { get; init; }
}

public sealed record PageBoxDto(int Page, double Left, double Bottom, double Right, double Top);

public sealed record ChunkList(string DocumentId, IReadOnlyList<ChunkDto> Chunks);

/// <summary>A page's size in points, the frame of the boxes (origin bottom-left).</summary>
public sealed record PageSizeDto(int Page, double Width, double Height);

/// <summary>One heading, table or figure of the parsed document (and every block OCR read with low confidence).</summary>
public sealed record OutlineEntryDto(
    string BlockId,
    [property: Description("heading, table, figure, paragraph, listitem or code.")] string Kind,
    [property: Description("Heading level (1 = top); list nesting depth for list items.")] int Level,
    [property: Description("The block's text, cut to 200 characters.")] string Text,
    int PageStart,
    int PageEnd,
    [property: Description("The block's box on its first page, in points; null for formats without geometry.")] PageBoxDto? Box,
    [property: Description("Mean OCR confidence (0–100) of the block's words; null for blocks not read by OCR.")] double? Confidence,
    bool LowConfidence,
    [property: Description("A table's rows (header included).")] int? Rows,
    [property: Description("A table's columns.")] int? Columns);

/// <summary>
/// A document's parsed structure: its headings, tables and figures in reading order with their pages and boxes,
/// the OCR confidence, and each page's size (to draw the chunks' boxes on the page images).
/// </summary>
public sealed record DocumentOutlineDto(
    string DocumentId,
    int Version,
    string? Title,
    string Format,
    int PageCount,
    IReadOnlyList<PageSizeDto> Pages,
    IReadOnlyList<OutlineEntryDto> Entries,
    [property: Description("How many blocks the parse made (the outline lists the structural ones).")] int Blocks,
    [property: Description("Mean OCR confidence of the blocks read by OCR, weighted by their text length; null when none was.")] double? OcrConfidence,
    int LowConfidenceBlocks);

public sealed record FilterDto
{
    public IReadOnlyList<string>? DocumentIds { get; init; }

    [Description("Tags every hit's document must carry, as key → value.")]
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    [Description("Headings, outermost first: only chunks whose section path starts with them (trimmed, case-insensitive).")]
    public IReadOnlyList<string>? SectionPathPrefix { get; init; }

    [Description("ISO 8601 date or date-time (no offset = UTC): only documents dated at or after it. A document's date is its 'date' tag when set, else its upload time.")]
    public string? ModifiedAfter { get; init; }

    [Description("ISO 8601 date or date-time (no offset = UTC): only documents dated before it (exclusive).")]
    public string? ModifiedBefore { get; init; }
}

public sealed record SearchRequestDto
{
    public string? Query { get; init; }

    [Description("Hits to return, 1–1000.")]
    public int TopK { get; init; } = 10;

    [Description("bm25, dense or hybrid (default).")]
    public string? Mode { get; init; }

    public FilterDto? Filter { get; init; }

    [Description("Return what each retrieval stage did.")]
    public bool Trace { get; init; }

    [Description("Per-request stage switches (queryUnderstanding, dateHints, dateHintMode, routing, pseudoRelevanceFeedback, fusion, rrfK, bm25Weight, denseWeight, rareTermAnchor, secondStage, rerank, llmRerank, deduplicate, mmr, mmrLambda, rewrite, multiQuery, decompose, stepBack, hyde); omitted members keep the service's settings.")]
    public SearchStages? Stages { get; init; }
}

public sealed record ScoresDto(int? Bm25Rank, float? Bm25Score, int? DenseRank, float? DenseScore, float Fused, float? Rerank)
{
    [Description("Scores of later stages by name (second-stage, second-dense, bm25-exact, dense-exact, llm-rerank, rewrite-rrf) when they ran.")]
    public IReadOnlyDictionary<string, float>? Stages { get; init; }

    public static ScoresDto From(ScoreBreakdown b) => new(b.Bm25Rank, b.Bm25Score, b.DenseRank, b.DenseScore, b.FusedScore, b.RerankScore) { Stages = b.StageScores };
}

/// <param name="ContextChunkIds">
/// In an ask trace: the chunks the generator read around this hit (its section or neighbours, in document
/// order, the hit included); null when it read the hit alone, and always null in search.
/// </param>
public sealed record SearchHitDto(int Rank, float Score, ChunkDto Chunk, ScoresDto Scores, IReadOnlyList<string>? ContextChunkIds = null);

public sealed record SearchResponseDto(string Query, string Mode, IReadOnlyList<SearchHitDto> Hits, SearchTrace? Trace, double ElapsedMs);

public sealed record AskRequestDto
{
    public string? Question { get; init; }

    [Description("Retrieved chunks the answer may draw on, 1–50 (default 8).")]
    public int TopK { get; init; } = 8;

    public string? Mode { get; init; }

    public FilterDto? Filter { get; init; }

    public bool Trace { get; init; }

    [Description("LLM query rewriting for this question's retrieval (only when an LLM is configured); omitted keeps Retrieval:Rewrite.")]
    public bool? Rewrite { get; init; }

    [Description("Per-request retrieval stage switches, as on /search (e.g. llmRerank, mmr, dateHints); `rewrite` above wins over stages.rewrite.")]
    public SearchStages? Stages { get; init; }

    [Description("What the answer generator reads around each retrieved chunk: none, neighbours or section (small-to-big); omitted keeps AnswerContext:Expansion (section). Citations still name the exact chunk quoted.")]
    public string? Context { get; init; }

    [Description("Token budget for the retrieved chunks and their context together, 0–100000; omitted keeps AnswerContext:MaxTokens (3000).")]
    public int? ContextTokens { get; init; }

    [Description("Answer as text/event-stream: a 'sources' event, 'delta' events as the answer is written, and a 'done' event with the verified answer, citations, timings and token usage.")]
    public bool Stream { get; init; }
}

public sealed record AskResponseDto(
    string Question,
    string Answer,
    bool NoAnswer,
    IReadOnlyList<Citation> Citations,
    string GeneratedBy,
    IReadOnlyList<SearchHitDto>? Sources,
    double ElapsedMs)
{
    [Description("With trace: what each retrieval stage did to find the sources (the search trace: the legs, every stage's time, note and ranks); null otherwise.")]
    public SearchTrace? Trace { get; init; }
}

/// <summary>Requests of one route over the window: rate, 5xx errors and latency percentiles (ms, to within 10 %).</summary>
public sealed record RequestStatsDto(long Count, long Errors, double PerMinute, double? P50Ms, double? P95Ms, double? P99Ms);

/// <summary>Documents whose ingestion finished over the window, by outcome.</summary>
public sealed record IngestionStatsDto(long Ready, long Failed, double ReadyPerMinute);

/// <summary>
/// The last hour of this process's own metrics (or the time since it started, when shorter): search and ask
/// rates and latency percentiles, and ingestion throughput; for the whole process, every tenant together.
/// </summary>
public sealed record ServiceStatsDto(DateTimeOffset Since, double Minutes, RequestStatsDto Search, RequestStatsDto Ask, IngestionStatsDto Ingestion)
{
    [Description("The same figures minute by minute over the window, oldest first; the last minute is the current one, still running.")]
    public IReadOnlyList<MinuteStatsDto> PerMinute { get; init; } = [];
}

/// <summary>One minute: searches and asks with their 5xx errors and p95 latency (ms, to within 10 %), and documents that finished ingesting.</summary>
public sealed record MinuteStatsDto(DateTimeOffset Start, long Searches, long SearchErrors, double? SearchP95Ms, long Asks, long AskErrors, double? AskP95Ms, long Ready, long Failed);

/// <summary>The effective configuration (<c>GET /v1/settings</c>): every bound setting, defaults included, by configuration path.</summary>
public sealed record SettingsDto(IReadOnlyList<SettingDto> Settings);

/// <summary>One setting by its configuration path (Section:Name, array items :0, :1 …); a secret's value is masked, or null when unset.</summary>
public sealed record SettingDto(string Key, string? Value, bool Secret);
