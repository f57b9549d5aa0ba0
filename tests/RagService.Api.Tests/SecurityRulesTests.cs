using RagService.Api.Security;
using RagService.Core.Security;

namespace RagService.Api.Tests;

/// <summary>The small rules under the security routes: ACL entries, who an ACL admits, key ids, and which listen URLs are loopback.</summary>
public sealed class SecurityRulesTests
{
    [Theory]
    [InlineData("group:finance, user:alice", new[] { "group:finance", "user:alice" })]
    [InlineData("user:alice,group:finance,user:alice", new[] { "group:finance", "user:alice" })]
    [InlineData("tenant", new[] { "tenant" })]
    [InlineData("", new[] { "tenant" })]
    public void Acl_entries_are_parsed_sorted_and_deduplicated(string field, string[] expected)
    {
        Assert.True(AclPrincipals.TryParse([field], out var acl, out _));
        Assert.Equal(expected, acl);
    }

    [Theory]
    [InlineData("manager:bob")]
    [InlineData("user:")]
    [InlineData("everyone")]
    [InlineData("group:fin\u0001ance")]
    public void Malformed_acl_entries_are_refused_with_the_entry_named(string field)
    {
        Assert.False(AclPrincipals.TryParse([field], out _, out var error));
        Assert.Contains(field.Split(',')[0], error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_acl_admits_a_caller_holding_one_of_its_principals_and_an_admin_always()
    {
        var bob = new Caller("k1", "acme", "bob", ["sales"], RagRoles.Reader, false).Scope;
        var admin = new Caller("k2", "acme", null, [], RagRoles.Admin, false).Scope;

        Assert.True(AclPrincipals.Allows(bob, ["group:sales"]));
        Assert.True(AclPrincipals.Allows(bob, ["tenant"]));
        Assert.True(AclPrincipals.Allows(bob, ["user:bob", "group:finance"]));
        Assert.False(AclPrincipals.Allows(bob, ["group:finance", "user:alice"]));
        Assert.True(AclPrincipals.Allows(admin, ["group:finance"]));
        Assert.Equal("acme", admin.Tenant);
    }

    [Theory]
    [InlineData("rag_0a1b2c3d4e5f6071_secret-part_with_underscores", "0a1b2c3d4e5f6071")]
    [InlineData("rag_admin_abc", "admin")]
    [InlineData("a-configured-admin-key-of-any-shape", null)]
    [InlineData("rag__nothing", null)]
    public void A_key_names_its_id(string key, string? id) => Assert.Equal(id, ApiKeys.IdOf(key));

    [Fact]
    public void A_hash_matches_only_its_key()
    {
        var salt = ApiKeys.NewSalt();
        var key = ApiKeys.NewKey(ApiKeys.NewId());
        var hash = ApiKeys.Hash(key, salt);

        Assert.True(ApiKeys.Matches(key, salt, hash));
        Assert.False(ApiKeys.Matches(key + "x", salt, hash));
        Assert.False(ApiKeys.Matches(key, ApiKeys.NewSalt(), hash));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", true)]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://[::1]:8080", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://*:8080", false)]
    [InlineData("http://+:8080", false)]
    [InlineData("http://10.1.2.3:8080", false)]
    public void Only_loopback_addresses_count_as_loopback(string url, bool loopback) => Assert.Equal(loopback, ListenUrls.IsLoopback(url));
}
