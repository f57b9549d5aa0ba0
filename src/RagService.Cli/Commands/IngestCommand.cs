using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Ingestion.Jobs;
using RagService.Core.Jobs;
using RagService.Indexing;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary><c>rag ingest</c>: files and folders into an index, in process, with a progress bar and a summary.</summary>
public static class IngestCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var index = line.Require("index");
        if (line.Positional.Count == 0)
        {
            throw new UsageException("Name at least one file or folder to ingest.");
        }

        var files = line.Positional.SelectMany(Expand).Distinct(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new UsageException("No files found under the given paths.");
        }

        var tags = ParseTags(line.GetAll("tag"));
        if (line.Get("url") is not null)
        {
            return await IngestRemoteAsync(line, index, files, tags, ct);
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

    /// <summary><c>rag ingest --url</c>: the files uploaded to a running service, which ingests them; waits for every one.</summary>
    private static async Task<int> IngestRemoteAsync(CommandLine line, string index, IReadOnlyList<string> files, Dictionary<string, string> tags, CancellationToken ct)
    {
        if (line.Get("model") is not null || line.Get("chunk-tokens") is not null || line.Get("header") is not null)
        {
            throw new UsageException("--model, --chunk-tokens and --header shape a new index in process; with --url, create the index with PUT /v1/indexes/{index} first.");
        }

        using var http = RemoteService.CreateClient(line);
        var statuses = await RemoteService.IngestAsync(http, index, [.. files.Select(f => (f, DocumentIdFromPath(f)))], tags, ct);
        var failed = statuses.Where(s => s.GetProperty("status").GetString() == "failed").ToList();
        AnsiConsole.MarkupLineInterpolated($"[green]{statuses.Count - failed.Count} ready[/], [red]{failed.Count} failed[/] in index '{index}' at {http.BaseAddress}.");
        if (failed.Count > 0)
        {
            var table = new Table().AddColumns("document", "step", "reason");
            foreach (var f in failed)
            {
                table.AddRow(
                    Markup.Escape(f.GetProperty("documentId").GetString() ?? ""),
                    Markup.Escape(f.TryGetProperty("failedStep", out var step) ? step.ToString() : ""),
                    Markup.Escape(f.TryGetProperty("error", out var error) ? error.ToString() : ""));
            }

            AnsiConsole.Write(table);
        }

        return failed.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
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

    private static IEnumerable<string> Expand(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (Directory.Exists(path))
        {
            return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal);
        }

        throw new UsageException($"'{path}' is neither a file nor a folder.");
    }
}
