using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Cli.Ingest;
using RagService.Evaluation.Hosting;
using RagService.TestSupport;
using Spectre.Console;

namespace RagService.Cli.Tests;

/// <summary>
/// <c>rag ingest --url</c> against the real API on loopback (Kestrel, Lucene, ONNX, SQLite): globs pick the files,
/// a corrupt file fails with its step and reason in the table and exit 1, a re-run sends nothing, an interrupted
/// batch resumed sends only what never arrived, and a few thousand tiny files go through.
/// </summary>
[Collection(CliConsole.Name)]
public sealed class RemoteIngestTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));
    private readonly StringWriter _console = new();
    private IAnsiConsole? _previousConsole;
    private LoopbackApiServer? _server;

    private LoopbackApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _previousConsole = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(_console),
        });
        AnsiConsole.Console.Profile.Width = 400;
        _server = await LoopbackApiServer.StartAsync(null, new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = Path.Combine(_root, "data"),
            ["Logging:LogLevel:Default"] = "Warning",
        }, default);
    }

    [Fact]
    public async Task Globs_pick_the_files_a_corrupt_one_fails_in_the_table_and_a_rerun_uploads_nothing()
    {
        var docs = Path.Combine(_root, "docs");
        Write(docs, "handbook/leave.md", "# Leave\n\nStaff take parental leave of sixteen weeks, arranged with the pelargonium office.\n");
        Write(docs, "handbook/drafts/leave-v2.md", "# Draft\n\nA draft that must never be ingested: ocotillo.\n");
        Write(docs, "it/backup.md", "# Backups\n\nBackups are kept for ninety days on the tamarack array.\n");
        Write(docs, "it/notes.txt", "Plain notes left out by the include globs.\n");
        Write(docs, ".git/config.md", "# Hidden\n\nA hidden folder is never walked.\n");
        var pdf = Path.Combine(docs, "it", "policy.pdf");
        TestDocuments.WritePdf(pdf);
        var bytes = await File.ReadAllBytesAsync(pdf);
        await File.WriteAllBytesAsync(Path.Combine(docs, "it", "broken.pdf"), bytes[..(bytes.Length / 2)]);
        string[] args = ["ingest", docs, "--index", "kb", "--include", "**/*.md", "--include", "**/*.pdf", "--exclude", "**/drafts/**", "--parallel", "2"];

        var (exit, output) = await RunAsync(args);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("4 files: 4 uploaded, 0 unchanged", output, StringComparison.Ordinal);
        Assert.Contains("3 ready", output, StringComparison.Ordinal);
        var row = Assert.Single(output.Split('\n'), l => l.Contains("broken.pdf", StringComparison.Ordinal) && l.Contains('│'));
        Assert.Contains("parsing", row, StringComparison.Ordinal);
        Assert.Contains("PDF", row, StringComparison.Ordinal);
        var documents = await DocumentsAsync();
        Assert.Equal(["backup.md", "broken.pdf", "leave.md", "policy.pdf"], documents.Select(d => d.FileName).Order(StringComparer.Ordinal));

        // Run again: every file's bytes are in the index, so nothing is sent; the failure is still reported.
        (exit, output) = await RunAsync(args);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("4 files: 0 uploaded, 4 unchanged", output, StringComparison.Ordinal);
        Assert.Contains(output.Split('\n'), l => l.Contains("broken.pdf", StringComparison.Ordinal) && l.Contains("parsing", StringComparison.Ordinal));
        Assert.Equal(documents, await DocumentsAsync());

        // A changed file is sent again (and replaces its document); the others are not.
        Write(docs, "it/backup.md", "# Backups\n\nBackups are kept for one hundred and twenty days on the tamarack array.\n");
        (_, output) = await RunAsync(args);
        Assert.Contains("4 files: 1 uploaded, 3 unchanged", output, StringComparison.Ordinal);
        var after = await DocumentsAsync();
        Assert.Equal(2, after.Single(d => d.FileName == "backup.md").Version);
        Assert.All(after.Where(d => d.FileName != "backup.md"), d => Assert.Equal(1, d.Version));
    }

    [Fact]
    public async Task An_interrupted_batch_run_again_sends_only_the_files_that_never_arrived()
    {
        var docs = Path.Combine(_root, "many");
        for (var i = 0; i < 60; i++)
        {
            Write(docs, $"part-{i % 3}/note-{i}.md", $"# Note {i}\n\nField note {i} records the heron{i} colony.\n");
        }

        var sources = new IngestSources([docs], [], []);
        using (var http = Server.CreateClient())
        using (var interrupt = new CancellationTokenSource())
        {
            // Ctrl+C after the first upload requests have been answered.
            var batch = new RemoteIngest(http, "kb", new Dictionary<string, string>(), new RemoteIngestSettings { Parallel = 1, FilesPerRequest = 5, HashBatch = 20 },
                Commands.IngestCommand.DocumentIdFromPath);
            var progress = new Progress(p =>
            {
                if (p.Uploaded >= 10)
                {
                    interrupt.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batch.RunAsync(sources.Enumerate(), progress, interrupt.Token));
        }

        // A request cut off by the interruption is either admitted whole by the service or not at all; let it settle.
        await Task.Delay(500);
        var arrived = (await DocumentsAsync()).Count;
        Assert.InRange(arrived, 10, 59);

        var (exit, output) = await RunAsync("ingest", docs, "--index", "kb");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains($"60 files: {60 - arrived} uploaded, {arrived} unchanged", output, StringComparison.Ordinal);
        Assert.Contains("60 ready", output, StringComparison.Ordinal);
        var documents = await DocumentsAsync();
        Assert.Equal(60, documents.Count);
        Assert.All(documents, d => Assert.Equal((1, "ready"), (d.Version, d.Status)));
    }

    [Fact]
    public async Task Tiny_files_over_more_than_one_hash_batch_go_through_in_bounded_batches()
    {
        // More than one batch of 1,000 hashes and many upload groups; the 10,000-file figure is a benchmark (docs/benchmarks.md).
        const int Files = 1200;
        var docs = Path.Combine(_root, "tiny");
        for (var i = 0; i < Files; i++)
        {
            Write(docs, $"d{i % 20}/f{i}.txt", $"Tiny file {i}: token{i}x.");
        }

        var (exit, output) = await RunAsync("ingest", docs, "--index", "tiny", "--parallel", "4");

        Assert.Equal(ExitCodes.Success, exit);
        Assert.Contains($"{Files} files: {Files} uploaded, 0 unchanged", output, StringComparison.Ordinal);
        Assert.Contains($"{Files} ready", output, StringComparison.Ordinal);
        using var http = Server.CreateClient();
        var info = await http.GetFromJsonAsync<JsonElement>("v1/indexes/tiny", Json);
        Assert.Equal(Files, info.GetProperty("documents").GetProperty("ready").GetInt32());
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        _console.GetStringBuilder().Clear();
        var error = new StringWriter();
        var exit = await RagCommandLine.RunAsync([.. args, "--url", Server.BaseAddress.ToString(), "--api-key", Server.AdminKey!],
            new InvocationConfiguration { Output = new StringWriter(), Error = error }, CancellationToken.None);
        return (exit, _console + error.ToString());
    }

    private async Task<List<DocumentRow>> DocumentsAsync()
    {
        using var http = Server.CreateClient();
        var list = await http.GetFromJsonAsync<JsonElement>("v1/indexes/kb/documents?limit=1000", Json);
        return [.. list.GetProperty("documents").EnumerateArray()
            .Select(d => new DocumentRow(d.GetProperty("documentId").GetString()!, d.GetProperty("fileName").GetString()!, d.GetProperty("version").GetInt32(), d.GetProperty("status").GetString()!))
            .OrderBy(d => d.DocumentId, StringComparer.Ordinal)];
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    public async Task DisposeAsync()
    {
        AnsiConsole.Console = _previousConsole!;
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still mapped by a closing index: the OS temp cleaner gets it.
        }
    }

    private sealed record DocumentRow(string DocumentId, string FileName, int Version, string Status);

    /// <summary>Reports on the reporting thread, so the interruption happens right after the upload that crossed the line.</summary>
    private sealed class Progress(Action<RemoteIngestProgress> report) : IProgress<RemoteIngestProgress>
    {
        public void Report(RemoteIngestProgress value) => report(value);
    }
}
