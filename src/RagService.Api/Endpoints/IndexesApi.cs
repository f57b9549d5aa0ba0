using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Hosting;
using Microsoft.AspNetCore.Mvc;
using RagService.Api.Security;
using RagService.Core.Search;
using RagService.Core.Security;
using RagService.Indexing;
using RagService.Indexing.Maintenance;
using RagService.Api.Querying;

namespace RagService.Api.Endpoints;

/// <summary>Index lifecycle: <c>/v1/indexes</c>.</summary>
public static class IndexesApi
{
    public static RouteGroupBuilder MapIndexesApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/indexes").WithTags("Indexes").RequireAuthorization(RagPolicies.Reader);
        group.MapGet("/", List).WithSummary("List the indexes of the caller's tenant");
        group.MapGet("/{index}", Get).WithSummary("Describe an index");
        group.MapPut("/{index}", Create).RequireAuthorization(RagPolicies.Admin).WithSummary("Create an index (idempotent)");
        group.MapPut("/{index}/stages", SetStages).RequireAuthorization(RagPolicies.Admin)
            .WithSummary("Replace the index's retrieval stage defaults (the members of a search's stages; {} goes back to the service's settings); a request's own stages still override them")
            .WithDescription("Unlike the index's other settings, which its vectors depend on, its stage defaults may change at any time: the next search uses them and the index's settings file keeps them across a restart.");
        group.MapDelete("/{index}", Delete).RequireAuthorization(RagPolicies.Admin).WithSummary("Delete an index with all its documents");
        group.MapPost("/{index}/snapshot", Snapshot)
            .WithSummary("Write a consistent snapshot of the index (catalog, BM25, vectors, blobs) under {data}/snapshots without stopping searches; bring it back with 'rag restore'")
            .RequireAuthorization(RagPolicies.Admin);
        return v1;
    }

    internal static async Task<IndexList> List(HttpContext http, IndexRegistry registry, SearchService search, CancellationToken ct)
    {
        var indexes = new List<IndexInfo>();
        var tenant = http.GetCaller().Tenant;
        foreach (var name in registry.Names(tenant))
        {
            if (await DescribeAsync(registry, name, http, search, ct) is { } info)
            {
                indexes.Add(info);
            }
        }

        return new IndexList(indexes);
    }

    internal static async Task<Results<Ok<IndexInfo>, NotFound<ProblemDetails>>> Get(
        string index, HttpContext http, IndexRegistry registry, SearchService search, CancellationToken ct) =>
        await DescribeAsync(registry, index, http, search, ct) is { } info
            ? TypedResults.Ok(info)
            : Problems.IndexNotFound(index);

    /// <summary>The index as it is now: a broken one is described from its settings with its error, never skipped or served.</summary>
    private static async Task<IndexInfo?> DescribeAsync(IndexRegistry registry, string name, HttpContext http, SearchService search, CancellationToken ct)
    {
        var tenant = http.GetCaller().Tenant;
        try
        {
            return registry.Open(name, tenant) is { } store ? await DescribeAsync(store, http, search, ct) : null;
        }
        catch (IndexUnavailableException e)
        {
            var settings = ReadableSettings(registry, name, tenant);
            return new IndexInfo(name, settings.EmbeddingModel, settings.Dimensions, settings.Chunking.MaxTokens, settings.Chunking.ContextualHeader,
                0, 0, RagService.Indexing.Storage.FolderSize.Of(registry.FolderOf(name, tenant)), settings.CreatedAt)
            {
                Stages = settings.Stages,
                EffectiveStages = (settings.Stages ?? new SearchStages()).Over(search.Options.StageSwitches()),
                UnavailableStages = search.UnavailableStages(),
                Health = "broken",
                Error = e.Reason,
            };
        }
    }

    private static IndexSettings ReadableSettings(IndexRegistry registry, string name, string tenant)
    {
        try
        {
            return registry.SettingsOf(name, tenant);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return new IndexSettings();
        }
    }

    internal static async Task<Results<Created<IndexInfo>, Ok<IndexInfo>, ValidationProblem, Conflict<ProblemDetails>>> Create(
        string index,
        CreateIndexRequest? request,
        HttpContext http,
        IndexRegistry registry,
        Audit audit,
        IOptions<RagOptions> options,
        SearchService search,
        EmbeddingModelProvider models,
        CancellationToken ct)
    {
        request ??= new CreateIndexRequest();
        var errors = new Dictionary<string, string[]>();
        if (!IndexRegistry.IsValidName(index))
        {
            errors["index"] = ["Use 1–64 lower-case letters, digits, '-' or '_', starting with a letter or digit."];
        }

        var model = request.EmbeddingModel ?? options.Value.DefaultEmbeddingModel;
        if (!models.IsKnown(model))
        {
            errors["embeddingModel"] = [$"Unknown model '{model}'. Known: {string.Join(", ", models.Names)}."];
        }

        if (request.ChunkMaxTokens is < 32 or > 2048)
        {
            errors["chunkMaxTokens"] = ["Must be between 32 and 2048."];
        }

        QueryApi.ValidateStages(request.Stages, errors);

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var settings = models.NewIndexSettings(model, request.ChunkMaxTokens, request.ContextualHeader) with { Stages = request.Stages };
        IndexStore store;
        bool created;
        try
        {
            (store, created) = registry.Create(index, settings, http.GetCaller().Tenant);
        }
        catch (IndexBusyException e)
        {
            return TypedResults.Conflict(Problems.Create(StatusCodes.Status409Conflict, "Index busy", e.Message));
        }

        if (created)
        {
            audit.Record(http, "index.create", $"index {index}", "created");
            return TypedResults.Created($"/v1/indexes/{index}", await DescribeAsync(store, http, search, ct));
        }

        var existing = store.Settings;
        if ((request.EmbeddingModel is not null && request.EmbeddingModel != existing.EmbeddingModel)
            || (request.ChunkMaxTokens is not null && request.ChunkMaxTokens != existing.Chunking.MaxTokens)
            || (request.ContextualHeader is not null && request.ContextualHeader != existing.Chunking.ContextualHeader)
            || (request.Stages is not null && request.Stages != existing.Stages))
        {
            return TypedResults.Conflict(Problems.Create(
                StatusCodes.Status409Conflict,
                "Index exists with other settings",
                $"Index '{index}' already exists with model '{existing.EmbeddingModel}', chunk budget {existing.Chunking.MaxTokens}. Delete it first to change them; its stage defaults change with PUT /v1/indexes/{index}/stages."));
        }

        return TypedResults.Ok(await DescribeAsync(store, http, search, ct));
    }

    /// <summary>Replaces the index's stage defaults: every member left out (or null) takes the service's setting.</summary>
    internal static async Task<Results<Ok<IndexInfo>, NotFound<ProblemDetails>, ValidationProblem>> SetStages(
        string index,
        SearchStages? stages,
        HttpContext http,
        IndexRegistry registry,
        Audit audit,
        SearchService search,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (stages is null)
        {
            errors["stages"] = ["A JSON object of stage switches is required ({} goes back to the service's settings)."];
        }
        else
        {
            QueryApi.ValidateStages(stages, errors);
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // An object with no member set is no defaults at all: the index follows the service's settings again.
        var defaults = stages == new SearchStages() ? null : stages;
        if (registry.SetStageDefaults(index, defaults, http.GetCaller().Tenant) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        audit.Record(http, "index.stages", $"index {index}", defaults is null ? "cleared" : "changed");
        return TypedResults.Ok(await DescribeAsync(store, http, search, ct));
    }

    internal static async Task<Results<Created<SnapshotInfo>, NotFound<ProblemDetails>>> Snapshot(string index, HttpContext http, IndexRegistry registry, IOptions<RagOptions> options, Audit audit, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        var name = $"{index}-{DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture)}";
        var snapshots = Path.Combine(Path.GetFullPath(options.Value.DataDirectory), "snapshots");
        var folder = store.Tenant == AccessScope.DefaultTenant ? Path.Combine(snapshots, name) : Path.Combine(snapshots, "tenants", store.Tenant, name);
        var info = await IndexSnapshots.WriteAsync(store, folder, ct);
        audit.Record(http, "index.snapshot", $"index {index}", "written");
        return TypedResults.Created((string?)null, info);
    }

    /// <summary>
    /// Deletes the index once its write in progress (an ingestion batch's commit) has finished: the index is gone for
    /// every request at once (404), the answer comes when its folder is removed.
    /// </summary>
    internal static async Task<Results<NoContent, NotFound<ProblemDetails>>> Delete(string index, HttpContext http, IndexRegistry registry, Audit audit)
    {
        var deleted = await registry.DeleteAsync(index, http.GetCaller().Tenant);
        audit.Record(http, "index.delete", $"index {index}", deleted ? "deleted" : "not found");
        return deleted ? TypedResults.NoContent() : Problems.IndexNotFound(index);
    }

    /// <summary>The index as the caller sees it: the document counts are of the documents its ACLs let it see.</summary>
    private static async Task<IndexInfo> DescribeAsync(IndexStore store, HttpContext http, SearchService search, CancellationToken ct)
    {
        var counts = await store.Jobs.CountByStateAsync(ct, http.GetAclPrincipals());
        return new(
            store.Name,
            store.Settings.EmbeddingModel,
            store.Settings.Dimensions,
            store.Settings.Chunking.MaxTokens,
            store.Settings.Chunking.ContextualHeader,
            counts.Total,
            store.Vectors.Count,
            store.SizeOnDiskBytes(),
            store.Settings.CreatedAt)
        {
            Stages = store.Settings.Stages,
            EffectiveStages = (store.Settings.Stages ?? new SearchStages()).Over(search.Options.StageSwitches()),
            UnavailableStages = search.UnavailableStages(),
            Documents = DocumentCountsDto.From(counts),
        };
    }
}
