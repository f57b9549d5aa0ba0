using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>The OpenAPI document is the API's reference: every operation says what it does.</summary>
public sealed class OpenApiSummaryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Every_operation_has_a_summary()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        var client = host.CreateClient();
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", RagApiHost.Json);

        var missing = openApi.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Where(op => op.Value.ValueKind == JsonValueKind.Object).Select(op => (Route: $"{op.Name.ToUpperInvariant()} {path.Name}", Operation: op.Value)))
            .Where(o => !o.Operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            .Select(o => o.Route)
            .ToList();

        Assert.Empty(missing);
    }

    public void Dispose() => _dir.Dispose();
}
