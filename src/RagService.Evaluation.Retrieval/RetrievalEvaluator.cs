using System.Diagnostics;
using System.Globalization;

namespace RagService.Evaluation.Retrieval;

/// <summary>A split's judged queries and their relevance judgements.</summary>
public sealed record EvalQuerySet(IReadOnlyList<BeirQuery> Queries, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Qrels);

/// <summary>
/// Runs a BEIR query set through an <see cref="IEvalSearcher"/> for one mode or ablation step and scores
/// the document ranking against the qrels: nDCG, MRR, recall, precision and hit at 1, 5, 10 and 100, with
/// the latency the caller saw around each query, and each query's outcome (<see cref="QueryOutcome"/>).
/// </summary>
public static class RetrievalEvaluator
{
    private static readonly int[] Cutoffs = [1, 5, 10, 100];

    /// <summary>The split's queries that have judgements, the first <paramref name="maxQueries"/> of them when given.</summary>
    public static async Task<EvalQuerySet> LoadQueriesAsync(BeirDataset dataset, string split, int? maxQueries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var qrels = await dataset.ReadQrelsAsync(split, ct);
        var queries = (await dataset.ReadQueriesAsync(ct)).Where(q => qrels.ContainsKey(q.Id)).ToList();
        if (maxQueries is { } max)
        {
            queries = queries.Take(max).ToList();
            var kept = queries.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
            qrels = qrels.Where(kv => kept.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        }

        return new EvalQuerySet(queries, qrels);
    }

    /// <summary>
    /// Warms up on the first ten queries, then times every query (top 200, trace on the first and, with
    /// <paramref name="dumpPath"/>, on all of them for the per-candidate dump). Reports the number of
    /// queries done to <paramref name="progress"/> after each one.
    /// </summary>
    public static async Task<ModeResult> EvaluateAsync(
        IEvalSearcher search, AblationStep step, EvalQuerySet set, string? dumpPath, IProgress<int>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(set);
        var mode = step.Mode;

        // Warm up JIT, caches and the ONNX session before timing.
        foreach (var q in set.Queries.Take(10))
        {
            await search.SearchAsync(q.Text, 100, mode, step.Stages, trace: false, ct);
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var run = new Dictionary<string, IReadOnlyList<RunEntry>>(StringComparer.Ordinal);
        var latencies = new List<double>(set.Queries.Count);
        await using (var dump = dumpPath is null ? null : new StreamWriter(dumpPath + "." + EvalDocumentIds.Sanitize(step.Name) + ".tsv"))
        {
            foreach (var q in set.Queries)
            {
                var clock = Stopwatch.StartNew();
                var response = await search.SearchAsync(q.Text, 200, mode, step.Stages, trace: dump is not null || settings.Count == 0, ct);
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                run[q.Id] = ToDocumentRun(response.Hits);
                if (settings.Count == 0 && response.Trace is { } trace)
                {
                    foreach (var (k, v) in trace.Settings)
                    {
                        settings[k] = v;
                    }
                }

                if (dump is not null)
                {
                    WriteDump(dump, q.Id, response.Hits);
                }

                progress?.Report(latencies.Count);
            }
        }

        var evaluation = RetrievalMetrics.Evaluate(run, set.Qrels, Cutoffs);
        settings.Remove("topK");
        settings.Remove("staleDropped");
        // Every judged query, as the means above count them (a judged query not run scores 0 and retrieved nothing).
        var perQuery = set.Qrels.Select(q => QueryOutcome.Of(q.Key, run.TryGetValue(q.Key, out var entries) ? entries : [], q.Value)).ToList();
        return new ModeResult(step.Name, evaluation, LatencySummary.FromMilliseconds(latencies), settings, perQuery);
    }

    /// <summary>Chunk hits to a document ranking: a document ranks where its best chunk ranks.</summary>
    public static List<RunEntry> ToDocumentRun(IReadOnlyList<EvalHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var run = new List<RunEntry>();
        var rank = 0;
        foreach (var hit in hits)
        {
            rank++;
            var id = EvalDocumentIds.ToBeirId(hit.DocumentId);
            if (seen.Add(id))
            {
                // Scores strictly decreasing with rank, so trec_eval's tie-breaking cannot reorder the run.
                run.Add(new RunEntry(id, 1.0 / rank));
            }
        }

        return run;
    }

    /// <summary>Per-candidate signals for offline tuning: query, document, rank, fused score and every stage score.</summary>
    private static void WriteDump(StreamWriter dump, string queryId, IReadOnlyList<EvalHit> hits)
    {
        for (var i = 0; i < hits.Count; i++)
        {
            var h = hits[i];
            var stage = h.StageScores;
            dump.WriteLine(string.Join('\t',
                queryId, EvalDocumentIds.ToBeirId(h.DocumentId), (i + 1).ToString(CultureInfo.InvariantCulture),
                h.FusedScore.ToString("R", CultureInfo.InvariantCulture),
                h.Bm25Rank?.ToString(CultureInfo.InvariantCulture) ?? "",
                h.DenseRank?.ToString(CultureInfo.InvariantCulture) ?? "",
                Stage(stage, "bm25-exact"), Stage(stage, "dense-exact"), Stage(stage, "second-dense")));
        }

        static string Stage(IReadOnlyDictionary<string, float>? s, string key) =>
            s is not null && s.TryGetValue(key, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
    }
}
