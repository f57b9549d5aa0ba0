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
}
