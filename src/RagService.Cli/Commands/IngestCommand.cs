using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Core.Documents;
using RagService.Ingestion.Jobs;
using RagService.Core.Jobs;
using RagService.Indexing;
using RagService.Cli.Ingest;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary><c>rag ingest</c>: files and folders into an index, in process, with a progress bar and a summary.</summary>
public static class IngestCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var index = line.Require("index");
        var sources = new IngestSources(line.Positional, line.GetAll("include"), line.GetAll("exclude"));
        var tags = ParseTags(line.GetAll("tag"));
        if (line.Get("url") is not null)
        {
            return await IngestRemoteAsync(line, index, sources, tags, ct);
        }

        if (line.Get("parallel") is not null)
        {
            throw new UsageException("--parallel sets the uploads in flight to a service (--url); in process, Rag:IngestionParallelism sets the workers.");
        }

        var files = sources.Enumerate().Distinct(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new UsageException("No files found under the given paths (check --include and --exclude).");
        }

        await using var services = CliHost.Create(line);
        var options = services.GetRequiredService<IOptions<RagOptions>>().Value;
        var store = IndexSetup.OpenOrCreate(services, index, line);
        var ingestor = services.GetRequiredService<DocumentIngestor>();

        var admitted = new List<string>();
        var skipped = 0;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var upload = progress.AddTask("Storing files", maxValue: files.Count);
            foreach (var path in files)
            {
                await using var stream = File.OpenRead(path);
                var received = await BlobStore.StoreAsync(stream, Path.GetFileName(path), services.GetRequiredService<IndexRegistry>().BlobFolder(index), options.MaxUploadBytes, ct);
                var result = await DocumentIntake.AdmitAsync(store, received, DocumentIdFromPath(path), tags, options.MaxUploadBytes, ct);
                admitted.Add(result.Status.DocumentId);
                skipped += result.Enqueued || result.Status.State == DocumentState.Failed ? 0 : 1;
                upload.Increment(1);
            }

            var pending = (await store.Jobs.UnfinishedAsync(ct)).Count;
            var ingest = progress.AddTask("Parsing, embedding, indexing", maxValue: Math.Max(1, pending));
            await ingestor.DrainAsync(store, options.MaxDocumentsPerCommit, options.IngestionParallelism,
                new Progress<IngestionBatchReport>(r => ingest.Value = r.Ready + r.Failed), ct);
            ingest.Value = ingest.MaxValue;
        });

        var statuses = new List<DocumentStatus>();
        foreach (var id in admitted.Distinct())
        {
            if (await store.Jobs.GetAsync(id, ct) is { } status)
            {
                statuses.Add(status);
            }
        }

        var ready = statuses.Count(s => s.State == DocumentState.Ready);
        var failed = statuses.Where(s => s.State == DocumentState.Failed).ToList();
        AnsiConsole.MarkupLineInterpolated($"[green]{ready} ready[/] ({skipped} unchanged), [red]{failed.Count} failed[/], {statuses.Sum(s => s.ChunkCount)} chunks in index '{index}'.");
        if (failed.Count > 0)
        {
            var table = new Table().AddColumns("document", "file", "step", "reason");
            foreach (var f in failed)
            {
                table.AddRow(Markup.Escape(f.DocumentId), Markup.Escape(f.FileName), Markup.Escape(f.FailedStep ?? ""), Markup.Escape(f.Error ?? ""));
            }

            AnsiConsole.Write(table);
        }

        return failed.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>
    /// <c>rag ingest --url</c>: the files go up to a running service in bounded memory, files it already holds are skipped,
    /// and the command waits until every document is ready or failed (<see cref="RemoteIngest"/>), with a live display
    /// of the uploads and the index's documents by state, then a table of the failures.
    /// </summary>
    private static async Task<int> IngestRemoteAsync(CommandLine line, string index, IngestSources sources, Dictionary<string, string> tags, CancellationToken ct)
    {
        if (line.Get("model") is not null || line.Get("chunk-tokens") is not null || line.Get("header") is not null)
        {
            throw new UsageException("--model, --chunk-tokens and --header shape a new index in process; with --url, create the index with PUT /v1/indexes/{index} first.");
        }

        var parallel = line.GetInt("parallel", 4);
        if (parallel is < 1 or > 64)
        {
            throw new UsageException("--parallel must be between 1 and 64.");
        }

        using var http = RemoteService.CreateClient(line);
        var batch = new RemoteIngest(http, index, tags, new RemoteIngestSettings { Parallel = parallel }, DocumentIdFromPath);
        RemoteIngestResult? result = null;
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var upload = progress.AddTask("Uploading", maxValue: 1);
                var processing = progress.AddTask("Processing", maxValue: 1);
                result = await batch.RunAsync(sources.Enumerate(), new SynchronousProgress<RemoteIngestProgress>(p => Show(p, upload, processing)), ct);
                upload.Value = upload.MaxValue;
                processing.Value = processing.MaxValue;
            });

        var (found, uploaded, unchanged, ready, failures) = result!;
        if (found == 0)
        {
            throw new UsageException("No files found under the given paths (check --include and --exclude).");
        }

        AnsiConsole.MarkupLineInterpolated(
            $"{found} files: {uploaded} uploaded, {unchanged} unchanged (already in the index); [green]{ready} ready[/], [red]{failures.Count} failed[/] in index '{index}' at {http.BaseAddress}.");
        if (failures.Count > 0)
        {
            var table = new Table().AddColumns("document", "file", "failedStep", "error");
            foreach (var f in failures)
            {
                table.AddRow(Markup.Escape(f.DocumentId), Markup.Escape(f.FileName), Markup.Escape(f.Step), Markup.Escape(f.Error));
            }

            AnsiConsole.Write(table);
        }

        return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static void Show(RemoteIngestProgress p, ProgressTask upload, ProgressTask processing)
    {
        upload.MaxValue = Math.Max(1, p.Found);
        upload.Value = p.Uploaded + p.Unchanged + p.Unreadable;
        upload.Description = $"Uploaded {p.Uploaded}, unchanged {p.Unchanged}{(p.Unreadable > 0 ? $", unreadable {p.Unreadable}" : "")} of {p.Found} found";
        if (p.Index is { } c)
        {
            processing.MaxValue = Math.Max(1, c.Total);
            processing.Value = c.Ready + c.Failed;
            processing.Description = $"Index: {c.Queued} queued, {c.Processing} processing, [green]{c.Ready} ready[/], [red]{c.Failed} failed[/]";
        }
    }

    /// <summary>Reports on the caller's thread (Spectre's tasks take updates from any thread; no context to post to).</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }

    /// <summary>A path-derived id, so ingesting a changed file again replaces its previous version.</summary>
    internal static string DocumentIdFromPath(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(path));
        var chars = relative.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray();
        var id = new string(chars).TrimStart('.', '_');
        return id.Length is > 0 and <= 128 ? id : DocumentIds.FromContent(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(relative))));
    }

    internal static Dictionary<string, string> ParseTags(IReadOnlyList<string> raw)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in raw)
        {
            var colon = t.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new UsageException($"Tag '{t}' is not of the form key:value.");
            }

            tags[t[..colon]] = t[(colon + 1)..];
        }

        return tags;
    }
}
