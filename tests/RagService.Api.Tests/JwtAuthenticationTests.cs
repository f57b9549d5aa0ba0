using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RagService.Api.Tests;

/// <summary>
/// Tokens from an identity provider, through the real JWT bearer middleware: the tests sign them with their own
/// RSA key (configured as the provider's public key). A good token acts with the tenant, user, groups and role of
/// its claims; expired, wrong-audience, wrongly signed and tenant-less tokens are refused with 401.
/// </summary>
public sealed class JwtAuthenticationTests : IDisposable
{
    private const string Issuer = "https://idp.example.test/realms/rag";
    private const string Audience = "rag-api";
    private readonly TempDirectory _dir = new();
    private readonly RSA _idpKey = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);

    [Fact]
    public async Task A_valid_token_acts_with_its_claims_and_bad_tokens_are_refused()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?>
        {
            ["Rag:Auth:Mode"] = "apikey+jwt",
            ["Rag:Auth:Jwt:Issuer"] = Issuer,
            ["Rag:Auth:Jwt:Audience"] = Audience,
            ["Rag:Auth:Jwt:SigningKeys:0"] = _idpKey.ExportSubjectPublicKeyInfoPem(),
            ["Rag:Auth:Jwt:TenantClaim"] = "org",
            ["Rag:Auth:Jwt:RoleClaim"] = "rag_role",
        });
        await host.CreateIndexAsync(host.CreateClient(), "kb");

        var reader = WithToken(host, Token(_idpKey, Audience, DateTime.UtcNow.AddHours(1), ("org", "default"), ("sub", "alice"), ("groups", "finance")));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/indexes/kb")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync("/v1/indexes/other", new { })).StatusCode);
        var admin = WithToken(host, Token(_idpKey, Audience, DateTime.UtcNow.AddHours(1), ("org", "default"), ("sub", "root"), ("rag_role", "admin")));
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsJsonAsync("/v1/indexes/other", new { })).StatusCode);
        // A tenant the index does not belong to: not found, never forbidden.
        var stranger = WithToken(host, Token(_idpKey, Audience, DateTime.UtcNow.AddHours(1), ("org", "globex"), ("rag_role", "admin")));
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync("/v1/indexes/kb")).StatusCode);

        var refused = new Dictionary<string, string>
        {
            ["expired"] = Token(_idpKey, Audience, DateTime.UtcNow.AddHours(-1), ("org", "default")),
            ["wrong audience"] = Token(_idpKey, "someone-else", DateTime.UtcNow.AddHours(1), ("org", "default")),
            ["wrong signature"] = Token(_otherKey, Audience, DateTime.UtcNow.AddHours(1), ("org", "default")),
            ["no tenant"] = Token(_idpKey, Audience, DateTime.UtcNow.AddHours(1), ("sub", "alice")),
        };
        foreach (var (name, token) in refused)
        {
            var response = await WithToken(host, token).GetAsync("/v1/indexes");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name}: {response.StatusCode}");
            Assert.Equal(401, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
            Assert.NotEmpty(response.Headers.WwwAuthenticate);
        }
    }

    private static HttpClient WithToken(RagApiHost host, string token)
    {
        var client = host.ClientWithKey(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string Token(RSA key, string audience, DateTime expires, params (string Type, string Value)[] claims) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            IssuedAt = expires.AddHours(-2),
            NotBefore = expires.AddHours(-2),
            Expires = expires,
            Subject = new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value))),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256),
        });

    public void Dispose()
    {
        _idpKey.Dispose();
        _otherKey.Dispose();
        _dir.Dispose();
    }
}
