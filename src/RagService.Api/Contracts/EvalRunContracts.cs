using System.ComponentModel;

namespace RagService.Api.Contracts;

/// <summary>The evaluation runs in the runs folder (<c>Rag:Evaluation:RunsDirectory</c>), newest first.</summary>
public sealed record EvalRunList(
    [property: Description("The runs folder on the server, resolved.")] string Directory,
    IReadOnlyList<EvalRunSummaryDto> Runs);

/// <summary>One run as the list shows it; a file that is not a readable run is listed with its <c>error</c>.</summary>
public sealed record EvalRunSummaryDto(
    [property: Description("The run's name: its file name without .json.")] string Name,
    string? Dataset, string? Split, int Queries, string? EmbeddingModel, DateTimeOffset? At,
    [property: Description("Rows: modes or ablation steps.")] int Modes,
    [property: Description("The row with the highest nDCG@10.")] string? BestMode,
    double? BestNdcg10,
    [property: Description("Whether the run recorded each query's outcome (the drill-down).")] bool PerQuery,
    [property: Description("Why the file could not be read as a run; null when it could.")] string? Error);

/// <summary>A run: what was evaluated and how, and one row of metrics per mode or ablation step.</summary>
public sealed record EvalRunDto(
    string Name, string Dataset, string DatasetPath, string Split, int Queries, string Index, string EmbeddingModel, int ChunkMaxTokens,
    bool ContextualHeader,
    [property: Description("How queries were sent: in process, or the HTTP route they went to.")] string Transport,
    long Vectors, long IndexBytes, DateTimeOffset At, int Cores, IReadOnlyList<EvalModeDto> Modes);

/// <summary>One row of a run: means over its judged queries at each cutoff, caller-side latency, the trace's settings.</summary>
public sealed record EvalModeDto(
    string Mode, int QueryCount,
    [property: Description("nDCG, MRR, recall, precision and hit at each cutoff (1, 5, 10, 100).")] IReadOnlyList<EvalCutoffDto> Metrics,
    EvalLatencyDto Latency, IReadOnlyDictionary<string, string> Settings,
    [property: Description("Whether the row has per-query outcomes.")] bool PerQuery);

/// <summary>Mean metrics at one cutoff (as <c>rag eval</c> writes them).</summary>
public sealed record EvalCutoffDto(int K, double Ndcg, double Mrr, double Recall, double Precision, double Hit);

/// <summary>Latency the evaluating caller saw around each query, in milliseconds (nearest-rank percentiles).</summary>
public sealed record EvalLatencyDto(int Count, double MeanMs, double P50Ms, double P95Ms, double P99Ms, double MaxMs);

/// <summary>A page of one row's per-query outcomes.</summary>
public sealed record EvalQueryPage(string Run, string Mode,
    [property: Description("Queries that match the filter.")] int Total,
    int Offset, IReadOnlyList<EvalQueryDto> Queries);

/// <summary>How one query fared: its scores, where each relevant document ranked, what came first.</summary>
public sealed record EvalQueryDto(
    string Id, string? Text, double Ndcg10,
    [property: Description("Reciprocal rank of the first relevant document in the top 10 (0 when none).")] double ReciprocalRank10,
    [property: Description("Documents in the query's ranking (those of the top 200 chunks).")] int Retrieved,
    [property: Description("Relevant documents (qrel grade > 0) not in the top 10.")] int Missed,
    IReadOnlyList<EvalRelevantDto> Relevant,
    [property: Description("The first documents of the ranking.")] IReadOnlyList<string> Top);

/// <summary>A relevant document of a query and its rank (1-based; null: not retrieved at all).</summary>
public sealed record EvalRelevantDto(string DocumentId, int Grade, int? Rank,
    [property: Description("Not in the top 10.")] bool Missed);

/// <summary>
/// <c>POST /v1/eval/runs</c>: evaluate a BEIR folder on the server. Its corpus is ingested into the index
/// <c>eval-{dataset}-{model}-{chunk tokens}</c> of the default tenant (reused by later runs), its queries searched in process.
/// </summary>
public sealed record StartEvalRunRequest(
    [property: Description("The BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv): a full path under one of Rag:Evaluation:DatasetRoots, or a path relative to them. No '..'.")] string? Dataset,
    [property: Description("The qrels file to judge by: test (default), dev, train.")] string? Split = null,
    [property: Description("bm25, dense, hybrid (default), all (the three) or ablation (every stage in turn, as rag eval --ablation).")] string? Mode = null,
    [property: Description("Only the first this many judged queries.")] int? MaxQueries = null,
    [property: Description("The run's dataset name in the list and in its file name; the folder's name when not given.")] string? Name = null);

/// <summary>A run started in the service: what it evaluates, where it is, and how it ended.</summary>
public sealed record EvalRunProgressDto(
    string Id,
    [property: Description("running, succeeded, failed or cancelled.")] string State,
    [property: Description("storing (corpus documents read and queued; total unknown yet), ingesting (corpus documents ready or failed), querying (queries of the current row), writing, done.")] string Phase,
    [property: Description("The row being queried (a mode or ablation step).")] string? Row,
    int Done,
    [property: Description("0 while unknown.")] int Total,
    string Dataset, string Name, string Split, string Mode, int? MaxQueries,
    [property: Description("The index the corpus is ingested into (default tenant).")] string Index,
    DateTimeOffset Started, DateTimeOffset? Finished,
    [property: Description("The run written, once succeeded: GET /v1/eval/runs/{run}.")] string? Run,
    [property: Description("Why the run failed or stopped.")] string? Error,
    [property: Description("Corpus documents that failed to ingest (the run goes on without them).")] int FailedDocuments,
    [property: Description("The first failed documents' reasons.")] IReadOnlyList<string> Errors)
{
    public static EvalRunProgressDto From(EvalRuns.EvalRunProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.Id, p.State, p.Phase, p.Row, p.Done, p.Total, p.Spec.Dataset, p.Spec.Label, p.Spec.Split, p.Spec.Mode, p.Spec.MaxQueries, p.Index,
            p.Started, p.Finished, p.Run, p.Error, p.FailedDocuments, p.Errors);
    }
}
