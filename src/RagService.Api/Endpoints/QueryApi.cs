using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Hosting;
using RagService.Api.LoadShedding;
using RagService.Api.Querying;
using RagService.Core.Answers;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Api.Security;
using RagService.Indexing;
using RagService.Retrieval.Context;

namespace RagService.Api.Endpoints;

/// <summary>Search and ask: <c>/v1/indexes/{index}/search</c> and <c>/ask</c>.</summary>
public static class QueryApi
{
    public static RouteGroupBuilder MapQueryApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/indexes/{index}").WithTags("Query").RequireAuthorization(RagPolicies.Reader);
        group.MapPost("/search", Search).WithSummary("Hybrid, BM25 or dense search with a per-stage score breakdown")
            .RequireRateLimiting(LoadSheddingExtensions.SearchPolicy);
        group.MapPost("/ask", Ask).WithSummary("Answer a question from the index, every claim cited [n]; with \"stream\": true as text/event-stream")
            .RequireRateLimiting(LoadSheddingExtensions.AskPolicy);
        return v1;
    }

    internal static async Task<Results<Ok<SearchResponseDto>, NotFound<ProblemDetails>, ValidationProblem>> Search(
        string index,
        SearchRequestDto request,
        HttpContext http,
        IndexRegistry registry,
        SearchService search,
        IOptions<RagOptions> options,
        CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (!TryBuild(request.Query, request.TopK, 1000, request.Mode, request.Filter, request.Trace, "query", options.Value.Limits.MaxQueryChars, out var searchRequest, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (ValidateStages(request.Stages, errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        searchRequest = searchRequest with { Stages = request.Stages, Scope = http.GetAccessScope() };

        var clock = Stopwatch.StartNew();
        var response = await search.SearchAsync(store, searchRequest, ct);
        return TypedResults.Ok(new SearchResponseDto(
            searchRequest.Query,
            searchRequest.Mode.ToString().ToLowerInvariant(),
            ToDtos(response.Hits),
            response.Trace,
            clock.Elapsed.TotalMilliseconds));
    }

    internal static async Task<Results<Ok<AskResponseDto>, ServerSentEventsResult<object>, NotFound<ProblemDetails>, ValidationProblem>> Ask(
        string index,
        AskRequestDto request,
        HttpContext http,
        IndexRegistry registry,
        AskService asker,
        IOptions<AnswerContextOptions> contextOptions,
        IOptions<RagOptions> options,
        CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (!TryBuild(request.Question, request.TopK, 50, request.Mode, request.Filter, request.Trace, "question", options.Value.Limits.MaxQueryChars, out var searchRequest, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!TryContext(request, contextOptions.Value, out var expansion, out var contextTokens, out var contextErrors))
        {
            return TypedResults.ValidationProblem(contextErrors);
        }

        if (ValidateStages(request.Stages, errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (request.Stages is not null || request.Rewrite is not null)
        {
            searchRequest = searchRequest with { Stages = (request.Stages ?? new SearchStages()) with { Rewrite = request.Rewrite ?? request.Stages?.Rewrite } };
        }

        var retrieved = await asker.RetrieveAsync(store, searchRequest, http.GetAccessScope(), expansion, contextTokens, ct);
        if (request.Stream)
        {
            var sources = new AskSourcesEvent(searchRequest.Query, null, ToDtos(retrieved.Hits), retrieved.Trace);
            return TypedResults.ServerSentEvents(AskEvents.StreamAsync(sources, retrieved, asker.StreamAsync(retrieved, ct), null, ct));
        }

        var clock = Stopwatch.StartNew();
        var answer = await asker.AnswerAsync(retrieved, ct);
        return TypedResults.Ok(new AskResponseDto(
            searchRequest.Query,
            answer.Text,
            answer.NoAnswer,
            answer.Citations,
            answer.GeneratedBy,
            request.Trace ? ToDtos(retrieved.Hits) : null,
            retrieved.RetrievalMs + clock.Elapsed.TotalMilliseconds)
        {
            Trace = request.Trace ? retrieved.Trace : null,
        });
    }

    /// <summary>Adds a problem for each invalid stage switch; true when there was one.</summary>
    internal static bool ValidateStages(SearchStages? stages, Dictionary<string, string[]> errors)
    {
        if (stages is { Fusion: { } fusion } && fusion.ToLowerInvariant() is not ("rrf" or "weighted" or "zscore"))
        {
            errors["stages.fusion"] = ["fusion must be rrf, weighted or zscore."];
        }

        if (stages is { DateHintMode: { } dateMode } && dateMode.ToLowerInvariant() is not ("auto" or "boost" or "filter"))
        {
            errors["stages.dateHintMode"] = ["dateHintMode must be auto, boost or filter."];
        }

        if (stages is { MmrLambda: { } lambda } && lambda is not (>= 0 and <= 1))
        {
            errors["stages.mmrLambda"] = ["mmrLambda must be between 0 and 1."];
        }

        if (stages is { RrfK: < 0 } or { Bm25Weight: < 0 } or { DenseWeight: < 0 })
        {
            errors["stages"] = ["rrfK, bm25Weight and denseWeight must not be negative."];
        }

        return errors.Count > 0;
    }

    private static bool TryContext(AskRequestDto request, AnswerContextOptions defaults, out ContextExpansion expansion, out int tokens,
        out Dictionary<string, string[]> errors)
    {
        errors = [];
        expansion = defaults.Expansion;
        tokens = request.ContextTokens ?? defaults.MaxTokens;
        switch (request.Context?.Trim().ToLowerInvariant())
        {
            case null:
                break;
            case "none":
                expansion = ContextExpansion.None;
                break;
            case "neighbours" or "neighbors":
                expansion = ContextExpansion.Neighbours;
                break;
            case "section":
                expansion = ContextExpansion.Section;
                break;
            default:
                errors["context"] = ["context must be none, neighbours or section."];
                break;
        }

        if (tokens is < 0 or > 100_000)
        {
            errors["contextTokens"] = ["contextTokens must be between 0 and 100000."];
        }

        return errors.Count == 0;
    }

    internal static List<SearchHitDto> ToDtos(IReadOnlyList<SearchHit> hits) =>
        hits.Select((h, i) => new SearchHitDto(i + 1, h.Score, ChunkMapping.ToDto(h.Chunk), ScoresDto.From(h.Scores),
            h.Context.Count > 0 ? h.Context.Select(c => c.Id).ToList() : null)).ToList();

    internal static bool TryBuild(
        string? text, int topK, int maxTopK, string? mode, FilterDto? filter, bool trace, string field, int maxChars,
        out SearchRequest request, out Dictionary<string, string[]> errors)
    {
        errors = [];
        request = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            errors[field] = [$"'{field}' is required."];
        }
        else if (text.Length > maxChars)
        {
            errors[field] = [$"'{field}' is longer than {maxChars} characters (Rag:Limits:MaxQueryChars)."];
        }

        if (topK < 1 || topK > maxTopK)
        {
            errors["topK"] = [$"topK must be between 1 and {maxTopK}."];
        }

        var searchMode = SearchMode.Hybrid;
        if (mode is not null && !Enum.TryParse(mode, ignoreCase: true, out searchMode))
        {
            errors["mode"] = ["mode must be bm25, dense or hybrid."];
        }

        var searchFilter = filter is null ? SearchFilter.None : ToFilter(filter, errors);
        if (errors.Count > 0)
        {
            return false;
        }

        request = new SearchRequest
        {
            Query = text!.Trim(),
            TopK = topK,
            Mode = searchMode,
            IncludeTrace = trace,
            Filter = searchFilter,
        };
        return true;
    }

    private static SearchFilter ToFilter(FilterDto filter, Dictionary<string, string[]> errors)
    {
        if (filter.SectionPathPrefix is { } prefix)
        {
            if (prefix.Count > 32)
            {
                errors["filter.sectionPathPrefix"] = ["sectionPathPrefix has at most 32 headings."];
            }
            else if (prefix.Any(h => string.IsNullOrWhiteSpace(h) || h.Length > 500))
            {
                errors["filter.sectionPathPrefix"] = ["Every heading of sectionPathPrefix must be non-empty and at most 500 characters."];
            }
        }

        var after = ParseDate(filter.ModifiedAfter, "modifiedAfter", errors);
        var before = ParseDate(filter.ModifiedBefore, "modifiedBefore", errors);
        if (after is { } a && before is { } b && a >= b)
        {
            errors["filter.modifiedBefore"] = ["modifiedBefore must be later than modifiedAfter."];
        }

        return new SearchFilter
        {
            DocumentIds = filter.DocumentIds,
            Tags = filter.Tags,
            SectionPathPrefix = filter.SectionPathPrefix?.Select(h => h.Trim()).ToList(),
            ModifiedAfter = after,
            ModifiedBefore = before,
        };
    }

    private static DateTimeOffset? ParseDate(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (SearchFilter.TryParseDate(text, out var date))
        {
            return date;
        }

        errors["filter." + name] = [$"{name} must be an ISO 8601 date or date-time, e.g. 2024-03-01 or 2024-03-01T12:00:00Z."];
        return null;
    }
}
