using RagService.Api.Security;

namespace RagService.Api.Mcp;

/// <summary>The Model Context Protocol server at <c>/mcp</c> (streamable HTTP), under the reader policy like the REST routes.</summary>
public static class McpEndpoints
{
    public const string Path = "/mcp";

    public static IServiceCollection AddRagMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "ragservice", Version = "1.0.0" })
            .WithHttpTransport()
            .WithTools<RagMcpTools>();
        return services;
    }

    public static WebApplication MapRagMcp(this WebApplication app)
    {
        app.MapMcp(Path)
            .RequireAuthorization(RagPolicies.Reader)
            .WithTags("MCP")
            .WithSummary("Model Context Protocol (streamable HTTP): tools list_indexes, search, ask, get_document_chunk");
        return app;
    }
}
