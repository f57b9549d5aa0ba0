using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace RagService.Api.Tests;

/// <summary>The MCP server at /mcp, driven by the MCP C# SDK's client over streamable HTTP.</summary>
public sealed class McpServerTests
{
    [Fact]
    public async Task An_mcp_client_lists_searches_reads_and_asks()
    {
        await using var host = await FrontDoorHost.StartAsync();
        await using var mcp = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(host.Server.BaseAddress, "mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
        }, host.Http));

        var tools = await mcp.ListToolsAsync();
        Assert.Equal(["ask", "get_document_chunk", "list_indexes", "search"], tools.Select(t => t.Name).Order());

        var indexes = Json(await mcp.CallToolAsync("list_indexes", new Dictionary<string, object?>()));
        Assert.Equal("kb", indexes[0].GetProperty("name").GetString());
        Assert.Equal(3, indexes[0].GetProperty("documentCount").GetInt32());

        var hits = Json(await mcp.CallToolAsync("search", new Dictionary<string, object?> { ["index"] = "kb", ["query"] = "mileage rate for my own car", ["topK"] = 3 }));
        Assert.InRange(hits.GetArrayLength(), 1, 3);
        var top = hits[0];
        Assert.Equal("travel", top.GetProperty("citation").GetProperty("documentId").GetString());
        Assert.Equal(["Mileage"], top.GetProperty("citation").GetProperty("sectionPath").EnumerateArray().Select(s => s.GetString()));

        var chunk = Json(await mcp.CallToolAsync("get_document_chunk", new Dictionary<string, object?> { ["index"] = "kb", ["chunkId"] = top.GetProperty("chunkId").GetString() }));
        Assert.Contains("0.30 euros per kilometre", chunk.GetProperty("text").GetString(), StringComparison.Ordinal);

        var answer = Json(await mcp.CallToolAsync("ask", new Dictionary<string, object?> { ["index"] = "kb", ["question"] = "What is the mileage rate for using my own car?" }));
        Assert.False(answer.GetProperty("noAnswer").GetBoolean());
        Assert.Contains("0.30 euros", answer.GetProperty("answer").GetString(), StringComparison.Ordinal);
        Assert.Equal("travel", answer.GetProperty("citations")[0].GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task Bad_tool_arguments_are_tool_errors_that_say_what_to_fix()
    {
        await using var host = await FrontDoorHost.StartAsync();
        await using var mcp = await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(host.Server.BaseAddress, "mcp") }, host.Http));

        var unknown = await mcp.CallToolAsync("search", new Dictionary<string, object?> { ["index"] = "nope", ["query"] = "x" });
        var empty = await mcp.CallToolAsync("ask", new Dictionary<string, object?> { ["index"] = "kb", ["question"] = " " });
        var noChunk = await mcp.CallToolAsync("get_document_chunk", new Dictionary<string, object?> { ["index"] = "kb", ["chunkId"] = "missing" });

        Assert.True(unknown.IsError);
        Assert.Contains("no index 'nope'", Text(unknown), StringComparison.Ordinal);
        Assert.True(empty.IsError);
        Assert.Contains("'question'", Text(empty), StringComparison.Ordinal);
        Assert.True(noChunk.IsError);
        Assert.Contains("no chunk 'missing'", Text(noChunk), StringComparison.Ordinal);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    private static JsonElement Json(CallToolResult result)
    {
        Assert.NotEqual(true, result.IsError);
        return JsonDocument.Parse(Text(result)).RootElement.Clone();
    }
}
