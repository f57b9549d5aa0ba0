using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>
/// Real files through the real pipeline and the real HTTP API: parse, chunk, embed with the ONNX
/// model, index in Lucene and USearch, then search and ask.
/// </summary>
public sealed class EndToEndTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private const string PdfQuestion = "How many days are backups retained?";
    private const string DocxQuestion = "How much free disk space does the Linux installer require?";

    [Fact]
    public async Task Ask_cites_the_page_and_section_that_answer_the_question()
    {
        var pdf = _dir.File("policy.pdf");
        var docx = _dir.File("guide.docx");
        TestDocuments.WritePdf(pdf);
        TestDocuments.WriteDocx(docx);
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "handbook");

        await RagApiHost.UploadAsync(client, "handbook", (pdf, "policy"), (docx, "guide"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "handbook", "policy")).GetProperty("status").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "handbook", "guide")).GetProperty("status").GetString());

        var ask = await client.PostAsJsonAsync("/v1/indexes/handbook/ask", new { question = PdfQuestion });
        ask.EnsureSuccessStatusCode();
        var answer = await ask.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.False(answer.GetProperty("noAnswer").GetBoolean());
        Assert.Contains(TestDocuments.PdfBackupFact, answer.GetProperty("answer").GetString());
        Assert.Contains("[1]", answer.GetProperty("answer").GetString());
        var citation = answer.GetProperty("citations")[0];
        Assert.Equal("policy", citation.GetProperty("documentId").GetString());
        Assert.Equal(TestDocuments.PdfBackupPage, citation.GetProperty("pageStart").GetInt32());
        Assert.Contains(TestDocuments.PdfBackupHeading, citation.GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()));

        var docxAsk = await client.PostAsJsonAsync("/v1/indexes/handbook/ask", new { question = DocxQuestion });
        var docxAnswer = await docxAsk.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        var docxCitation = docxAnswer.GetProperty("citations")[0];
        Assert.Equal("guide", docxCitation.GetProperty("documentId").GetString());
        Assert.Equal(new[] { TestDocuments.DocxInstallationHeading, TestDocuments.DocxLinuxHeading }, docxCitation.GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()!).ToArray());
    }

    [Fact]
    public async Task Unrelated_question_gets_no_answer_instead_of_quoted_noise()
    {
        var pdf = _dir.File("policy.pdf");
        TestDocuments.WritePdf(pdf);
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        await RagApiHost.UploadAsync(client, "kb", (pdf, "policy"));
        await RagApiHost.WaitForFinalAsync(client, "kb", "policy");

        var response = await client.PostAsJsonAsync("/v1/indexes/kb/ask", new { question = "What is the boiling point of liquid nitrogen in kelvin?" });
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.True(answer.GetProperty("noAnswer").GetBoolean());
        Assert.Empty(answer.GetProperty("citations").EnumerateArray());
    }

    [Fact]
    public async Task Results_survive_a_restart_and_unfinished_jobs_resume()
    {
        var pdf = _dir.File("policy.pdf");
        var docx = _dir.File("guide.docx");
        TestDocuments.WritePdf(pdf);
        TestDocuments.WriteDocx(docx);
        var data = _dir.File("data");
        string before;
        await using (var host = new RagApiHost(data))
        {
            var client = host.CreateClient();
            await host.CreateIndexAsync(client, "kb");
            await RagApiHost.UploadAsync(client, "kb", (pdf, "policy"));
            await RagApiHost.WaitForFinalAsync(client, "kb", "policy");
            before = (await RagApiHost.SearchAsync(client, "kb", new { query = "backup retention days", topK = 3 })).GetProperty("hits").GetRawText();
        }

        // Queue a document in the durable catalog while no service runs, and leave it half-done,
        // as if the service had died while embedding it.
        using (var registry = new Indexing.IndexRegistry(data, Hosting.EmbeddedBackends.Create()))
        {
            var store = registry.Open("kb")!;
            await using var stream = File.OpenRead(docx);
            var received = await Ingestion.BlobStore.StoreAsync(stream, "guide.docx", registry.BlobFolder("kb"), long.MaxValue, default);
            await store.Jobs.EnqueueAsync(new Core.Jobs.DocumentUpload("guide", "guide.docx", received.BlobPath!, received.ContentHash, received.SizeBytes, Core.Documents.DocumentFormat.Docx, new Dictionary<string, string>()), CancellationToken.None);
            await store.Jobs.UpdateProgressAsync("guide", 1, new Core.Jobs.JobProgress(Core.Jobs.DocumentState.Embedding, 0.5), CancellationToken.None);
        }

        await using (var host = new RagApiHost(data))
        {
            var client = host.CreateClient();
            var after = (await RagApiHost.SearchAsync(client, "kb", new { query = "backup retention days", topK = 3 })).GetProperty("hits").GetRawText();
            Assert.Equal(Ids(before), Ids(after));
            Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "guide")).GetProperty("status").GetString());
        }

        static string[] Ids(string hitsJson) =>
            JsonDocument.Parse(hitsJson).RootElement.EnumerateArray().Select(h => h.GetProperty("chunk").GetProperty("chunkId").GetString()!).ToArray();
    }

    [Fact]
    public async Task Replacing_and_deleting_a_document_removes_its_old_chunks_from_both_indexes()
    {
        var v1 = _dir.File("notes-v1.md");
        var v2 = _dir.File("notes-v2.md");
        await File.WriteAllTextAsync(v1, "# Release notes\n\nThe flux capacitor ships with firmware zebraquartz.\n");
        await File.WriteAllTextAsync(v2, "# Release notes\n\nThe flux capacitor now ships with firmware ottermarble.\n");
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        await RagApiHost.UploadAsync(client, "kb", (v1, "notes"));
        await RagApiHost.WaitForFinalAsync(client, "kb", "notes");
        var store = host.Registry.Open("kb")!;
        var oldIds = await store.Chunks.ChunkIdsOfAsync("notes", CancellationToken.None);
        Assert.NotEmpty(oldIds);

        var replaced = await RagApiHost.UploadAsync(client, "kb", (v2, "notes"));
        Assert.True(replaced.GetProperty("documents")[0].GetProperty("enqueued").GetBoolean());
        var status = await RagApiHost.WaitForFinalAsync(client, "kb", "notes");
        Assert.Equal(2, status.GetProperty("version").GetInt32());
        Assert.Equal(2, status.GetProperty("liveVersion").GetInt32());

        Assert.Empty(await store.Lexical.SearchAsync("zebraquartz", 10, Core.Indexes.SearchFilter.None, CancellationToken.None));
        Assert.NotEmpty(await store.Lexical.SearchAsync("ottermarble", 10, Core.Indexes.SearchFilter.None, CancellationToken.None));
        var dense = (await store.Vectors.SearchAsync(await EmbedAsync(host, "flux capacitor firmware"), 50, null, CancellationToken.None)).Select(h => h.ChunkId).ToList();
        Assert.DoesNotContain(dense, oldIds.Contains);
        var newIds = await store.Chunks.ChunkIdsOfAsync("notes", CancellationToken.None);
        Assert.Contains(dense, newIds.Contains);

        var chunks = await client.GetFromJsonAsync<JsonElement>("/v1/indexes/kb/documents/notes/chunks", RagApiHost.Json);
        Assert.Contains("ottermarble", chunks.GetProperty("chunks")[0].GetProperty("text").GetString());

        var delete = await client.DeleteAsync("/v1/indexes/kb/documents/notes");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty(await store.Lexical.SearchAsync("ottermarble", 10, Core.Indexes.SearchFilter.None, CancellationToken.None));
        Assert.DoesNotContain(await store.Vectors.SearchAsync(await EmbedAsync(host, "flux capacitor firmware"), 50, null, CancellationToken.None), h => newIds.Contains(h.ChunkId));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/indexes/kb/documents/notes")).StatusCode);
        var search = await RagApiHost.SearchAsync(client, "kb", new { query = "flux capacitor firmware", topK = 10 });
        Assert.Empty(search.GetProperty("hits").EnumerateArray());
    }

    [Fact]
    public async Task Identical_bytes_uploaded_again_do_no_new_work()
    {
        var file = _dir.File("a.txt");
        await File.WriteAllTextAsync(file, "Quarterly revenue grew by eleven percent in the northern region.");
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var first = await RagApiHost.UploadAsync(client, "kb", (file, null));
        var id = first.GetProperty("documents")[0].GetProperty("documentId").GetString()!;
        await RagApiHost.WaitForFinalAsync(client, "kb", id);

        var second = await RagApiHost.UploadAsync(client, "kb", (file, null));
        Assert.Equal(id, second.GetProperty("documents")[0].GetProperty("documentId").GetString());
        Assert.False(second.GetProperty("documents")[0].GetProperty("enqueued").GetBoolean());
        Assert.Equal(1, (await client.GetFromJsonAsync<JsonElement>($"/v1/indexes/kb/documents/{id}", RagApiHost.Json)).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Search_returns_provenance_and_a_score_breakdown_per_mode_and_honours_filters()
    {
        var a = _dir.File("a.md");
        var b = _dir.File("b.md");
        await File.WriteAllTextAsync(a, "# Travel policy\n\n## Flights\n\nEconomy class is required for flights shorter than six hours.\n");
        await File.WriteAllTextAsync(b, "# Expense policy\n\n## Meals\n\nMeals during travel are reimbursed up to 60 euros per day.\n");
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var upload = await RagApiHost.PostFilesAsync(client, "kb", ["dept:travel"], (a, "travel"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.NotNull(upload.Headers.Location);
        await RagApiHost.UploadAsync(client, "kb", (b, "expenses"));
        await RagApiHost.WaitForFinalAsync(client, "kb", "travel");
        await RagApiHost.WaitForFinalAsync(client, "kb", "expenses");

        var hybrid = await RagApiHost.SearchAsync(client, "kb", new { query = "economy class flights", topK = 5, trace = true });
        var top = hybrid.GetProperty("hits")[0];
        Assert.Equal("travel", top.GetProperty("chunk").GetProperty("documentId").GetString());
        // The single "# Travel policy" is the document's title, not a section.
        Assert.Equal("Travel policy", top.GetProperty("chunk").GetProperty("title").GetString());
        Assert.Equal(["Flights"], top.GetProperty("chunk").GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal(1, top.GetProperty("scores").GetProperty("bm25Rank").GetInt32());
        Assert.Equal(1, top.GetProperty("scores").GetProperty("denseRank").GetInt32());
        Assert.True(top.GetProperty("scores").GetProperty("fused").GetSingle() > 0);
        Assert.Equal(JsonValueKind.Object, hybrid.GetProperty("trace").ValueKind);

        var bm25 = await RagApiHost.SearchAsync(client, "kb", new { query = "meals reimbursed", mode = "bm25" });
        Assert.Equal("expenses", bm25.GetProperty("hits")[0].GetProperty("chunk").GetProperty("documentId").GetString());
        Assert.Equal(JsonValueKind.Null, bm25.GetProperty("hits")[0].GetProperty("scores").GetProperty("denseRank").ValueKind);

        var filtered = await RagApiHost.SearchAsync(client, "kb", new { query = "meals reimbursed", mode = "dense", filter = new { tags = new Dictionary<string, string> { ["dept"] = "travel" } } });
        Assert.All(filtered.GetProperty("hits").EnumerateArray(), h => Assert.Equal("travel", h.GetProperty("chunk").GetProperty("documentId").GetString()));
        var byDoc = await RagApiHost.SearchAsync(client, "kb", new { query = "economy flights", filter = new { documentIds = new[] { "expenses" } } });
        Assert.All(byDoc.GetProperty("hits").EnumerateArray(), h => Assert.Equal("expenses", h.GetProperty("chunk").GetProperty("documentId").GetString()));
    }

    [Fact]
    public async Task Stored_uploads_are_removed_once_no_document_needs_them()
    {
        var shared = _dir.File("shared.txt");
        await File.WriteAllTextAsync(shared, "The parking garage opens at six in the morning.");
        var v2 = _dir.File("v2.txt");
        await File.WriteAllTextAsync(v2, "The parking garage now opens at seven in the morning.");
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        await RagApiHost.UploadAsync(client, "kb", (shared, "a"), (shared, "b"));
        await RagApiHost.WaitForFinalAsync(client, "kb", "a");
        await RagApiHost.WaitForFinalAsync(client, "kb", "b");
        var store = host.Registry.Open("kb")!;
        var blob = (await store.Jobs.GetUploadAsync("a", CancellationToken.None))!.BlobPath;
        Assert.True(File.Exists(blob));

        // Two documents share the content-addressed blob: deleting one keeps it for the other.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/indexes/kb/documents/a")).StatusCode);
        Assert.True(File.Exists(blob));

        // Replacing the last document that used it releases it; the new version's blob stays.
        await RagApiHost.UploadAsync(client, "kb", (v2, "b"));
        Assert.False(File.Exists(blob));
        var newBlob = (await store.Jobs.GetUploadAsync("b", CancellationToken.None))!.BlobPath;
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "b")).GetProperty("status").GetString());
        Assert.True(File.Exists(newBlob));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/v1/indexes/kb/documents/b")).StatusCode);
        Assert.False(File.Exists(newBlob));
    }

    private static async Task<float[]> EmbedAsync(RagApiHost host, string text)
    {
        var models = (Hosting.EmbeddingModelProvider)host.Services.GetService(typeof(Hosting.EmbeddingModelProvider))!;
        return (await models.Get("minilm").EmbedAsync([text], Core.Models.EmbeddingPurpose.Query, default))[0];
    }

    public void Dispose() => _dir.Dispose();
}
