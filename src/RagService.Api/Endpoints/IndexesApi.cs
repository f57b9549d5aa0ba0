using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Hosting;
using Microsoft.AspNetCore.Mvc;
using RagService.Indexing;

namespace RagService.Api.Endpoints;

/// <summary>Index lifecycle: <c>/v1/indexes</c>.</summary>
public static class IndexesApi
{
    public static RouteGroupBuilder MapIndexesApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/indexes").WithTags("Indexes");
        group.MapGet("/", List).WithSummary("List the indexes");
        group.MapGet("/{index}", Get).WithSummary("Describe an index");
        group.MapPut("/{index}", Create).WithSummary("Create an index (idempotent)");
        group.MapDelete("/{index}", Delete).WithSummary("Delete an index with all its documents");
        return v1;
    }

    internal static async Task<IndexList> List(IndexRegistry registry, CancellationToken ct)
    {
        var indexes = new List<IndexInfo>();
        foreach (var name in registry.Names())
        {
            if (registry.Open(name) is { } store)
            {
                indexes.Add(await DescribeAsync(store, ct));
            }
        }

        return new IndexList(indexes);
    }

    internal static async Task<Results<Ok<IndexInfo>, NotFound<ProblemDetails>>> Get(string index, IndexRegistry registry, CancellationToken ct) =>
        registry.Open(index) is { } store
            ? TypedResults.Ok(await DescribeAsync(store, ct))
            : Problems.IndexNotFound(index);

    internal static async Task<Results<Created<IndexInfo>, Ok<IndexInfo>, ValidationProblem, Conflict<ProblemDetails>>> Create(
        string index,
        CreateIndexRequest? request,
        IndexRegistry registry,
        IOptions<RagOptions> options,
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
        var (store, created) = registry.Create(index, settings);
        if (created)
        {
            return TypedResults.Created($"/v1/indexes/{index}", await DescribeAsync(store, ct));
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
                $"Index '{index}' already exists with model '{existing.EmbeddingModel}', chunk budget {existing.Chunking.MaxTokens}. Delete it first to change them."));
        }

        return TypedResults.Ok(await DescribeAsync(store, ct));
    }

    internal static Results<NoContent, NotFound<ProblemDetails>> Delete(string index, IndexRegistry registry) =>
        registry.Delete(index) ? TypedResults.NoContent() : Problems.IndexNotFound(index);

    private static async Task<IndexInfo> DescribeAsync(IndexStore store, CancellationToken ct)
    {
        var counts = await store.Jobs.CountByStateAsync(ct);
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
            Documents = DocumentCountsDto.From(counts),
        };
    }
}
