using RagService.Core.Chunks;
using RagService.Core.Models;
using RagService.Retrieval.Pipeline;

namespace RagService.Retrieval.Reranking;

/// <summary>What reranking the head of a ranking did: the new ranking, each reranked candidate's score (null when the previous order was kept) and a note.</summary>
internal sealed record RerankResult(List<Candidate> Ranked, Dictionary<string, float>? Scores, string Note);

/// <summary>Reorders the top candidates by a reranker's scores, within a latency budget; shared by the cross-encoder and the LLM reranker stages.</summary>
internal static class HeadReranking
{
    /// <summary>Past the budget, on a failure or a malformed reply, the previous order is kept and the note says why.</summary>
    public static async Task<RerankResult> RerankAsync(
        IReranker model, int candidates, int budgetMs, string query, List<Candidate> ranked, IReadOnlyDictionary<string, Chunk> live, CancellationToken cancellationToken)
    {
        var head = ranked.Take(Math.Max(1, candidates)).ToList();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(budgetMs);
        float[] scores;
        try
        {
            scores = await model.ScoreAsync(query, head.Select(c => live[c.ChunkId].Text).ToList(), budget.Token).ConfigureAwait(false);
            if (scores.Length != head.Count)
            {
                throw new FormatException($"{scores.Length} scores for {head.Count} candidates");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new RerankResult(ranked, null, FormattableString.Invariant($"{model.Name}: budget of {budgetMs} ms exceeded: kept the previous order of {head.Count} candidates"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var why = e is FormatException ? $"malformed reply ({e.Message})" : $"failed ({e.GetType().Name}: {e.Message})";
            return new RerankResult(ranked, null, FormattableString.Invariant($"{model.Name}: {why}: kept the previous order of {head.Count} candidates"));
        }

        var byId = new Dictionary<string, float>(StringComparer.Ordinal);
        for (var i = 0; i < head.Count; i++)
        {
            byId[head[i].ChunkId] = scores[i];
        }

        var result = head
            .Select((c, i) => c with { Score = scores[i] })
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.ChunkId, StringComparer.Ordinal)
            .ToList();
        Candidate.AppendTail(result, ranked.Skip(head.Count));
        return new RerankResult(result, byId, $"{model.Name}: {head.Count} candidates");
    }
}
