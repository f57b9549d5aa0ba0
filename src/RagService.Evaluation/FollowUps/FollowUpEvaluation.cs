using RagService.Api.EvalRuns;
using System.Text.Json;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Core.Search;
using RagService.Core.Security;
using RagService.Evaluation.Chunking;
using RagService.Indexing;
using RagService.Retrieval.FollowUps;

namespace RagService.Evaluation.FollowUps;

/// <summary>A two-turn follow-up: the first question, the follow-up as a user types it, and where its answer is.</summary>
/// <param name="Standalone">The follow-up written out by hand as a standalone question: the upper bound a rewriter can reach.</param>
/// <param name="Evidence">Text of the answer: a hit is a chunk of <paramref name="Doc"/> that contains it (normalised).</param>
public sealed record FollowUpPair(string Id, string Lang, string Doc, string First, string FollowUp, string Standalone, string Evidence);

/// <summary>Retrieval of one way of turning the follow-up into a query, over the whole set.</summary>
public sealed record FollowUpVariantResult(string Variant, int Pairs, int HitsAt1, int HitsAt5, double HitAt1, double HitAt5, double Mrr5, IReadOnlyList<string> MissesAt5);

/// <param name="Changed">Whether the rules changed the follow-up.</param>
public sealed record FollowUpRewriteRow(string Id, string FollowUp, string Rewritten, bool Changed, bool HitAsAsked, bool HitRewritten);

public sealed record FollowUpEvalReport(
    string Dataset, string Model, int Documents, int Chunks, int Pairs, string Rewriter, IReadOnlyList<FollowUpVariantResult> Variants,
    IReadOnlyList<FollowUpRewriteRow> Rows, DateTimeOffset At);

/// <summary>
/// Follow-up retrieval hit@5 with and without rewriting: the set's documents are ingested into a fresh
/// index through the real pipeline, and each follow-up is searched (hybrid, top 5) as asked, rewritten by
/// rules, rewritten by the configured rewriter (when it is not the rules), concatenated with the first
/// question (a naive baseline), and as the hand-written standalone question (the ceiling). As in a real
/// conversation, the rewriters see the first question's answer (asked through <see cref="AskService"/>).
/// </summary>
public sealed class FollowUpEvaluation(IndexRegistry registry, EmbeddingModelProvider models, DocumentIngestor ingestor, SearchService search, AskService asker, RagOptions options)
{
    private const int TopK = 5;

    public static IReadOnlyList<FollowUpPair> Read(string path) =>
        File.ReadLines(path).Where(l => l.Trim().Length > 0)
            .Select(l => JsonSerializer.Deserialize<FollowUpPair>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))
                ?? throw new InvalidDataException($"{path}: an empty line object"))
            .ToList();

    public async Task<FollowUpEvalReport> MeasureAsync(string dataset, string modelName, IFollowUpRewriter configured, CancellationToken ct)
    {
        var pairs = Read(Path.Combine(dataset, "followups.jsonl"));
        var documents = Directory.GetFiles(Path.Combine(dataset, "docs")).Order(StringComparer.Ordinal).ToList();
        const string name = "eval-followups";
        registry.Delete(name);
        var store = registry.Create(name, models.NewIndexSettings(modelName, null, null)).Store;
        foreach (var path in documents)
        {
            await using var stream = File.OpenRead(path);
            await EvalIntake.AdmitAsync(registry, store, stream, Path.GetFileName(path), Path.GetFileNameWithoutExtension(path), options.MaxUploadBytes, ct);
        }

        await ingestor.DrainAsync(store, options.MaxDocumentsPerCommit, options.IngestionParallelism, null, ct);
        var chunks = (await store.Jobs.ListAsync(0, 1000, ct)).Sum(d => d.ChunkCount);

        var answers = new List<string>();
        foreach (var p in pairs)
        {
            var retrieved = await asker.RetrieveAsync(store, new SearchRequest { Query = p.First, TopK = TopK, Mode = SearchMode.Hybrid }, AccessScope.All(), null, null, ct);
            answers.Add((await asker.AnswerAsync(retrieved, ct)).Text);
        }

        var byRules = pairs.Select((p, i) => RuleFollowUpRewriter.Rewrite(p.First, p.FollowUp, answers[i]).Question).ToList();
        var variants = new List<(string Name, IReadOnlyList<string> Queries)>
        {
            ("as asked", pairs.Select(p => p.FollowUp).ToList()),
            ("rules rewrite", byRules),
        };
        if (configured is not RuleFollowUpRewriter)
        {
            var rewritten = new List<string>();
            for (var i = 0; i < pairs.Count; i++)
            {
                rewritten.Add((await configured.RewriteAsync([new ConversationTurn(pairs[i].First, answers[i])], pairs[i].FollowUp, ct)).Question);
            }

            variants.Add(("configured rewrite", rewritten));
        }

        variants.Add(("first + follow-up concatenated", pairs.Select(p => $"{p.First} {p.FollowUp}").ToList()));
        variants.Add(("hand-written standalone (ceiling)", pairs.Select(p => p.Standalone).ToList()));

        var results = new List<FollowUpVariantResult>();
        var ranks = new Dictionary<string, List<int>>();
        foreach (var (variant, queries) in variants)
        {
            var found = new List<int>();
            for (var i = 0; i < pairs.Count; i++)
            {
                found.Add(await RankAsync(store, queries[i], pairs[i], ct));
            }

            ranks[variant] = found;
            results.Add(new FollowUpVariantResult(variant, pairs.Count, found.Count(r => r == 1), found.Count(r => r > 0),
                found.Count(r => r == 1) / (double)pairs.Count, found.Count(r => r > 0) / (double)pairs.Count,
                found.Sum(r => r > 0 ? 1.0 / r : 0) / pairs.Count,
                pairs.Where((_, i) => found[i] == 0).Select(p => p.Id).ToList()));
        }

        var rows = pairs.Select((p, i) => new FollowUpRewriteRow(p.Id, p.FollowUp, byRules[i], byRules[i] != p.FollowUp.Trim(), ranks["as asked"][i] > 0, ranks["rules rewrite"][i] > 0)).ToList();
        return new FollowUpEvalReport(Path.GetFullPath(dataset), modelName, documents.Count, chunks, pairs.Count,
            configured is RuleFollowUpRewriter ? RuleFollowUpRewriter.MethodName : configured.GetType().Name, results, rows, DateTimeOffset.UtcNow);
    }

    /// <summary>The rank (1–5) of the first hit from the gold document containing the evidence; 0 when none of the top 5 does.</summary>
    private async Task<int> RankAsync(IndexStore store, string query, FollowUpPair pair, CancellationToken ct)
    {
        var response = await search.SearchAsync(store, new SearchRequest { Query = query, TopK = TopK, Mode = SearchMode.Hybrid }, ct);
        var evidence = ChunkQuality.Normalise(pair.Evidence);
        for (var i = 0; i < response.Hits.Count; i++)
        {
            var chunk = response.Hits[i].Chunk;
            if (chunk.DocumentId == pair.Doc && ChunkQuality.Normalise(chunk.Text).Contains(evidence, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return 0;
    }
}
