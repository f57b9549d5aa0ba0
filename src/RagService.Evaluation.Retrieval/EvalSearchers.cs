using RagService.Core.Search;

namespace RagService.Evaluation.Retrieval;

/// <summary>How an evaluation sends its queries: in process, or over HTTP to the REST search endpoint.</summary>
public interface IEvalSearcher
{
    /// <summary>For the report: "in-process SearchService" or "HTTP POST {url}v1/indexes/{index}/search".</summary>
    string Transport { get; }

    Task<EvalSearchResult> SearchAsync(string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct);
}

/// <summary><c>POST /v1/indexes/{index}/search</c> of a running service, as any client calls it.</summary>
public sealed class HttpSearcher(SearchApiClient client, string index, string baseUrl) : IEvalSearcher
{
    public string Transport => $"HTTP POST {baseUrl.TrimEnd('/')}/v1/indexes/{index}/search";

    public Task<EvalSearchResult> SearchAsync(string query, int topK, SearchMode mode, SearchStages? stages, bool trace, CancellationToken ct) =>
        client.SearchAsync(index, query, topK, mode, stages, trace, ct);
}
