using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.EvalRuns;
using RagService.Api.Hosting;
using RagService.Api.Security;

namespace RagService.Api.Endpoints;

/// <summary>
/// <c>/v1/eval/runs</c>: the retrieval evaluation runs <c>rag eval</c> wrote into the runs folder, for the dashboard's
/// evaluation page. The system admin only: runs are the server's files (dataset paths, query texts, index names of
/// any tenant), not a tenant's data. A run name cannot leave the folder (400). A run can also be started here on a BEIR folder
/// under <c>Rag:Evaluation:DatasetRoots</c> (<see cref="EvalRunner"/>), one at a time; <c>/active</c> follows it (so a run file
/// named <c>active</c> is not reachable by name).
/// </summary>
public static class EvaluationApi
{
    /// <summary>A drill-down's rank cut: a relevant document below it is "missed".</summary>
    public const int MissedBeyond = 10;

    public static RouteGroupBuilder MapEvaluationApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/eval/runs").WithTags("Evaluation").RequireAuthorization(RagPolicies.Admin);
        group.MapGet("/", List).WithSummary("List the evaluation runs in the runs folder (Rag:Evaluation:RunsDirectory), newest first (system admin)");
        group.MapPost("/", Start)
            .WithSummary("Start a run on a BEIR folder on the server (under Rag:Evaluation:DatasetRoots): its corpus ingested through the ingestion queue, its queries searched in process; one at a time (system admin)");
        group.MapGet("/active", Active)
            .WithSummary("The run started here that is running, or the last one that ended: phase, progress, errors; 204 when none was started since the service started (system admin)");
        group.MapDelete("/active", Cancel).WithSummary("Cancel the running run (system admin)");
        group.MapGet("/{run}", Get).WithSummary("A run's metrics per mode or ablation step: nDCG, MRR, recall, precision, hit at each cutoff, and latency (system admin)");
        group.MapGet("/{run}/queries", Queries)
            .WithSummary("A run's per-query drill-down for one mode: where each relevant document ranked, which were missed in the top 10 (system admin)");
        return v1;
    }

    internal static Results<Ok<EvalRunList>, ForbidHttpResult> List(HttpContext http, EvalRunStore store) =>
        http.GetCaller().IsSystem ? TypedResults.Ok(new EvalRunList(store.Directory, store.List())) : TypedResults.Forbid();

    internal static Results<Accepted<EvalRunProgressDto>, BadRequest<ProblemDetails>, Conflict<ProblemDetails>, ForbidHttpResult> Start(
        StartEvalRunRequest request, HttpContext http, EvalRunner runner, IOptions<RagOptions> options, Audit audit)
    {
        if (!http.GetCaller().IsSystem)
        {
            return TypedResults.Forbid();
        }

        var spec = EvalRunRequests.Check(request.Dataset, request.Split, request.Mode, request.MaxQueries, request.Name, options.Value, out var refusal);
        if (spec is null)
        {
            audit.Record(http, "eval.run", $"dataset {request.Dataset}", "refused");
            return Problems.BadRequest(refusal!);
        }

        if (runner.TryStart(spec) is not { } started)
        {
            var running = runner.Current;
            return TypedResults.Conflict(Problems.Create(StatusCodes.Status409Conflict, "A run is running",
                $"Run {running?.Id} on '{running?.Spec.Dataset}' is still running (GET /v1/eval/runs/active); start the next once it ends, or cancel it (DELETE /v1/eval/runs/active)."));
        }

        audit.Record(http, "eval.run", $"dataset {spec.Dataset}", $"started {started.Id}");
        return TypedResults.Accepted("/v1/eval/runs/active", EvalRunProgressDto.From(started));
    }

    internal static Results<Ok<EvalRunProgressDto>, NoContent, ForbidHttpResult> Active(HttpContext http, EvalRunner runner)
    {
        if (!http.GetCaller().IsSystem)
        {
            return TypedResults.Forbid();
        }

        return runner.Current is { } current ? TypedResults.Ok(EvalRunProgressDto.From(current)) : TypedResults.NoContent();
    }

    internal static Results<Accepted<EvalRunProgressDto>, NotFound<ProblemDetails>, ForbidHttpResult> Cancel(HttpContext http, EvalRunner runner, Audit audit)
    {
        if (!http.GetCaller().IsSystem)
        {
            return TypedResults.Forbid();
        }

        if (!runner.Cancel())
        {
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "No run is running", "There is no running evaluation run to cancel."));
        }

        audit.Record(http, "eval.run", $"run {runner.Current?.Id}", "cancel requested");
        return TypedResults.Accepted("/v1/eval/runs/active", EvalRunProgressDto.From(runner.Current!));
    }

    internal static Results<Ok<EvalRunDto>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>, ForbidHttpResult> Get(string run, HttpContext http, EvalRunStore store)
    {
        if (Open(run, http, store, out var file) is { } refused)
        {
            return refused.Result switch
            {
                NotFound<ProblemDetails> notFound => notFound,
                BadRequest<ProblemDetails> bad => bad,
                _ => TypedResults.Forbid(),
            };
        }

        var modes = file!.Modes.Select(m => new EvalModeDto(m.Mode, m.Metrics.QueryCount, m.Metrics.Metrics, m.Latency,
            m.Settings ?? new Dictionary<string, string>(), m.PerQuery is not null)).ToList();
        return TypedResults.Ok(new EvalRunDto(run, file.Dataset!, file.DatasetPath ?? "", file.Split ?? "", file.Queries, file.Index ?? "",
            file.EmbeddingModel ?? "", file.ChunkMaxTokens, file.ContextualHeader, file.Transport ?? "", file.Vectors, file.IndexBytes, file.At, file.Cores, modes));
    }

    /// <param name="mode">The row (mode or ablation step name); the first row when not given.</param>
    /// <param name="missed">Only queries with a relevant document outside the top 10.</param>
    /// <param name="order"><c>worst</c>: lowest nDCG@10 first; otherwise the run's order.</param>
    internal static Results<Ok<EvalQueryPage>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>, ForbidHttpResult> Queries(
        string run, HttpContext http, EvalRunStore store, string? mode = null, bool missed = false, string? order = null, int offset = 0, int limit = 25)
    {
        if (Open(run, http, store, out var file) is { } refused)
        {
            return refused.Result switch
            {
                NotFound<ProblemDetails> notFound => notFound,
                BadRequest<ProblemDetails> bad => bad,
                _ => TypedResults.Forbid(),
            };
        }

        if (offset < 0 || limit is < 1 or > 500)
        {
            return Problems.BadRequest("offset must be ≥ 0 and limit between 1 and 500.");
        }

        if (order is not null and not "worst" and not "run")
        {
            return Problems.BadRequest($"order must be 'worst' or 'run' (was '{order}').");
        }

        var row = mode is null ? file!.Modes.FirstOrDefault() : file!.Modes.FirstOrDefault(m => m.Mode == mode);
        if (row is null)
        {
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "Mode not found", $"Run '{run}' has no row '{mode}'."));
        }

        if (row.PerQuery is null)
        {
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "No per-query outcomes",
                $"Run '{run}' was written before rag eval recorded each query's outcome; run it again for the drill-down."));
        }

        var outcomes = row.PerQuery.Select(q => ToDto(q, file.QueryTexts));
        if (missed)
        {
            outcomes = outcomes.Where(q => q.Missed > 0);
        }

        if (order == "worst")
        {
            outcomes = outcomes.OrderBy(q => q.Ndcg10).ThenBy(q => q.Id, StringComparer.Ordinal);
        }

        var all = outcomes.ToList();
        return TypedResults.Ok(new EvalQueryPage(run, row.Mode, all.Count, offset, all.Skip(offset).Take(limit).ToList()));
    }

    private static EvalQueryDto ToDto(EvalRunFileQuery q, IReadOnlyDictionary<string, string>? texts)
    {
        var relevant = (q.Relevant ?? []).Select(r => new EvalRelevantDto(r.DocumentId, r.Grade, r.Rank, r.Rank is not { } rank || rank > MissedBeyond)).ToList();
        return new EvalQueryDto(q.Id, texts is not null && texts.TryGetValue(q.Id, out var text) ? text : null, q.Ndcg10, q.ReciprocalRank10,
            q.Retrieved, relevant.Count(r => r.Missed), relevant, q.Top ?? []);
    }

    /// <summary>The run, or why not: 403 (not the system admin), 400 (not a run name), 404 (no such run, or its file is not a run).</summary>
    private static Results<NotFound<ProblemDetails>, BadRequest<ProblemDetails>, ForbidHttpResult>? Open(string run, HttpContext http, EvalRunStore store, out EvalRunFile? file)
    {
        file = null;
        if (!http.GetCaller().IsSystem)
        {
            return TypedResults.Forbid();
        }

        if (!EvalRunStore.IsValidName(run))
        {
            return Problems.BadRequest("A run name is a file name of the runs folder: letters, digits, '.', '-' and '_', not starting with '.' and without '..'.");
        }

        try
        {
            file = store.Find(run);
        }
        catch (EvalRunException e)
        {
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "Run not readable", e.Message));
        }

        if (file is null)
        {
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "Run not found", $"There is no run '{run}' in the runs folder."));
        }

        return null;
    }
}
