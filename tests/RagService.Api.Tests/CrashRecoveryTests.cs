using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Hosting;
using RagService.Core.Indexes;
using RagService.Core.Jobs;
using RagService.Core.Security;
using RagService.Indexing;
using RagService.Indexing.Maintenance;
using RagService.Indexing.Storage;
using Xunit.Abstractions;

namespace RagService.Api.Tests;

/// <summary>
/// Crash safety for real: the built API runs as a child process ingesting ~100 distinct documents and is
/// killed with SIGKILL at random moments, at least ten times, restarted after each kill. Afterwards every
/// accepted document is ready exactly once in the catalog and both indexes, with no orphan or stale chunk,
/// and each is found by its own unique word. The figures go to the test output (docs/benchmarks.md).
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Documents = 100;
    private const int Kills = 10;
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Ingestion_killed_with_sigkill_ten_times_loses_and_doubles_nothing()
    {
        var data = _dir.File("data");
        var corpus = WriteCorpus(_dir.File("corpus"));
        var random = new Random(12);
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var killsDuringIngestion = 0;
        string[] settings = ["--Rag:MaxDocumentsPerCommit=16", "--Rag:MaxAttempts=20"];

        for (var kill = 0; kill < Kills; kill++)
        {
            await using var child = ChildApiProcess.Start(data, settings);
            Assert.True(await child.WaitUntilAliveAsync(TimeSpan.FromMinutes(1)), $"The API did not start after kill {kill}: {child.Output}");
            if (kill == 0)
            {
                await AssertSecondWriterRefusedAsync(data);
            }

            using var http = child.CreateClient(TimeSpan.FromSeconds(30));
            var killAt = DateTime.UtcNow + TimeSpan.FromMilliseconds(random.Next(300, 2500));
            var uploading = UploadUntilAsync(http, corpus, accepted, killAt);
            await Task.Delay(Math.Max(0, (int)(killAt - DateTime.UtcNow).TotalMilliseconds));
            killsDuringIngestion += await UnfinishedAsync(http) > 0 ? 1 : 0;
            await child.KillAsync();
            await uploading;
        }

        int lost, duplicated;
        await using (var child = ChildApiProcess.Start(data, settings))
        {
            Assert.True(await child.WaitUntilAliveAsync(TimeSpan.FromMinutes(1)), child.Output);
            using var http = child.CreateClient(TimeSpan.FromSeconds(30));
            await UploadUntilAsync(http, corpus, accepted, DateTime.MaxValue);
            var statuses = await WaitAllFinalAsync(http);
            lost = corpus.Count - statuses.Count(s => s.GetProperty("status").GetString() == "ready");
            Assert.Equal(Documents, statuses.Count);
            Assert.All(statuses, s => Assert.Equal("ready", s.GetProperty("status").GetString()));
        }

        using var registry = new IndexRegistry(data, EmbeddedBackends.Create());
        var report = await IndexDoctor.CheckAsync(registry, "kb", AccessScope.DefaultTenant, CancellationToken.None);
        var store = registry.Open("kb")!;
        var lexical = await ((IIndexInventory)store.Lexical).EntriesAsync(CancellationToken.None);
        duplicated = lexical.Count - lexical.Select(e => e.ChunkId).Distinct(StringComparer.Ordinal).Count();
        output.WriteLine($"kills: {Kills} ({killsDuringIngestion} with documents unfinished), documents: {Documents}, lost: {lost}, duplicated: {duplicated}, " +
            $"catalog chunks: {report.CatalogChunks}, bm25 missing/extra/stale: {report.Lexical.Missing}/{report.Lexical.Extra}/{report.Lexical.Stale}, " +
            $"vectors missing/extra: {report.Vectors.Missing}/{report.Vectors.Extra}");

        Assert.Equal(0, duplicated);
        Assert.True(report.Consistent, $"The derived indexes disagree with the catalog: {report}");
        Assert.True(killsDuringIngestion >= 3, $"Only {killsDuringIngestion} kills hit unfinished ingestion.");
        var perDocument = lexical.GroupBy(e => e.DocumentId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        foreach (var (id, word) in corpus)
        {
            var status = (await store.Jobs.GetAsync(id, CancellationToken.None))!;
            Assert.Equal(DocumentState.Ready, status.State);
            Assert.Equal(status.ChunkCount, perDocument[id]);
            Assert.Equal(status.ChunkCount, (await store.Chunks.ChunkIdsOfAsync(id, CancellationToken.None)).Count);
            var hits = await store.Lexical.SearchAsync(word, 3, SearchFilter.None, CancellationToken.None);
            var top = await store.Chunks.GetChunksByIdsAsync([hits[0].ChunkId], CancellationToken.None);
            Assert.Equal(id, top[0].DocumentId);
        }
    }

    /// <summary>While the service holds the folder, a second API process and an in-process writer are refused and change nothing.</summary>
    private async Task AssertSecondWriterRefusedAsync(string data)
    {
        await using var second = ChildApiProcess.Start(data);
        Assert.True(await second.WaitForExitAsync(TimeSpan.FromMinutes(1)), "A second API on the same data folder kept running.");
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("is in use by another process", second.Output, StringComparison.Ordinal);
        Assert.Throws<DataFolderLockedException>(() => new IndexRegistry(data, EmbeddedBackends.Create()));
    }

    /// <summary>Uploads the documents not yet accepted, ten per request, until the deadline or a failure (the kill).</summary>
    private static async Task UploadUntilAsync(HttpClient http, IReadOnlyDictionary<string, string> corpus, HashSet<string> accepted, DateTime until)
    {
        try
        {
            (await http.PutAsJsonAsync("v1/indexes/kb", new { })).EnsureSuccessStatusCode();
            foreach (var batch in corpus.Keys.Where(id => !accepted.Contains(id)).Chunk(10))
            {
                if (DateTime.UtcNow >= until)
                {
                    return;
                }

                using var form = new MultipartFormDataContent();
                foreach (var id in batch)
                {
                    var content = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(CorpusFolder(corpus), id + ".txt")));
                    content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
                    form.Add(content, "files", id + ".txt");
                    form.Add(new StringContent(id), "documentId");
                }

                var response = await http.PostAsync("v1/indexes/kb/documents", form);
                if (response.IsSuccessStatusCode)
                {
                    lock (accepted)
                    {
                        accepted.UnionWith(batch);
                    }
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            // Killed mid-request: those files were not accepted and go again after the restart.
        }
    }

    private static async Task<int> UnfinishedAsync(HttpClient http)
    {
        try
        {
            return (await ListAsync(http)).Count(s => s.GetProperty("status").GetString() is not ("ready" or "failed"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return 0;
        }
    }

    private static async Task<List<JsonElement>> WaitAllFinalAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (true)
        {
            var statuses = await ListAsync(http);
            if (statuses.Count == Documents && statuses.All(s => s.GetProperty("status").GetString() is "ready" or "failed"))
            {
                return statuses;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Documents still unfinished: {string.Join(", ", statuses.Where(s => s.GetProperty("status").GetString() is not ("ready" or "failed")).Select(s => s.GetProperty("documentId").GetString()))}");
            await Task.Delay(500);
        }
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient http)
    {
        var list = await http.GetFromJsonAsync<JsonElement>("v1/indexes/kb/documents?limit=1000", RagApiHost.Json);
        return [.. list.GetProperty("documents").EnumerateArray()];
    }

    private static string CorpusFolder(IReadOnlyDictionary<string, string> corpus) => ((Corpus)corpus).Folder;

    /// <summary>~100 distinct text documents of one to four paragraphs, each with one word no other document has.</summary>
    private static Corpus WriteCorpus(string folder)
    {
        Directory.CreateDirectory(folder);
        string[] topics = ["turbine maintenance", "payroll policy", "network outage", "warehouse safety", "customer refunds", "solar panel cleaning", "backup retention", "vendor onboarding"];
        var corpus = new Corpus(folder);
        for (var i = 0; i < Documents; i++)
        {
            var id = $"doc-{i:000}";
            var word = "qx" + new string([.. i.ToString("000", System.Globalization.CultureInfo.InvariantCulture).Select(c => (char)('a' + c - '0'))]) + "zv";
            var paragraphs = Enumerable.Range(0, 1 + (i % 4)).Select(p =>
                $"Section {p + 1} of report {i} covers {topics[(i + p) % topics.Length]} at site {i * 7 + p}. " +
                $"The inspector recorded {i + p * 3} findings and {p + 2} follow-up actions for the {topics[(i * 3 + p) % topics.Length]} team. " +
                string.Join(' ', Enumerable.Range(0, 40).Select(w => $"{topics[(i + w) % topics.Length].Split(' ')[w % 2]}{(w * i + p) % 97}")));
            File.WriteAllText(Path.Combine(folder, id + ".txt"), $"Report {i}: the {word} inspection.\n\n" + string.Join("\n\n", paragraphs));
            corpus[id] = word;
        }

        return corpus;
    }

    private sealed class Corpus(string folder) : Dictionary<string, string>(StringComparer.Ordinal)
    {
        public string Folder { get; } = folder;
    }

    public void Dispose() => _dir.Dispose();
}
