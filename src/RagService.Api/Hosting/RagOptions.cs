namespace RagService.Api.Hosting;

/// <summary>Service-wide settings, bound from the "Rag" section of appsettings.json (checked by <see cref="Validation.RagOptionsValidator"/>).</summary>
public sealed class RagOptions
{
    public const string Section = "Rag";

    /// <summary>Where indexes, uploads and caches live. Relative paths resolve against the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Largest single file accepted; larger files fail with 413 (or a failed status inside a batch).</summary>
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Largest whole upload request (a batch of many files).</summary>
    public long MaxRequestBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Folder of the model cache: bundled models are extracted here and models that are not bundled
    /// (bge-small-zh) are pulled here, each in a folder named after it. Null: <c>$RAG_MODEL_CACHE</c>, else
    /// <c>~/.cache/ragservice/models</c>.
    /// </summary>
    public string? ModelCacheDirectory { get; set; }

    /// <summary>The embedding model of new indexes unless the create request names one.</summary>
    public string DefaultEmbeddingModel { get; set; } = "minilm";

    /// <summary>Documents parsed and embedded at once. Embedding saturates the cores, so keep it small.</summary>
    public int IngestionParallelism { get; set; } = 2;

    /// <summary>Most documents written to the indexes in one commit (group commit amortises index saves).</summary>
    public int MaxDocumentsPerCommit { get; set; } = 64;

    /// <summary>Attempts at one document version before it fails with "crashed or timed out N times" (a poison document must not crash-loop the service).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How long parsing and chunking one document may take before the attempt is abandoned.</summary>
    public TimeSpan ParseTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most pages one document may have; a longer one fails with its page count.</summary>
    public int MaxPagesPerDocument { get; set; } = 10_000;

    /// <summary>Who may call the API ("Rag:Auth"); bound and validated on its own as <see cref="Security.RagAuthOptions"/>.</summary>
    public Security.RagAuthOptions Auth { get; set; } = new();

    /// <summary>Request limits ("Rag:Limits").</summary>
    public RagLimits Limits { get; set; } = new();

    /// <summary>Retrieval evaluation runs ("Rag:Evaluation"), which the dashboard's evaluation page reads.</summary>
    public RagEvaluation Evaluation { get; set; } = new();
}

/// <summary>Where evaluation runs live: <c>rag eval</c> writes them there, <c>/v1/eval/runs</c> (admins) reads them.</summary>
public sealed class RagEvaluation
{
    /// <summary>
    /// The runs folder. A relative path resolves against the working directory (as <see cref="RagOptions.DataDirectory"/>
    /// does), so <c>rag eval</c> (whose <c>--out</c> overrides it) and the service started in the same folder agree.
    /// A missing folder is an empty list.
    /// </summary>
    public string RunsDirectory { get; set; } = "eval/runs";

    /// <summary>
    /// The folders whose BEIR datasets a system admin may evaluate from the API (<c>POST /v1/eval/runs</c>). None by
    /// default: the route then refuses, so no path on the server is read until an operator names where datasets live.
    /// The service's data folder is never read through them.
    /// </summary>
    public string[] DatasetRoots { get; set; } = [];
}

/// <summary>Limits that hold whoever calls: files per upload, query length, per-key rate and request time.</summary>
public sealed class RagLimits
{
    /// <summary>Most files in one upload request.</summary>
    public int MaxFilesPerRequest { get; set; } = 1000;

    /// <summary>Longest query or question, in characters (400 beyond).</summary>
    public int MaxQueryChars { get; set; } = 4000;

    /// <summary>Requests per minute per API key or token subject (429 with Retry-After beyond); 0 turns the limit off.</summary>
    public int RequestsPerMinute { get; set; } = 3000;

    /// <summary>Longest a search, ask or admin request may run before it is cancelled (504). Uploads are not timed.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(120);
}
