using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Api.Conversations;
using RagService.Core.Answers;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>Conversations over real HTTP: follow-ups rewritten before retrieval, history with citations, ownership, expiry.</summary>
public sealed class ConversationsTests
{
    [Fact]
    public async Task A_follow_up_is_rewritten_by_rules_and_answered_from_the_right_section()
    {
        await using var host = await FrontDoorHost.StartAsync();
        var id = await CreateAsync(host.Http);

        var first = await MessageAsync(host.Http, id, new { question = "How many days of annual leave do employees get?" });
        var second = await MessageAsync(host.Http, id, new { question = "And for interns?", trace = true });

        Assert.Equal(JsonValueKind.Null, first.GetProperty("turn").GetProperty("rewrittenQuestion").ValueKind);
        var turn = second.GetProperty("turn");
        Assert.Equal(2, turn.GetProperty("turn").GetInt32());
        Assert.Equal("How many days of annual leave do employees get — for interns?", turn.GetProperty("rewrittenQuestion").GetString());
        Assert.Equal("rules", turn.GetProperty("rewriteMethod").GetString());
        Assert.Contains("Interns receive twelve days", turn.GetProperty("answer").GetString(), StringComparison.Ordinal);
        var step = second.GetProperty("trace").GetProperty("steps")[0];
        Assert.Equal("follow-up-rewrite", step.GetProperty("stage").GetString());
        Assert.Contains("→ \"How many days of annual leave do employees get — for interns?\"", step.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var history = await host.Http.GetFromJsonAsync<JsonElement>($"/v1/indexes/kb/conversations/{id}", RagApiHost.Json);
        var turns = history.GetProperty("turns").EnumerateArray().ToList();
        Assert.Equal(["How many days of annual leave do employees get?", "And for interns?"], turns.Select(t => t.GetProperty("question").GetString()));
        Assert.All(turns, t => Assert.Equal("leave", t.GetProperty("citations")[0].GetProperty("documentId").GetString()));
    }

    [Fact]
    public async Task A_chinese_pronoun_follow_up_streams_and_is_stored()
    {
        await using var host = await FrontDoorHost.StartAsync();
        var id = await CreateAsync(host.Http);
        await MessageAsync(host.Http, id, new { question = "年假有多少天？" });

        var events = await AskStreamingTests.StreamAskAsync(host.Http, new { question = "那这个怎么申请？", stream = true }, $"/v1/indexes/kb/conversations/{id}/messages");

        Assert.Equal("年假怎么申请？", events[0].Data.GetProperty("rewrittenQuestion").GetString());
        var done = events[^1].Data;
        Assert.Contains("人事系统", done.GetProperty("answer").GetString(), StringComparison.Ordinal);
        var history = await host.Http.GetFromJsonAsync<JsonElement>($"/v1/indexes/kb/conversations/{id}", RagApiHost.Json);
        var stored = history.GetProperty("turns")[1];
        Assert.Equal(done.GetProperty("answer").GetString(), stored.GetProperty("answer").GetString());
        Assert.Equal("nianjia", stored.GetProperty("citations")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task With_an_llm_the_llm_rewrites_the_follow_up()
    {
        using var llm = new FakeOpenAiServer((system, user) => system.StartsWith("You rewrite the last question", StringComparison.Ordinal)
            ? "How do I apply for parental leave?"
            : $"Apply for parental leave through the HR portal [{FrontDoorHost.SourceNumber(user, "HR portal")}].");
        await using var host = await FrontDoorHost.StartAsync(llm.Endpoint);
        var id = await CreateAsync(host.Http);
        await MessageAsync(host.Http, id, new { question = "How long does parental leave last?" });

        var second = await MessageAsync(host.Http, id, new { question = "How do I apply for it?", trace = true });

        Assert.Equal("How do I apply for parental leave?", second.GetProperty("turn").GetProperty("rewrittenQuestion").GetString());
        Assert.Equal("llm:fake-model", second.GetProperty("turn").GetProperty("rewriteMethod").GetString());
        var rewriteRequest = Assert.Single(llm.Requests, r => r.System.StartsWith("You rewrite the last question", StringComparison.Ordinal));
        Assert.Contains("User: How long does parental leave last?", rewriteRequest.User, StringComparison.Ordinal);
        Assert.Equal("leave", second.GetProperty("turn").GetProperty("citations")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task Bad_conversation_requests_are_clear_problems()
    {
        await using var host = await FrontDoorHost.StartAsync();
        var id = await CreateAsync(host.Http);

        var unknown = await host.Http.PostAsJsonAsync("/v1/indexes/kb/conversations/0123456789abcdef/messages", new { question = "x" });
        var empty = await host.Http.PostAsJsonAsync($"/v1/indexes/kb/conversations/{id}/messages", new { question = "  " });
        var wrongIndex = await host.Http.GetAsync($"/v1/indexes/other/conversations/{id}");
        var noIndex = await host.Http.PostAsJsonAsync("/v1/indexes/other/conversations", new { });

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("Conversation not found", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.True((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("question", out _));
        Assert.Equal(HttpStatusCode.NotFound, wrongIndex.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noIndex.StatusCode);
    }

    [Fact]
    public async Task Another_callers_conversation_is_not_found_and_a_conversation_survives_a_restart()
    {
        using var dir = new TempDirectory();
        string id;
        await using (var host = new RagApiHost(dir.Path))
        {
            var admin = host.CreateClient();
            await host.CreateIndexAsync(admin, "kb");
            using var alice = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader", "alice"));
            using var bob = host.ClientWithKey(await SecurityHttp.CreateKeyAsync(admin, "default", "reader", "bob"));
            id = await CreateAsync(alice);

            Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/v1/indexes/kb/conversations/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await bob.PostAsJsonAsync($"/v1/indexes/kb/conversations/{id}/messages", new { question = "x" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await bob.DeleteAsync($"/v1/indexes/kb/conversations/{id}")).StatusCode);
        }

        // A conversation belongs to its user, not to one key: after a restart, alice's new key opens it.
        await using (var restarted = new RagApiHost(dir.Path))
        {
            using var alice = restarted.ClientWithKey(await SecurityHttp.CreateKeyAsync(restarted.CreateClient(), "default", "reader", "alice"));
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/v1/indexes/kb/conversations/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await alice.DeleteAsync($"/v1/indexes/kb/conversations/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/v1/indexes/kb/conversations/{id}")).StatusCode);
        }
    }

    [Fact]
    public void A_conversation_expires_its_time_to_live_after_the_last_message()
    {
        using var dir = new TempDirectory();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
        var store = new ConversationStore(dir.File("conversations.db"), TimeSpan.FromHours(1), clock);
        var owner = new ConversationOwner("t1", "user:alice");
        var conversation = store.Create("kb", owner);

        clock.Now += TimeSpan.FromMinutes(50);
        var appendedAt = clock.Now;
        var expires = store.Append(conversation.Id, new StoredTurn(1, "q", "q", "none", "a", false, [], "extractive", clock.Now));
        clock.Now += TimeSpan.FromMinutes(50);
        var alive = store.Get(conversation.Id, owner);
        clock.Now += TimeSpan.FromMinutes(11);

        Assert.Equal(appendedAt + TimeSpan.FromHours(1), expires);
        Assert.NotNull(alive);
        Assert.Single(alive.Turns);
        Assert.Null(store.Get(conversation.Id, owner));
        Assert.Null(store.Get(conversation.Id, owner with { Tenant = "t2" }));
    }

    internal static async Task<string> CreateAsync(HttpClient http)
    {
        var response = await http.PostAsJsonAsync("/v1/indexes/kb/conversations", new { });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
        Assert.Empty(created.GetProperty("turns").EnumerateArray());
        return created.GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> MessageAsync(HttpClient http, string id, object request)
    {
        var response = await http.PostAsJsonAsync($"/v1/indexes/kb/conversations/{id}/messages", request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
