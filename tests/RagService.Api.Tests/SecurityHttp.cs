using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests;

/// <summary>The calls the security tests make as one caller or another: tenants, keys, and reading a response whole.</summary>
internal static class SecurityHttp
{
    public static async Task CreateTenantAsync(HttpClient systemAdmin, string tenant) =>
        (await systemAdmin.PutAsync($"/v1/tenants/{tenant}", null)).EnsureSuccessStatusCode();

    /// <summary>Creates a key and returns it (the only time it is shown).</summary>
    public static async Task<string> CreateKeyAsync(HttpClient admin, string tenant, string role, string? user = null, string[]? groups = null)
    {
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = $"{tenant}-{role}-{user}", tenant, role, user, groups });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(RagApiHost.Json)).GetProperty("key").GetString()!;
    }

    public static async Task<(int Status, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static string Markdown(string title, string body) => $"# {title}\n\n{body}\n";
}
