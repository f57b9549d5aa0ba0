using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace RagService.Api.Tests;

/// <summary>
/// <c>GET /v1/auth/dashboard</c>: anonymous, says which credentials the service takes and, with a dashboard client
/// configured, the identity provider's public client id, scopes and endpoints from its discovery document (never a
/// secret); the dashboard's CSP lets the page reach the provider. A token the provider issues through the code flow
/// with PKCE (run here by HttpClient against <see cref="TestIdentityProvider"/>) is a caller of <c>GET /v1/me</c>.
/// </summary>
public sealed class DashboardSignInApiTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task With_keys_only_the_route_says_so_anonymously_and_the_csp_allows_only_the_service()
    {
        await using var host = new RagApiHost(_dir.File("data"));
        using var anonymous = host.ClientWithKey(null);

        var response = await anonymous.GetAsync("/v1/auth/dashboard");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var info = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(info.GetProperty("apiKeys").GetBoolean());
        Assert.False(info.GetProperty("tokens").GetBoolean());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("identityProvider").ValueKind);

        var shell = await anonymous.GetAsync("/admin/");
        Assert.Contains("connect-src 'self';", shell.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var openApi = await host.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", RagApiHost.Json);
        var operation = openApi.GetProperty("paths").GetProperty("/v1/auth/dashboard").GetProperty("get");
        Assert.Contains("dashboard signs in", operation.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.True(openApi.GetProperty("components").GetProperty("schemas").TryGetProperty("DashboardIdentityProvider", out _));
    }

    [Fact]
    public async Task With_a_provider_the_route_gives_its_public_client_and_endpoints_and_its_token_is_a_caller()
    {
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var host = new RagApiHost(_dir.File("data"), ProviderSettings(idp.Authority));
        using var anonymous = host.ClientWithKey(null);

        var response = await anonymous.GetAsync("/v1/auth/dashboard");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var info = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.True(info.GetProperty("apiKeys").GetBoolean());
        Assert.True(info.GetProperty("tokens").GetBoolean());
        var provider = info.GetProperty("identityProvider");
        Assert.Equal("Test IdP", provider.GetProperty("name").GetString());
        Assert.Equal(TestIdentityProvider.ClientId, provider.GetProperty("clientId").GetString());
        Assert.Equal("openid profile", provider.GetProperty("scopes").GetString());
        Assert.Equal(idp.Authority, provider.GetProperty("issuer").GetString());
        Assert.Equal($"{idp.Authority}/authorize", provider.GetProperty("authorizationEndpoint").GetString());
        Assert.Equal($"{idp.Authority}/token", provider.GetProperty("tokenEndpoint").GetString());
        // Nothing secret: not the admin key, not the audience's signing material, no client secret of any kind.
        Assert.DoesNotContain(RagApiHost.AdminKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("BEGIN", text, StringComparison.Ordinal);

        // The page exchanges its code at the provider's token endpoint: the shell's CSP allows that origin, and no other.
        var csp = (await anonymous.GetAsync("/admin/")).Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains($"connect-src 'self' {idp.Authority};", csp, StringComparison.Ordinal);

        // The code flow with PKCE, as the page runs it; the access token is then a reader of this service.
        idp.AllowRedirect(new Uri("http://127.0.0.1/admin/"));
        idp.SignInAs(("sub", "alice"), ("tenant", "default"), ("groups", "finance"));
        var token = await CodeFlowAsync(idp, "http://127.0.0.1/admin/", verifierMatches: true);
        using var withToken = host.ClientWithKey(null);
        withToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var me = await withToken.GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal("reader", me.GetProperty("role").GetString());
        Assert.Equal("default", me.GetProperty("tenant").GetString());
        Assert.Equal("alice", me.GetProperty("user").GetString());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("keyId").ValueKind);
        Assert.Equal(HttpStatusCode.Forbidden, (await withToken.GetAsync("/v1/keys")).StatusCode);

        // The fixture's token endpoint refuses a verifier that does not match the challenge (what PKCE is for).
        Assert.Null(await CodeFlowAsync(idp, "http://127.0.0.1/admin/", verifierMatches: false));
        Assert.Equal(["issued", "invalid_grant: PKCE verification failed"], idp.TokenRequests);
    }

    [Fact]
    public async Task A_provider_whose_discovery_cannot_be_read_is_reported_and_keys_still_work()
    {
        int closedPort;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var host = new RagApiHost(_dir.File("data"), ProviderSettings($"http://127.0.0.1:{closedPort}"));
        var info = await host.ClientWithKey(null).GetFromJsonAsync<JsonElement>("/v1/auth/dashboard");
        Assert.Equal(JsonValueKind.Null, info.GetProperty("identityProvider").ValueKind);
        Assert.Contains("discovery document could not be read", info.GetProperty("identityProviderError").GetString(), StringComparison.Ordinal);
        Assert.True(info.GetProperty("apiKeys").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await host.CreateClient().GetAsync("/v1/me")).StatusCode);
    }

    internal static Dictionary<string, string?> ProviderSettings(string authority) => new()
    {
        ["Rag:Auth:Mode"] = "apikey+jwt",
        ["Rag:Auth:Jwt:Authority"] = authority,
        ["Rag:Auth:Jwt:Audience"] = TestIdentityProvider.Audience,
        ["Rag:Auth:Jwt:RequireHttpsMetadata"] = "false",
        ["Rag:Auth:Jwt:Dashboard:ClientId"] = TestIdentityProvider.ClientId,
        ["Rag:Auth:Jwt:Dashboard:Name"] = "Test IdP",
    };

    /// <summary>Authorize (the provider approves at once and redirects with a code) and exchange the code; null when refused.</summary>
    private static async Task<string?> CodeFlowAsync(TestIdentityProvider idp, string redirectUri, bool verifierMatches)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = await http.GetAsync($"{idp.Authority}/authorize?response_type=code&client_id={TestIdentityProvider.ClientId}" +
            $"&redirect_uri={Uri.EscapeDataString(redirectUri)}&scope=openid&state=s1&nonce=n1&code_challenge={challenge}&code_challenge_method=S256");
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Headers.Location!.Query);
        Assert.Equal("s1", query["state"]);
        var exchange = await http.PostAsync($"{idp.Authority}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = query["code"]!,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = TestIdentityProvider.ClientId,
            ["code_verifier"] = verifierMatches ? verifier : Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32)),
        }));
        return exchange.IsSuccessStatusCode ? (await exchange.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString() : null;
    }

    public void Dispose() => _dir.Dispose();
}
