using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using RagService.Core.Search;

namespace RagService.Evaluation.Retrieval;

/// <summary>One hit as an evaluation needs it: the document it belongs to and the scores that explain its rank.</summary>
public sealed record EvalHit(string DocumentId, float FusedScore, int? Bm25Rank, int? DenseRank, IReadOnlyDictionary<string, float>? StageScores);

/// <summary>The hits of one query, best first, and the trace when it was asked for.</summary>
public sealed record EvalSearchResult(IReadOnlyList<EvalHit> Hits, SearchTrace? Trace);

/// <summary>What the service says about an index (<c>GET /v1/indexes/{index}</c>).</summary>
public sealed record RemoteIndexInfo(string Name, string EmbeddingModel, int ChunkMaxTokens, bool ContextualHeader, int DocumentCount, long VectorCount, long SizeOnDiskBytes);

/// <summary>
/// A client of the REST search endpoint (<c>POST /v1/indexes/{index}/search</c>), used by
/// <c>rag eval --url</c> and <c>--http</c> so that quality and latency are measured through the API
/// exactly as a caller sees it: JSON over HTTP, the service's own configuration. It reads only the
/// members an evaluation needs and ignores the rest of the response.
/// </summary>
public sealed class SearchApiClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The index's description, or null when the service has no such index.</summary>
    public async Task<RemoteIndexInfo?> GetIndexAsync(string index, CancellationToken ct)
    {
        using var response = await http.GetAsync(new Uri($"v1/indexes/{Uri.EscapeDataString(index)}", UriKind.Relative), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<RemoteIndexInfo>(Json, ct).ConfigureAwait(false);
    }

    public async Task<EvalSearchResult> SearchAsync(string index, string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct)
    {
        var request = new WireRequest(query, topK, mode.ToString().ToLowerInvariant(), trace, stages);
        using var response = await http.PostAsJsonAsync(new Uri($"v1/indexes/{Uri.EscapeDataString(index)}/search", UriKind.Relative), request, Json, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<WireResponse>(Json, ct).ConfigureAwait(false)
            ?? throw new HttpRequestException("The search endpoint returned an empty body.");
        return new EvalSearchResult(
            body.Hits.Select(h => new EvalHit(h.Chunk.DocumentId, h.Scores.Fused, h.Scores.Bm25Rank, h.Scores.DenseRank, h.Scores.Stages)).ToList(),
            body.Trace);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri}: {detail}", null, response.StatusCode);
        }
    }

    private sealed record WireRequest(string Query, int TopK, string Mode, bool Trace, SearchStages? Stages);

    private sealed record WireResponse(IReadOnlyList<WireHit> Hits, SearchTrace? Trace);

    private sealed record WireHit(WireChunk Chunk, WireScores Scores);

    private sealed record WireChunk(string DocumentId);

    private sealed record WireScores(int? Bm25Rank, int? DenseRank, float Fused, IReadOnlyDictionary<string, float>? Stages);
}
