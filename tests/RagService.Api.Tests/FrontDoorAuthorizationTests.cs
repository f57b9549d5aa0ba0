using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Security;

namespace RagService.Api.Tests;

/// <summary>
/// The front doors (conversations, OpenAI-compatible, MCP) sit under the reader policy, so that they take
/// the same keys and permissions as the REST routes once authentication (issue 11) makes the policy real.
/// </summary>
public sealed class FrontDoorAuthorizationTests
{
    [Fact]
    public void Every_front_door_route_requires_the_reader_policy()
    {
        using var data = new TempDirectory();
        using var host = new RagApiHost(data.Path);

        var routes = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } r && (r.Contains("/conversations", StringComparison.Ordinal) || r.StartsWith("/v1/chat", StringComparison.Ordinal)
                || r.StartsWith("/v1/models", StringComparison.Ordinal) || r.StartsWith("/mcp", StringComparison.Ordinal)))
            .ToList();

        Assert.True(routes.Count >= 7, string.Join(", ", routes.Select(r => r.RoutePattern.RawText)));
        Assert.All(routes, r => Assert.Contains(r.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy == RagPolicies.Reader));
    }
}
