using System.ComponentModel;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using RagService.Api.Contracts;
using RagService.Api.Querying;
using RagService.Api.Security;
using RagService.Core.Answers;
using RagService.Core.Search;
using RagService.Indexing;

namespace RagService.Api.Mcp;

/// <summary>
/// The service's tools for MCP clients (agents, IDEs): list the indexes, search one (chunks with their
/// citations), ask one (a cited answer), and read a chunk in full. They run the same code as the REST
/// routes; a bad argument is a tool error whose message says what to fix.
/// </summary>
[McpServerToolType]
public sealed class RagMcpTools(IndexRegistry registry, SearchService search, AskService asker, IHttpContextAccessor http)
{
    [McpServerTool(Name = "list_indexes", ReadOnly = true, Idempotent = true)]
    [Description("Lists the document indexes that can be searched or asked, with their document counts.")]
    public async Task<IReadOnlyList<McpIndex>> ListIndexes(CancellationToken cancellationToken)
    {
        var indexes = new List<McpIndex>();
        var tenant = Caller.Tenant;
        foreach (var name in registry.Names(tenant))
        {
            if (registry.Open(name, tenant) is { } store)
            {
                indexes.Add(new McpIndex(name, await store.Jobs.CountAsync(cancellationToken, AclPrincipals), store.Settings.EmbeddingModel));
            }
        }

        return indexes;
    }

    [McpServerTool(Name = "search", ReadOnly = true, Idempotent = true)]
    [Description("Hybrid (BM25 + dense) search of an index. Returns the best chunks, each with its text and a citation (document, file, section path, pages).")]
    public async Task<IReadOnlyList<McpSearchHit>> Search(
        [Description("The index name, from list_indexes.")] string index,
        [Description("What to look for, in natural language or keywords.")] string query,
        [Description("How many chunks to return, 1–50.")] int topK = 5,
        CancellationToken cancellationToken = default)
    {
        var store = Open(index);
        var request = Request(query, topK, "query") with { Scope = Caller.Scope };
        var response = await search.SearchAsync(store, request, cancellationToken);
        return response.Hits.Select((h, i) => new McpSearchHit(i + 1, h.Score, h.Chunk.Id, h.Chunk.Text, Citation.FromHit(i + 1, h, Snippet(h.Chunk.Text)))).ToList();
    }

    [McpServerTool(Name = "ask", ReadOnly = true)]
    [Description("Answers a question from an index. The answer marks every claim with [n]; citations[n] names the chunk, document, section and pages it comes from. noAnswer is true when the documents do not answer.")]
    public async Task<McpAnswer> Ask(
        [Description("The index name, from list_indexes.")] string index,
        [Description("The question, standalone (include the subject of earlier questions).")] string question,
        CancellationToken cancellationToken = default)
    {
        var store = Open(index);
        var retrieved = await asker.RetrieveAsync(store, Request(question, 8, "question"), Caller.Scope, null, null, cancellationToken);
        var answer = await asker.AnswerAsync(retrieved, cancellationToken);
        return new McpAnswer(answer.Text, answer.NoAnswer, answer.Citations, answer.GeneratedBy);
    }

    [McpServerTool(Name = "get_document_chunk", ReadOnly = true, Idempotent = true)]
    [Description("Reads one chunk in full by its id (from search or from an answer's citations), with its document, section path, pages and neighbouring chunk ids.")]
    public async Task<ChunkDto> GetDocumentChunk(
        [Description("The index name.")] string index,
        [Description("The chunk id (chunkId of a search hit or citation).")] string chunkId,
        CancellationToken cancellationToken = default)
    {
        var store = Open(index);
        // A chunk of a document the caller may not open is "not there", exactly like one that does not exist.
        var chunk = (await store.Chunks.GetChunksByIdsAsync([chunkId], cancellationToken)).FirstOrDefault();
        if (chunk is null || await store.Jobs.GetAsync(chunk.DocumentId, cancellationToken) is not { } status || !RagService.Core.Security.AclPrincipals.Allows(Caller.Scope, status.Acl))
        {
            throw new McpException($"Index '{index}' has no chunk '{chunkId}'.");
        }

        return ChunkMapping.ToDto(chunk);
    }

    private static string Snippet(string text) => text.Length > 300 ? text[..300] + " …" : text;

    /// <summary>The MCP request's caller (the /mcp endpoint runs under the same authentication as the REST routes).</summary>
    private Caller Caller => http.HttpContext?.GetCaller() ?? throw new McpException("No caller: MCP tools run only inside an HTTP request.");

    private IReadOnlySet<string>? AclPrincipals => Caller.Scope is { SeesAll: false } scope ? scope.Principals : null;

    private IndexStore Open(string index) =>
        registry.Open(index, Caller.Tenant) ?? throw new McpException($"There is no index '{index}'; list_indexes names the indexes.");

    private static SearchRequest Request(string text, int topK, string field)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 4000)
        {
            throw new McpException($"'{field}' must have 1 to 4000 characters.");
        }

        if (topK is < 1 or > 50)
        {
            throw new McpException("topK must be between 1 and 50.");
        }

        return new SearchRequest { Query = text.Trim(), TopK = topK };
    }
}

public sealed record McpIndex(string Name, int DocumentCount, string EmbeddingModel);

/// <param name="Citation">Where the chunk is: its document, file, title, section path and pages.</param>
public sealed record McpSearchHit(int Rank, float Score, string ChunkId, string Text, Citation Citation);

public sealed record McpAnswer(string Answer, bool NoAnswer, IReadOnlyList<Citation> Citations, string GeneratedBy);
