using RagService.Core.Indexes;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;
using RagService.Retrieval.Routing;

namespace RagService.Retrieval.SecondStage;

/// <summary>
/// The "second-stage" stage (hybrid searches): scores every one of the top fused candidates on all three
/// signals: BM25 (a second, restricted lexical search fills in candidates the BM25 leg did not return), the
/// index's model (an exact search over the candidate set) and the second model (candidate texts embedded
/// through the embedding cache), then orders them by the weighted sum of normalised scores
/// (<see cref="CandidateRescorer"/>). The rest keep their order below them.
/// </summary>
internal sealed class SecondStageRescoreStage(SearchComponents components) : ISearchStage<SearchContext>
{
    public string Name => "second-stage";

    /// <summary>
    /// True when the stage is on for this search and has a second model to work with, and both models cover
    /// the query's language (<see cref="LanguageCoverageStage"/>): it rescores with the dense leg's query vector too.
    /// </summary>
    public static bool Runs(SearchContext context, IEmbeddingModel? secondEmbedder) =>
        context.Switches.SecondStage && context.Hybrid && secondEmbedder is not null
        && !context.Languages.Dense.Skipped && context.Languages.Second is not { Skipped: true };

    public async Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var second = components.SecondEmbedder;
        if (!Runs(context, second) || context.Candidates.Count == 0)
        {
            return StageOutcome.Off(
                !context.Hybrid ? "hybrid mode only"
                : second is null ? "no second embedding model"
                : context.Switches.SecondStage && context.Languages.Second is { } language ? LanguageCoverageStage.SecondStageNote(context.Languages.Dense, language)
                : "off");
        }

        var options = components.Options;
        var stages = context.Switches;
        var weights = context.Weights;
        context.Candidates = await RescoreAsync(context, second!, cancellationToken).ConfigureAwait(false);
        var anchored = "";
        if (context.Anchor is { } anchor)
        {
            // The rescoring mixes the same dense signals fusion did: the rare-term anchor stays first.
            Candidate.KeepFirst(context.Candidates, anchor.ChunkId);
            anchored = $"; rare-term anchor '{anchor.Surface}' kept first";
        }

        return new StageOutcome(true, FormattableString.Invariant(
            $"{Math.Min(options.SecondStageCandidates, context.Candidates.Count)} candidates; {options.SecondStageNormalisation}; bm25 {options.SecondStageBm25Weight * weights.Bm25 / Math.Max(stages.Bm25Weight, 1e-9):0.###}, {components.Embedder.Name} {options.SecondStageDenseWeight * weights.Dense / Math.Max(stages.DenseWeight, 1e-9):0.###}, {second!.Name} {options.SecondStageSecondDenseWeight * weights.Dense / Math.Max(stages.DenseWeight, 1e-9) / context.Languages.Dense.Factor * (context.Languages.Second?.Factor ?? 1.0):0.###}{anchored}"));
    }

    private async Task<List<Candidate>> RescoreAsync(SearchContext context, IEmbeddingModel second, CancellationToken cancellationToken)
    {
        var options = components.Options;
        var ranked = context.Candidates;
        var live = context.Live;
        var head = ranked.Take(options.SecondStageCandidates).ToList();
        var ids = head.Select(c => c.ChunkId).ToHashSet(StringComparer.Ordinal);

        var bm25Scores = context.Bm25Live.Where(h => ids.Contains(h.ChunkId)).GroupBy(h => h.ChunkId).ToDictionary(g => g.Key, g => (double)g.First().Score, StringComparer.Ordinal);
        var missingDocuments = head.Where(c => !bm25Scores.ContainsKey(c.ChunkId)).Select(c => live[c.ChunkId].DocumentId).Distinct(StringComparer.Ordinal).ToList();
        var bm25Task = missingDocuments.Count == 0
            ? Task.FromResult<IReadOnlyList<ScoredChunkId>>([])
            : components.Lexical.SearchAsync(context.LexicalQuery, missingDocuments.Count * 8 + 16, context.Filter with { DocumentIds = missingDocuments }, cancellationToken);
        var denseTask = components.Vectors.SearchAsync(context.Dense.QueryVector!, ids.Count, ids, cancellationToken);
        var secondVectors = await second.EmbedAsync(head.Select(c => live[c.ChunkId].IndexText).ToList(), EmbeddingPurpose.Document, cancellationToken).ConfigureAwait(false);
        foreach (var hit in await bm25Task.ConfigureAwait(false))
        {
            if (ids.Contains(hit.ChunkId))
            {
                bm25Scores.TryAdd(hit.ChunkId, hit.Score);
            }
        }

        var denseScores = context.DenseLive.Where(h => ids.Contains(h.ChunkId)).GroupBy(h => h.ChunkId).ToDictionary(g => g.Key, g => (double)g.First().Score, StringComparer.Ordinal);
        foreach (var hit in await denseTask.ConfigureAwait(false))
        {
            denseScores.TryAdd(hit.ChunkId, hit.Score);
        }

        var secondQuery = context.SecondQueryVector!;
        var signals = new List<CandidateSignals>(head.Count);
        for (var i = 0; i < head.Count; i++)
        {
            var id = head[i].ChunkId;
            var secondScore = Dot(secondQuery, secondVectors[i]);
            double? b = bm25Scores.TryGetValue(id, out var bv) ? bv : null;
            double? d = denseScores.TryGetValue(id, out var dv) ? dv : null;
            signals.Add(new CandidateSignals(id, b, d, secondScore));
            var scores = new Dictionary<string, float>(StringComparer.Ordinal) { ["second-dense"] = (float)secondScore };
            if (b is { } bs)
            {
                scores["bm25-exact"] = (float)bs;
            }

            if (d is { } ds)
            {
                scores["dense-exact"] = (float)ds;
            }

            context.StageScores[id] = scores;
        }

        // Routing scales the lexical and dense signals here as it does in fusion.
        // Each model's signal is scaled by the share of the query its language covers, as the dense leg's is.
        var bm25Scale = context.Weights.Bm25 / Math.Max(options.Bm25Weight, 1e-9);
        var denseScale = context.Weights.Dense / Math.Max(options.DenseWeight, 1e-9);
        var secondScale = denseScale / context.Languages.Dense.Factor * (context.Languages.Second?.Factor ?? 1.0);
        var rescored = CandidateRescorer.Rescore(
            signals,
            options.SecondStageBm25Weight * bm25Scale,
            options.SecondStageDenseWeight * denseScale,
            options.SecondStageSecondDenseWeight * secondScale,
            options.SecondStageNormalisation);
        var fused = head.ToDictionary(c => c.ChunkId, c => c.FusedScore, StringComparer.Ordinal);
        var result = new List<Candidate>(ranked.Count);
        foreach (var (id, score) in rescored)
        {
            context.StageScores[id]["second-stage"] = (float)score;
            result.Add(new Candidate(id, score, fused[id]));
        }

        Candidate.AppendTail(result, ranked.Skip(head.Count));
        return result;
    }

    private static float Dot(float[] a, float[] b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
