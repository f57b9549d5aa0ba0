using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Core.Documents;
using RagService.Core.Jobs;
using RagService.Indexing;

namespace RagService.Api.Endpoints;

/// <summary>Document upload, status, chunks and deletion: <c>/v1/indexes/{index}/documents</c>.</summary>
public static class DocumentsApi
{
    public static RouteGroupBuilder MapDocumentsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/indexes/{index}/documents").WithTags("Documents");
        group.MapPost("/", Upload)
            .WithSummary("Upload one or many files (multipart/form-data: files, documentId per file, tags key:value)")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(long.MaxValue));
        group.MapGet("/", List).WithSummary("List documents with their status");
        group.MapPost("/hashes", KnownHashes).WithSummary("Which of these content hashes (SHA-256 of a file's bytes) the index already holds, so a client uploads only new files");
        group.MapGet("/{documentId}", Get).WithSummary("Status of one document");
        group.MapGet("/{documentId}/chunks", Chunks).WithSummary("The live chunks of a document with their provenance");
        group.MapDelete("/{documentId}", Delete).WithSummary("Delete a document from both indexes");
        return v1;
    }

    internal static async Task<Results<Accepted<UploadResponse>, BadRequest<ProblemDetails>, NotFound<ProblemDetails>, ProblemHttpResult>> Upload(
        string index,
        HttpRequest request,
        IndexRegistry registry,
        IngestionQueue queue,
        IOptions<RagOptions> options,
        CancellationToken ct)
    {
        if (registry.Open(index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (!request.HasFormContentType || request.ContentType?.Contains("multipart/", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Problems.BadRequest("Send the files as multipart/form-data with one or more 'files' parts.");
        }

        if (request.ContentLength > options.Value.MaxRequestBytes)
        {
            return TooLarge($"The request is {request.ContentLength} bytes; the limit is {options.Value.MaxRequestBytes}.");
        }

        ReceivedUpload upload;
        try
        {
            upload = await UploadReceiver.ReceiveAsync(request, registry.BlobFolder(index), options.Value.MaxUploadBytes, ct);
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not FileNotFoundException)
        {
            return Problems.BadRequest($"The multipart body could not be read: {e.Message}");
        }

        if (upload.Files.Count == 0)
        {
            return Problems.BadRequest("The request has no file parts. Send each file as a 'files' part.");
        }

        if (upload.DocumentIds.Count > upload.Files.Count)
        {
            return Problems.BadRequest($"{upload.DocumentIds.Count} documentId fields for {upload.Files.Count} files: give at most one per file, in file order.");
        }

        if (!TryParseTags(upload.Tags, out var tags, out var tagError))
        {
            return Problems.BadRequest(tagError);
        }

        var badId = upload.DocumentIds.FirstOrDefault(id => id.Length > 0 && !DocumentIds.IsValid(id));
        if (badId is not null)
        {
            return Problems.BadRequest($"Invalid documentId '{badId}': use 1–128 characters of letters, digits, '.', '_', '-'.");
        }

        if (upload.Files.All(f => f.TooLarge))
        {
            var first = upload.Files[0];
            return TooLarge($"'{first.FileName}' is {first.SizeBytes} bytes; the limit per file is {options.Value.MaxUploadBytes} bytes.");
        }

        var accepted = new List<AcceptedDocument>(upload.Files.Count);
        for (var i = 0; i < upload.Files.Count; i++)
        {
            var file = upload.Files[i];
            var result = await DocumentIntake.AdmitAsync(store, file, i < upload.DocumentIds.Count ? upload.DocumentIds[i] : null, tags, options.Value.MaxUploadBytes, ct);
            var documentId = result.Status.DocumentId;
            var status = result.Status;
            var enqueued = result.Enqueued;
            accepted.Add(new AcceptedDocument(documentId, $"/v1/indexes/{index}/documents/{Uri.EscapeDataString(documentId)}", enqueued, DocumentStatusDto.From(status)));
        }

        queue.Signal();
        return TypedResults.Accepted(accepted[0].Location, new UploadResponse(accepted));
    }

    internal static async Task<Results<Ok<DocumentList>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> List(
        string index, IndexRegistry registry, CancellationToken ct, int offset = 0, int limit = 100)
    {
        if (registry.Open(index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (offset < 0 || limit is < 1 or > 1000)
        {
            return Problems.BadRequest("offset must be ≥ 0 and limit between 1 and 1000.");
        }

        var docs = (await store.Jobs.ListAsync(offset, limit, ct)).Select(DocumentStatusDto.From).ToList();
        return TypedResults.Ok(new DocumentList(await store.Jobs.CountAsync(ct), offset, docs));
    }

    /// <summary>Most hashes one request may ask about: a batch client asks in slices of this size.</summary>
    public const int MaxHashesPerQuery = 10_000;

    internal static async Task<Results<Ok<ContentHashAnswer>, NotFound<ProblemDetails>, ValidationProblem>> KnownHashes(
        string index, ContentHashQuery query, IndexRegistry registry, CancellationToken ct)
    {
        if (registry.Open(index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        var hashes = query.Hashes ?? [];
        var errors = new Dictionary<string, string[]>();
        if (hashes.Count is 0 or > MaxHashesPerQuery)
        {
            errors["hashes"] = [$"Give 1 to {MaxHashesPerQuery} hashes (was {hashes.Count})."];
        }
        else if (hashes.Select((h, i) => (h, i)).FirstOrDefault(p => !IsSha256Hex(p.h)) is { h: { } bad } invalid)
        {
            errors[$"hashes[{invalid.i}]"] = [$"'{(bad.Length > 80 ? bad[..80] + "…" : bad)}' is not a SHA-256 in lower-case hex (64 characters 0-9a-f)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var found = await store.Jobs.FindByContentHashAsync(hashes, ct);
        return TypedResults.Ok(new ContentHashAnswer(found.Select(s => new KnownContent(s.ContentHash, s.DocumentId, s.State.ToString().ToLowerInvariant())).ToList()));
    }

    private static bool IsSha256Hex(string? hash) => hash is { Length: 64 } && hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    internal static async Task<Results<Ok<DocumentStatusDto>, NotFound<ProblemDetails>>> Get(string index, string documentId, IndexRegistry registry, CancellationToken ct)
    {
        if (registry.Open(index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        return await store.Jobs.GetAsync(documentId, ct) is { } status
            ? TypedResults.Ok(DocumentStatusDto.From(status))
            : Problems.DocumentNotFound(index, documentId);
    }

    internal static async Task<Results<Ok<ChunkList>, NotFound<ProblemDetails>>> Chunks(string index, string documentId, IndexRegistry registry, CancellationToken ct)
    {
        if (registry.Open(index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (await store.Jobs.GetAsync(documentId, ct) is null)
        {
            return Problems.DocumentNotFound(index, documentId);
        }

        var chunks = (await store.Chunks.GetChunksAsync(documentId, ct)).Select(ChunkMapping.ToDto).ToList();
        return TypedResults.Ok(new ChunkList(documentId, chunks));
    }

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>>> Delete(string index, string documentId, IndexRegistry registry, CancellationToken ct)
    {
        if (registry.Open(index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        return await store.DeleteAsync(documentId, ct) ? TypedResults.NoContent() : Problems.DocumentNotFound(index, documentId);
    }

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Upload too large");

    private static bool TryParseTags(IReadOnlyList<string> raw, out Dictionary<string, string> tags, out string error)
    {
        tags = new Dictionary<string, string>(StringComparer.Ordinal);
        error = string.Empty;
        foreach (var value in raw.SelectMany(v => v.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == value.Length - 1)
            {
                error = $"Tag '{value}' is not of the form key:value.";
                return false;
            }

            tags[value[..colon].Trim()] = value[(colon + 1)..].Trim();
        }

        return true;
    }
}
