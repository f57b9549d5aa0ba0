using System.Globalization;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Retrieval.Fusion;
using RagService.Retrieval.Pipeline;
using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval.Rewriting;

/// <summary>
/// The "rewrite" stage: the LLM rewrites the query with the asked techniques (paraphrases, sub-questions,
/// a step-back question, a HyDE passage), the original and every rewritten query run through the rest of
/// the pipeline (in parallel), and the rankings are fused by weighted RRF (original 1, each rewrite
/// <see cref="RetrievalOptions.RewriteWeight"/>). Dates in the original query, LLM reranking and result
/// hygiene apply once, to the fused ranking. A failed or timed-out rewrite leaves the original ranking,
/// and the trace says so.
/// </summary>
internal sealed class RewriteFanOutStage(SearchComponents components, Func<SearchRequest, CancellationToken, Task<SearchResponse>> search)
    : ISearchStage<SearchContext>
{
    public string Name => "rewrite";

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var rewriter = components.Rewriter;
        if (!context.Switches.Rewrite || rewriter is null)
        {
            return StageOutcome.Off(rewriter is null ? "no LLM configured" : "off");
        }

        var options = components.Options;
        var request = context.Request;
        var stages = context.Switches;
        var techniques = stages.Techniques;
        var outcome = context.EarlierRewrites ?? await RewriteAsync(rewriter, request.Query, techniques, cancellationToken).ConfigureAwait(false);
        var rewrites = outcome.Rewrites;

        // Dates in the original query decide for every rewritten query: one filter (inside each retriever)
        // or one boost of the fused ranking.
        context.Dates = DateDecision.Decide(stages, stages.QueryUnderstanding ? QueryAnalyzer.Analyze(request.Query).Text : request.Query, request.Filter);
        context.Filter = context.Dates.Narrow(request.Filter ?? SearchFilter.None);
        context.RankingQuery = request.Query;
        var inner = request with
        {
            TopK = Math.Min(RetrievalOptions.MaxTopK, Math.Max(request.TopK, options.RewriteCandidates)),
            Filter = context.Filter,
            Stages = (request.Stages ?? new SearchStages()) with { Rewrite = false, DateHints = false, LlmRerank = false, Deduplicate = false, Mmr = false },
        };
        var responses = await Task.WhenAll(
            new[] { inner }.Concat(rewrites.Select(r => inner with { Query = r.Text })).Select(r => search(r, cancellationToken))).ConfigureAwait(false);

        var lists = new List<RankedList>(responses.Length);
        var byId = new Dictionary<string, SearchHit>(StringComparer.Ordinal);
        for (var i = 0; i < responses.Length; i++)
        {
            var hits = responses[i].Hits;
            lists.Add(new RankedList(i == 0 ? "original" : rewrites[i - 1].Kind, hits.Select(h => new ScoredChunkId(h.Chunk.Id, h.Score)).ToList(), i == 0 ? 1.0 : options.RewriteWeight));
            foreach (var hit in hits)
            {
                byId.TryAdd(hit.Chunk.Id, hit);
            }
        }

        var fused = responses.Length == 1
            ? responses[0].Hits.Select(h => new FusedCandidate(h.Chunk.Id, h.Score)).ToList()
            : new ReciprocalRankFusion(options.RrfK).Fuse(lists);
        context.Live = byId.ToDictionary(p => p.Key, p => p.Value.Chunk, StringComparer.Ordinal);
        context.Candidates = fused.Select(f => new Candidate(f.ChunkId, f.Score, f.Score)).ToList();
        context.FanOut = new RewriteFanOut(outcome, responses, byId);

        var detail = outcome.Failure is { } failure
            ? $"{rewriter.Name} {failure}: original query only"
            : !techniques.Any
                ? "no rewrite technique enabled: original query only"
                : rewrites.Count == 0
                    ? $"{rewriter.Name}: no rewrites ({techniques})"
                    : $"{rewriter.Name}: {rewrites.Count} rewrites ({techniques}) fused by rrf (original 1, rewrites {options.RewriteWeight.ToString(CultureInfo.InvariantCulture)}): " +
                      string.Join(" | ", rewrites.Select(r => $"{r.Kind}: {r.Text}"));
        return new StageOutcome(rewrites.Count > 0, detail);
    }

    private async Task<RewriteOutcome> RewriteAsync(IQueryRewriter rewriter, string query, RewriteTechniques techniques, CancellationToken cancellationToken)
    {
        if (!techniques.Any)
        {
            return new RewriteOutcome([], null);
        }

        var budgetMs = components.Options.RewriteBudgetMs;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(budgetMs);
        try
        {
            var rewrites = await rewriter.RewriteAsync(query, techniques, budget.Token).ConfigureAwait(false);
            return new RewriteOutcome(rewrites, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RewriteOutcome([], FormattableString.Invariant($"timed out after {budgetMs} ms"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new RewriteOutcome([], $"failed ({e.GetType().Name}: {e.Message})");
        }
    }
}
