using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Core.Options;
using RagService.Ingestion.Chunking;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Telemetry;

namespace RagService.Ingestion;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>What ingestion hands to indexing: the parsed tree (for provenance) and the chunk drafts.</summary>
public sealed record IngestionResult(DocumentTree Tree, IReadOnlyList<ChunkDraft> Chunks);

/// <summary>
/// Sniff, parse and chunk one stored document. Embedding and indexing happen downstream; this stage
/// only turns bytes into chunk drafts with provenance. The declared format is re-checked against the
/// content, because the bytes, not the client's label, decide which parser may touch them.
/// </summary>
public sealed partial class IngestionPipeline
{
    public const string ActivitySourceName = IngestionTelemetry.Name;

    private readonly FormatSniffer _sniffer;
    private readonly DocumentParserRegistry _parsers;
    private readonly IChunker _chunker;
    private readonly ITokenCounter? _tokens;
    private readonly ChunkingOptions _options;
    private readonly ILogger _logger;

    public IngestionPipeline(
        FormatSniffer sniffer,
        DocumentParserRegistry parsers,
        IChunker chunker,
        ITokenCounter tokens,
        ChunkingOptions options,
        ILogger<IngestionPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sniffer);
        ArgumentNullException.ThrowIfNull(parsers);
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(options);
        _sniffer = sniffer;
        _parsers = parsers;
        _chunker = chunker;
        _tokens = tokens;
        _options = options with { }; // a private copy: later changes by the caller do not leak in mid-run
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// A pipeline whose token counter is given per call (<see cref="ChunkAsync"/>): the host's, where each
    /// index has its own embedding model and so its own tokenizer.
    /// </summary>
    public IngestionPipeline(FormatSniffer sniffer, DocumentParserRegistry parsers, IChunker chunker, ILogger<IngestionPipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sniffer);
        ArgumentNullException.ThrowIfNull(parsers);
        ArgumentNullException.ThrowIfNull(chunker);
        _sniffer = sniffer;
        _parsers = parsers;
        _chunker = chunker;
        _options = new ChunkingOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The pipeline the service runs: every parser of the registry and the heading-aware chunker.</summary>
    /// <param name="ocrPool">The OCR engines for scanned pages and images; the process-wide default pool when null.</param>
    public static IngestionPipeline CreateDefault(ILogger<IngestionPipeline>? logger = null, OcrEnginePool? ocrPool = null) =>
        new(new FormatSniffer(), DocumentParserRegistry.CreateDefault(ocrPool: ocrPool), new HeadingAwareChunker(), logger);

    /// <summary>Sniffs the bytes (the declared format is only a claim) and parses them into a tree.</summary>
    /// <exception cref="DocumentRejectedException">The document cannot be parsed; the message says why.</exception>
    public async Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var step = IngestionTelemetry.Step("parse");
        var activity = step.Activity;
        activity?.SetTag("document.file_name", source.FileName);
        try
        {
            var sniffed = _sniffer.Sniff(source.FilePath, source.FileName);
            if (sniffed != source.Format)
            {
                LogFormatCorrected(_logger, source.FileName, source.Format, sniffed);
                source = source with { Format = sniffed };
            }

            activity?.SetTag("document.format", sniffed.ToString());
            var tree = await _parsers.ParseAsync(source, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("document.pages", tree.PageCount);
            activity?.SetTag("document.blocks", tree.Blocks.Count);
            return tree;
        }
        catch (DocumentRejectedException e)
        {
            step.Fail(e.Message);
            LogRejected(_logger, source.FileName, e.Message);
            throw;
        }
    }

    /// <summary>Chunks a parsed tree within the budget, counting tokens with the index's own model.</summary>
    public async Task<IReadOnlyList<ChunkDraft>> ChunkAsync(DocumentTree tree, ChunkingOptions chunking, ITokenCounter tokens, CancellationToken cancellationToken = default)
    {
        using var step = IngestionTelemetry.Step("chunk");
        var chunks = await _chunker.ChunkAsync(tree, chunking, tokens, cancellationToken).ConfigureAwait(false);
        step.Activity?.SetTag("document.chunks", chunks.Count);
        return chunks;
    }

    /// <exception cref="DocumentRejectedException">The document cannot be ingested; the message says why.</exception>
    public Task<IngestionResult> IngestAsync(DocumentSource source, CancellationToken cancellationToken = default) =>
        IngestAsync(source, _options, cancellationToken);

    /// <param name="source">The stored upload.</param>
    /// <param name="chunking">Overrides the pipeline's chunking options for this document (per-request tuning).</param>
    /// <param name="cancellationToken">Cancels parsing between pages or blocks.</param>
    /// <exception cref="DocumentRejectedException">The document cannot be ingested; the message says why.</exception>
    public async Task<IngestionResult> IngestAsync(DocumentSource source, ChunkingOptions chunking, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(chunking);
        var tokens = _tokens ?? throw new InvalidOperationException("This pipeline takes its token counter per call: use ParseAsync and ChunkAsync.");
        using var activity = IngestionTelemetry.Source.StartActivity("ingest");
        activity?.SetTag("document.file_name", source.FileName);
        var started = Stopwatch.GetTimestamp();
        var tree = await ParseAsync(source, cancellationToken).ConfigureAwait(false);
        var chunks = await ChunkAsync(tree, chunking, tokens, cancellationToken).ConfigureAwait(false);
        LogIngested(_logger, source.FileName, tree.PageCount, tree.Blocks.Count, chunks.Count,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new IngestionResult(tree, chunks);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{FileName} was declared {Declared} but its content is {Sniffed}; parsing as {Sniffed}")]
    private static partial void LogFormatCorrected(ILogger logger, string fileName, DocumentFormat declared, DocumentFormat sniffed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Ingested {FileName}: {Pages} pages, {Blocks} blocks, {Chunks} chunks in {ElapsedMs:F0} ms")]
    private static partial void LogIngested(ILogger logger, string fileName, int pages, int blocks, int chunks, double elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Rejected {FileName}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string fileName, string reason);
}
