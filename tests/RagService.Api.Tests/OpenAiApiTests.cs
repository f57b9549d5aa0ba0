using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;
using RagService.TestSupport;

namespace RagService.Api.Tests;

/// <summary>The OpenAI-compatible front door, driven by the official OpenAI .NET SDK over real HTTP.</summary>
public sealed class OpenAiApiTests
{
    [Fact]
    public async Task The_sdk_chats_with_an_index_and_gets_markers_and_citations()
    {
        await using var host = await FrontDoorHost.StartAsync();
        var chat = Chat(host, "rag:kb");

        var result = await chat.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("What is the daily meal allowance for interns?")]);

        var text = Assert.Single(result.Value.Content).Text;
        Assert.Contains("Interns receive a daily meal allowance of 40 euros", text, StringComparison.Ordinal);
        Assert.Contains("[1]", text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        Assert.Equal("rag:kb", result.Value.Model);
        var raw = JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement;
        var citation = raw.GetProperty("citations")[0];
        Assert.Equal(1, citation.GetProperty("marker").GetInt32());
        Assert.Equal("travel", citation.GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task The_whole_message_history_is_the_conversation()
    {
        await using var host = await FrontDoorHost.StartAsync();
        var chat = Chat(host, "rag:kb");

        var result = await chat.CompleteChatAsync(
        [
            new UserChatMessage("How many days of annual leave do employees get?"),
            new AssistantChatMessage("Employees receive twenty-five days of annual leave a year. [1]"),
            new UserChatMessage("And for interns?"),
        ]);

        Assert.Contains("Interns receive twelve days of annual leave", result.Value.Content[0].Text, StringComparison.Ordinal);
        var raw = JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement;
        Assert.Equal("How many days of annual leave do employees get — for interns?", raw.GetProperty("rag").GetProperty("rewritten_question").GetString());
    }

    [Fact]
    public async Task The_sdk_streams_llm_tokens_with_usage_and_the_last_chunk_carries_the_citations()
    {
        const string sentence = "Using your own car for business trips is reimbursed at 0.30 euros per kilometre";
        using var llm = new FakeOpenAiServer((_, user) => $"{sentence} [{FrontDoorHost.SourceNumber(user, sentence)}].");
        await using var host = await FrontDoorHost.StartAsync(llm.Endpoint);
        var chat = Chat(host, "rag:kb");

        var pieces = new List<string>();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("What is the mileage rate for my own car?")]))
        {
            pieces.AddRange(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
        }

        Assert.True(pieces.Count >= 10, $"expected token-sized pieces, got {pieces.Count}");
        Assert.StartsWith(sentence + " [", string.Concat(pieces), StringComparison.Ordinal);
        Assert.NotNull(usage);
        Assert.Equal(FakeOpenAiServer.PromptTokens, usage.InputTokenCount);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "rag:kb", stream = true, messages = new[] { new { role = "user", content = "What is the mileage rate for my own car?" } } }),
        };
        using var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var data = new List<string>();
        await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync()).EnumerateAsync())
        {
            data.Add(item.Data);
        }

        Assert.Equal("[DONE]", data[^1]);
        var last = JsonDocument.Parse(data[^2]).RootElement;
        Assert.Equal("stop", last.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("travel", last.GetProperty("citations")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task Models_are_the_indexes()
    {
        await using var host = await FrontDoorHost.StartAsync();
        var models = new OpenAIModelClient(new ApiKeyCredential(host.AdminKey), Options(host));

        var list = await models.GetModelsAsync();

        Assert.Equal(["rag:kb"], list.Value.Select(m => m.Id));
        Assert.Equal("ragservice", list.Value[0].OwnedBy);
    }

    [Fact]
    public async Task Bad_requests_get_openai_shaped_errors()
    {
        await using var host = await FrontDoorHost.StartAsync();

        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => Chat(host, "gpt-4o").CompleteChatAsync([new UserChatMessage("hi")]));
        var noUser = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "rag:kb", messages = new[] { new { role = "system", content = "You are helpful." } } });
        var emptyUser = await host.Http.PostAsJsonAsync("/v1/chat/completions", new { model = "rag:kb", messages = new[] { new { role = "user", content = " " } } });

        Assert.Equal(404, unknown.Status);
        var unknownError = JsonDocument.Parse(unknown.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("model_not_found", unknownError.GetProperty("code").GetString());
        Assert.Equal("model", unknownError.GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, noUser.StatusCode);
        var noUserError = (await noUser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", noUserError.GetProperty("type").GetString());
        Assert.Equal("messages", noUserError.GetProperty("param").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, emptyUser.StatusCode);
        Assert.Equal("messages[0].content", (await emptyUser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("{\"model\": \"rag:kb\", \"messages\": [", "application/json", 400, "invalid_json")]
    [InlineData("{\"model\": \"rag:kb\", \"messages\": \"hello\"}", "application/json", 400, "invalid_json")]
    [InlineData("null", "application/json", 400, "invalid_json")]
    public async Task A_malformed_body_gets_an_openai_shaped_error_not_problem_details(string body, string contentType, int status, string code)
    {
        await using var host = await FrontDoorHost.StartAsync();

        using var content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        var response = await host.Http.PostAsync("/v1/chat/completions", content);

        Assert.Equal(status, (int)response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    private static ChatClient Chat(FrontDoorHost host, string model) => new(model, new ApiKeyCredential(host.AdminKey), Options(host));

    private static OpenAIClientOptions Options(FrontDoorHost host) => new() { Endpoint = new Uri(host.Server.BaseAddress, "v1") };
}
