using RagService.Api.EvalRuns;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Core.Search;
using RagService.Evaluation.Retrieval;

namespace RagService.Api.Tests;

/// <summary>
/// Evaluation runs made the way <c>rag eval --url</c> makes them, for the runs routes and the evaluation page: a
/// small BEIR folder written here, its corpus uploaded to the service, its queries sent through the search route
/// by the real evaluator (<see cref="RetrievalEvaluator"/>, <see cref="HttpSearcher"/>), and the report written by
/// the real writer (<see cref="EvalRunFiles"/>).
/// <para>
/// The set is built so that BM25's outcome is known: q1 and q3 find their document first; q2 has two relevant
/// documents, one sharing no word with it (BM25 cannot retrieve it); q4 shares no word with any document (BM25
/// retrieves nothing).
/// </para>
/// </summary>
internal static class EvalRunFixture
{
    public const string Index = "mini";

    private static readonly (string Id, string Title, string Text)[] Corpus =
    [
        ("d1", "Backups", "Encrypted backups of the customer database are retained for ninety days in the vault."),
        ("d2", "Holidays", "Employees receive twenty-five days of paid holiday a year."),
        ("d3", "Laptops", "Every laptop is replaced after four years or when it fails outside warranty."),
        ("d4", "Parking", "Staff parking permits are issued by the facilities office."),
        ("d5", "Canteen", "The canteen serves lunch between noon and two o'clock."),
        ("d6", "Travel", "Train tickets for business trips are booked through the travel desk."),
    ];

    private static readonly (string Id, string Text, (string Doc, int Grade)[] Relevant)[] Queries =
    [
        ("q1", "how long are database backups retained", [("d1", 1)]),
        ("q2", "paid holiday allowance of employees", [("d2", 1), ("d5", 1)]),
        ("q3", "when is lunch served in the canteen", [("d5", 2)]),
        ("q4", "xylophone quartet rehearsal", [("d3", 1)]),
    ];

    /// <summary>Writes the BEIR folder (corpus, queries, qrels/test.tsv) and uploads its corpus into <see cref="Index"/>.</summary>
    public static async Task<BeirDataset> PrepareAsync(HttpClient http, string folder)
    {
        var dataset = await WriteAsync(folder);
        (await http.PutAsJsonAsync($"v1/indexes/{Index}", new { })).EnsureSuccessStatusCode();
        var files = new List<(string, string?)>();
        await foreach (var doc in dataset.ReadCorpusAsync(default))
        {
            var path = Path.Combine(folder, doc.Id + ".md");
            await File.WriteAllTextAsync(path, BeirCorpusIngestion.AsMarkdown(doc));
            files.Add((path, EvalDocumentIds.ToDocumentId(doc.Id)));
        }

        await RagApiHost.UploadAsync(http, Index, [.. files]);
        foreach (var (_, id) in files)
        {
            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(http, Index, id!)).GetProperty("status").GetString());
        }

        return dataset;
    }

    /// <summary>
    /// Writes the BEIR folder: queries, qrels/test.tsv and, unless <paramref name="withCorpus"/> is false (the caller
    /// provides it, e.g. as a pipe it writes <see cref="CorpusLines"/> into), corpus.jsonl.
    /// </summary>
    public static async Task<BeirDataset> WriteAsync(string folder, bool withCorpus = true)
    {
        Directory.CreateDirectory(Path.Combine(folder, "qrels"));
        if (withCorpus)
        {
            await File.WriteAllLinesAsync(Path.Combine(folder, "corpus.jsonl"), CorpusLines());
        }

        await File.WriteAllLinesAsync(Path.Combine(folder, "queries.jsonl"),
            Queries.Select(q => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = q.Id, ["text"] = q.Text })));
        await File.WriteAllLinesAsync(Path.Combine(folder, "qrels", "test.tsv"),
            ["query-id\tcorpus-id\tscore", .. Queries.SelectMany(q => q.Relevant.Select(r => $"{q.Id}\t{r.Doc}\t{r.Grade}"))]);
        return new BeirDataset(folder);
    }

    /// <summary>
    /// A named pipe at <paramref name="path"/> (mkfifo): a run that reads it waits until the test writes it, so a test can
    /// see a run in progress for as long as it needs.
    /// </summary>
    public static void MakePipe(string path)
    {
        using var mkfifo = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
    }

    /// <summary>
    /// Writes the corpus into the pipe <see cref="MakePipe"/> made once a reader opens it (a run waiting on it reads the
    /// corpus, then its end). With <paramref name="release"/>, a run that ended without opening the pipe (cancelled
    /// first) leaves no writer waiting: after two seconds the pipe is opened for reading here and drained.
    /// </summary>
    public static async Task FeedPipeAsync(string path, Task? release = null)
    {
        var writing = Task.Run(async () => await File.WriteAllLinesAsync(path, CorpusLines()));
        if (release is null)
        {
            await writing;
            return;
        }

        await release;
        if (await Task.WhenAny(writing, Task.Delay(TimeSpan.FromSeconds(2))) != writing)
        {
            await using var reader = new FileStream(path, FileMode.Open, FileAccess.Read);
            await reader.CopyToAsync(Stream.Null);
        }

        try
        {
            await writing;
        }
        catch (IOException)
        {
            // The run opened the pipe and closed it (cancelled) before the corpus was written: a broken pipe.
        }
    }

    /// <summary>The corpus as <c>corpus.jsonl</c> holds it, one JSON object a line.</summary>
    public static IEnumerable<string> CorpusLines() =>
        Corpus.Select(d => JsonSerializer.Serialize(new Dictionary<string, string> { ["_id"] = d.Id, ["title"] = d.Title, ["text"] = d.Text }));

    /// <summary>Evaluates bm25 and hybrid over HTTP (the first <paramref name="maxQueries"/> queries when given) and writes the run; returns the report and the run's name.</summary>
    public static async Task<(EvalReport Report, string Name)> RunAsync(HttpClient http, BeirDataset dataset, string runs, DateTimeOffset at, int? maxQueries = null)
    {
        var client = new SearchApiClient(http);
        var index = IndexSummary.Of((await client.GetIndexAsync(Index, default))!);
        var searcher = new HttpSearcher(client, Index, http.BaseAddress!.ToString());
        var set = await RetrievalEvaluator.LoadQueriesAsync(dataset, "test", maxQueries, default);
        var modes = new List<ModeResult>();
        foreach (var step in new[] { new AblationStep("bm25", SearchMode.Bm25, null), new AblationStep("hybrid", SearchMode.Hybrid, null) })
        {
            modes.Add(await RetrievalEvaluator.EvaluateAsync(searcher, step, set, null, null, default));
        }

        var report = new EvalReport("mini", dataset.Directory, "test", set.Queries.Count, Index, index.EmbeddingModel, index.ChunkMaxTokens,
            index.ContextualHeader, searcher.Transport, null, index.Vectors, index.Bytes, null, modes, at, Environment.ProcessorCount, EvalReport.TextsOf(set));
        var stem = await EvalRunFiles.WriteAsync(report, runs, default);
        return (report, Path.GetFileName(stem));
    }
}
