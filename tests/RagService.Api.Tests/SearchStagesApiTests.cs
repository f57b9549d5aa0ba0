using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Retrieval.Reranking;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>
/// The stages added for issue 5 through the real HTTP API: dates in the query, LLM reranking and MMR, each
/// switched per request in <c>stages</c>. The LLM is <see cref="FakeOpenAiServer"/>, a local
/// OpenAI-compatible server started by the test (no model weights exist here).
/// </summary>
public sealed class SearchStagesApiTests
{
    [Fact]
    public async Task Query_dates_llm_rerank_and_mmr_are_switched_per_request_and_show_in_the_trace()
    {
        using var server = new FakeOpenAiServer((system, _) => system == LlmListwiseReranker.SystemPrompt ? "[2] > [1]" : null);
        using var data = new TempDirectory();
        await using var host = new RagApiHost(data.File("data"), new Dictionary<string, string?> { ["Llm:Endpoint"] = server.Endpoint, ["Llm:Model"] = "rank-model" });
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var old = data.File("old.txt");
        var recent = data.File("recent.txt");
        await File.WriteAllTextAsync(old, "Backup policy\n\nBackups are retained for ninety days in the vault.\n");
        await File.WriteAllTextAsync(recent, "Backup policy\n\nBackups are retained for seven days on the cluster.\n");
        Assert.Equal(HttpStatusCode.Accepted, (await RagApiHost.PostFilesAsync(client, "kb", ["date:2023-05-01"], (old, "old"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await RagApiHost.PostFilesAsync(client, "kb", ["date:2024-04-02"], (recent, "recent"))).StatusCode);
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "old")).GetProperty("status").GetString());
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "recent")).GetProperty("status").GetString());

        // "since March 2024" filters on the document date (the date tag) in both legs.
        var since = await RagApiHost.SearchAsync(client, "kb", new { query = "how long are backups retained since March 2024", trace = true });
        Assert.All(Hits(since), h => Assert.Equal("recent", h.GetProperty("chunk").GetProperty("documentId").GetString()));
        Assert.NotEmpty(Hits(since));
        Assert.StartsWith("filter [2024-03-01, …)", Step(since, "date-hint").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(server.Requests);

        // The LLM reranker, on per request: one call, its order wins.
        var plain = await RagApiHost.SearchAsync(client, "kb", new { query = "how long are backups retained", trace = true });
        var reranked = await RagApiHost.SearchAsync(client, "kb", new { query = "how long are backups retained", trace = true, stages = new { llmRerank = true, mmr = true, mmrLambda = 0.9 } });
        var (system, user) = Assert.Single(server.Requests);
        Assert.Equal(LlmListwiseReranker.SystemPrompt, system);
        Assert.Contains("[2] ", user, StringComparison.Ordinal);
        var before = Ids(plain);
        var after = Ids(reranked);
        Assert.True(before.Count >= 2, "two chunks to rerank");
        Assert.Equal((before[1], before[0]), (after[0], after[1]));
        Assert.True(Step(reranked, "llm-rerank").GetProperty("applied").GetBoolean());
        Assert.Equal("replaced by mmr", Step(reranked, "dedup").GetProperty("detail").GetString());
        Assert.Equal("mmr", reranked.GetProperty("trace").GetProperty("settings").GetProperty("hygiene").GetString());
        Assert.Equal(1f, Hits(reranked)[0].GetProperty("scores").GetProperty("stages").GetProperty("llm-rerank").GetSingle());

        // The trace ranks each returned hit after every stage with a ranking: the LLM's swap shows as a rank
        // movement between the step before it and its own; the last step's ranks are the response's order.
        var steps = reranked.GetProperty("trace").GetProperty("steps").EnumerateArray().ToList();
        var llmAt = steps.FindIndex(s => s.GetProperty("stage").GetString() == "llm-rerank");
        Assert.Equal(JsonValueKind.Null, Step(reranked, "query-understanding").GetProperty("ranks").ValueKind);
        Assert.Equal((2, 1), (Rank(steps[llmAt - 1], after[0]!), Rank(steps[llmAt - 1], after[1]!)));
        Assert.Equal((1, 2), (Rank(steps[llmAt], after[0]!), Rank(steps[llmAt], after[1]!)));
        Assert.Equal(Enumerable.Range(1, after.Count), after.Select(id => Rank(steps[^1], id!)));
        Assert.Equal(after.Count, steps[^1].GetProperty("ranks").EnumerateObject().Count());

        // Invalid switches are validation problems, not server errors.
        var badMode = await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = "backups", stages = new { dateHintMode = "sometimes" } });
        var badLambda = await client.PostAsJsonAsync("/v1/indexes/kb/search", new { query = "backups", stages = new { mmrLambda = 1.5 } });
        Assert.Equal(HttpStatusCode.BadRequest, badMode.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLambda.StatusCode);
    }

    [Fact]
    public async Task An_index_created_with_stage_defaults_uses_them_unless_a_request_overrides_them()
    {
        using var server = new FakeOpenAiServer((_, _) => "[1]");
        using var data = new TempDirectory();
        await using var host = new RagApiHost(data.File("data"), new Dictionary<string, string?> { ["Llm:Endpoint"] = server.Endpoint });
        var client = host.CreateClient();
        var created = await client.PutAsJsonAsync("/v1/indexes/kb", new { stages = new { llmRerank = true, mmr = true } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var info = await client.GetFromJsonAsync<JsonElement>("/v1/indexes/kb", RagApiHost.Json);
        Assert.True(info.GetProperty("stages").GetProperty("llmRerank").GetBoolean());
        Assert.Equal(["rerank"], info.GetProperty("unavailableStages").EnumerateArray().Select(s => s.GetString())); // the LLM is configured
        var file = data.File("backup.txt");
        await File.WriteAllTextAsync(file, "Backup policy\n\nBackups are retained for ninety days in the vault.\n");
        await RagApiHost.UploadAsync(client, "kb", (file, "backup"));
        Assert.Equal("ready", (await RagApiHost.WaitForFinalAsync(client, "kb", "backup")).GetProperty("status").GetString());

        var byIndex = await RagApiHost.SearchAsync(client, "kb", new { query = "backup retention", trace = true });
        var overridden = await RagApiHost.SearchAsync(client, "kb", new { query = "backup retention", trace = true, stages = new { llmRerank = false } });

        Assert.Single(server.Requests);
        Assert.True(Step(byIndex, "llm-rerank").GetProperty("applied").GetBoolean());
        Assert.Equal("mmr", byIndex.GetProperty("trace").GetProperty("settings").GetProperty("hygiene").GetString());
        Assert.Equal("off", Step(overridden, "llm-rerank").GetProperty("detail").GetString());
        Assert.Equal("mmr", overridden.GetProperty("trace").GetProperty("settings").GetProperty("hygiene").GetString());

        var badIndex = await client.PutAsJsonAsync("/v1/indexes/kb2", new { stages = new { dateHintMode = "never" } });
        Assert.Equal(HttpStatusCode.BadRequest, badIndex.StatusCode);

        // The defaults live in the index's settings file: a restarted service keeps them.
        await host.DisposeAsync();
        await using var restarted = new RagApiHost(data.File("data"));
        var reopened = await restarted.CreateClient().GetFromJsonAsync<JsonElement>("/v1/indexes/kb", RagApiHost.Json);
        Assert.True(reopened.GetProperty("stages").GetProperty("mmr").GetBoolean());
    }

    [Fact]
    public async Task An_admin_changes_an_index_s_stage_defaults_and_they_outlive_a_restart()
    {
        using var data = new TempDirectory();
        await using var host = new RagApiHost(data.File("data"));
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");

        // Without defaults of its own, the index runs with the service's settings: all of them, shown as such.
        var plain = await client.GetFromJsonAsync<JsonElement>("/v1/indexes/kb", RagApiHost.Json);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("stages").ValueKind);
        var effective = plain.GetProperty("effectiveStages");
        Assert.Equal((false, "zscore", true), (effective.GetProperty("mmr").GetBoolean(), effective.GetProperty("fusion").GetString(), effective.GetProperty("deduplicate").GetBoolean()));
        // With no LLM and no cross-encoder configured, the stages that need them are named as unable to run.
        Assert.Equal(["rerank", "rewrite", "multiQuery", "decompose", "stepBack", "hyde", "llmRerank"],
            plain.GetProperty("unavailableStages").EnumerateArray().Select(s => s.GetString()));

        var changed = await client.PutAsJsonAsync("/v1/indexes/kb/stages", new { mmr = true, mmrLambda = 0.5, fusion = "rrf" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var info = await changed.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.True(info.GetProperty("stages").GetProperty("mmr").GetBoolean());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("stages").GetProperty("deduplicate").ValueKind);
        Assert.Equal((true, 0.5, "rrf", true), (info.GetProperty("effectiveStages").GetProperty("mmr").GetBoolean(),
            info.GetProperty("effectiveStages").GetProperty("mmrLambda").GetDouble(), info.GetProperty("effectiveStages").GetProperty("fusion").GetString(),
            info.GetProperty("effectiveStages").GetProperty("deduplicate").GetBoolean()));

        // The next search runs with them; a request's own switch still wins.
        var search = await RagApiHost.SearchAsync(client, "kb", new { query = "backups", trace = true });
        Assert.Equal(("mmr", "0.5"), (Setting(search, "hygiene"), Setting(search, "mmrLambda")));
        var overridden = await RagApiHost.SearchAsync(client, "kb", new { query = "backups", trace = true, stages = new { mmr = false } });
        Assert.Equal("dedup", Setting(overridden, "hygiene"));

        // Bad switches are 400 ProblemDetails naming the member and change nothing; a missing index is 404; a reader is refused.
        var bad = await client.PutAsJsonAsync("/v1/indexes/kb/stages", new { fusion = "best", mmrLambda = 2 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.True(problem.GetProperty("errors").TryGetProperty("stages.fusion", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("stages.mmrLambda", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/v1/indexes/none/stages", new { mmr = true })).StatusCode);
        var reader = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(client, "default", "reader"));
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync("/v1/indexes/kb/stages", new { mmr = false })).StatusCode);

        // The route is in OpenAPI.
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", RagApiHost.Json);
        Assert.True(openApi.GetProperty("paths").GetProperty("/v1/indexes/{index}/stages").TryGetProperty("put", out _));

        // The index's settings file keeps them: a restarted service has them; {} goes back to the service's settings.
        await host.DisposeAsync();
        await using var restarted = new RagApiHost(data.File("data"));
        var again = restarted.CreateClient();
        var reopened = await again.GetFromJsonAsync<JsonElement>("/v1/indexes/kb", RagApiHost.Json);
        Assert.Equal((true, "rrf"), (reopened.GetProperty("stages").GetProperty("mmr").GetBoolean(), reopened.GetProperty("stages").GetProperty("fusion").GetString()));
        var cleared = await (await again.PutAsJsonAsync("/v1/indexes/kb/stages", new { })).Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("stages").ValueKind);
        Assert.False(cleared.GetProperty("effectiveStages").GetProperty("mmr").GetBoolean());
        Assert.Equal("dedup", Setting(await RagApiHost.SearchAsync(again, "kb", new { query = "backups", trace = true }), "hygiene"));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_new_stage_switches()
    {
        using var data = new TempDirectory();
        await using var host = new RagApiHost(data.File("data"));
        var client = host.CreateClient();

        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", RagApiHost.Json);

        var stages = openApi.GetProperty("components").GetProperty("schemas").GetProperty("SearchStages").GetProperty("properties");
        var names = stages.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Superset(
            new HashSet<string> { "rewrite", "multiQuery", "decompose", "stepBack", "hyde", "dateHints", "dateHintMode", "llmRerank", "mmr", "mmrLambda" },
            names.ToHashSet());
    }

    private static List<JsonElement> Hits(JsonElement response) => response.GetProperty("hits").EnumerateArray().ToList();

    private static List<string?> Ids(JsonElement response) =>
        Hits(response).Select(h => h.GetProperty("chunk").GetProperty("chunkId").GetString()).ToList();

    private static string? Setting(JsonElement response, string name) =>
        response.GetProperty("trace").GetProperty("settings").GetProperty(name).GetString();

    private static int Rank(JsonElement step, string chunkId) => step.GetProperty("ranks").GetProperty(chunkId).GetInt32();

    private static JsonElement Step(JsonElement response, string stage) =>
        response.GetProperty("trace").GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == stage);
}
