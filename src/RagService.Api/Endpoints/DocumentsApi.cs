using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Core.Documents;
using RagService.Core.Jobs;
using RagService.Api.Security;
using RagService.Core.Security;
using Microsoft.AspNetCore.Http.Features;
using RagService.Indexing;
using RagService.Ingestion;
using RagService.Ingestion.Parsing;
using RagService.Ingestion.Parsing.Ocr;

namespace RagService.Api.Endpoints;

/// <summary>Document upload, status, chunks and deletion: <c>/v1/indexes/{index}/documents</c>.</summary>
public static class DocumentsApi
{
    public static RouteGroupBuilder MapDocumentsApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/indexes/{index}/documents").WithTags("Documents").RequireAuthorization(RagPolicies.Reader);
        group.MapPost("/", Upload)
            .RequireAuthorization(RagPolicies.Ingester)
            .WithSummary("Upload one or many files (multipart/form-data: files, documentId and acl per file, tags key:value)")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .Produces<UploadResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .DisableAntiforgery()
            .DisableRequestTimeout()
            .WithMetadata(new RequestSizeLimitAttribute(long.MaxValue));
        group.MapGet("/", List).WithSummary("List documents with their status");
        group.MapPost("/hashes", KnownHashes).WithSummary("Which of these content hashes (SHA-256 of a file's bytes) the index already holds, so a client uploads only new files");
        group.MapGet("/{documentId}", Get).WithSummary("Status of one document");
        group.MapGet("/{documentId}/chunks", Chunks).WithSummary("The live chunks of a document with their provenance");
        group.MapGet("/{documentId}/outline", Outline)
            .WithSummary("The document's parsed structure: headings, tables and figures with pages and boxes, OCR confidence, page sizes")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{documentId}/pages/{page:int}", PageImage)
            .WithSummary("A page of the document as an image (PDF pages rendered at dpi, images as stored) to draw its chunks' boxes on")
            .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/jpeg"])
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{documentId}/retry", Retry).RequireAuthorization(RagPolicies.Ingester)
            .WithSummary("Ingest a failed document again from its stored upload, as a new version")
            .Produces<DocumentStatusDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{documentId}", Delete).RequireAuthorization(RagPolicies.Ingester).WithSummary("Delete a document from both indexes");
        group.MapPatch("/{documentId}", Patch).RequireAuthorization(RagPolicies.Ingester)
            .WithSummary("Change a document's ACL and/or tags without re-parsing or re-embedding it");
        return v1;
    }

    internal static async Task<IResult> Upload(
        string index,
        HttpRequest request,
        IndexRegistry registry,
        IngestionQueue queue,
        IOptions<RagOptions> options,
        Audit audit,
        CancellationToken ct)
    {
        var http = request.HttpContext;
        if (registry.OpenFor(http, index) is not { } store)
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

        // The endpoint lifts the server-wide body limit (to answer 413 with a reason); a body without a
        // Content-Length is held to the request limit here, while it streams.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = options.Value.MaxRequestBytes;
        }

        ReceivedUpload upload;
        try
        {
            upload = await UploadReceiver.ReceiveAsync(request, registry.BlobFolder(index, store.Tenant), options.Value.MaxUploadBytes, ct);
        }
        catch (UploadTooLargeException e)
        {
            // Nothing stored: the files that arrived whole before the limit are removed (unless another document holds the same bytes).
            foreach (var file in e.Stored)
            {
                await store.RemoveBlobIfUnreferencedAsync(file.BlobPath, CancellationToken.None);
            }

            audit.Record(http, "document.upload", $"index {index}", "refused: request too large");
            return TooLarge($"The request is larger than the limit of {options.Value.MaxRequestBytes} bytes.");
        }
        catch (Exception e) when (e is InvalidDataException or IOException and not FileNotFoundException)
        {
            return Problems.BadRequest($"The multipart body could not be read: {e.Message}");
        }

        var refusal = await RefusalAsync(upload, store, http, options.Value, ct);
        if (refusal is not null)
        {
            // Nothing half-created: the files of a refused request are not kept.
            foreach (var file in upload.Files)
            {
                await store.RemoveBlobIfUnreferencedAsync(file.BlobPath, ct);
            }

            audit.Record(http, "document.upload", $"index {index}", "refused");
            return refusal;
        }

        var acls = upload.Acls.Select(a => AclPrincipals.TryParse([a], out var acl, out _) ? acl : AclPrincipals.Default).ToList();
        var accepted = new List<AcceptedDocument>(upload.Files.Count);
        TryParseTags(upload.Tags, out var tags, out _);
        for (var i = 0; i < upload.Files.Count; i++)
        {
            var file = upload.Files[i];
            var result = await DocumentIntake.AdmitAsync(store, file, i < upload.DocumentIds.Count ? upload.DocumentIds[i] : null, tags, options.Value.MaxUploadBytes, ct,
                i < acls.Count ? acls[i] : null);
            var documentId = result.Status.DocumentId;
            accepted.Add(new AcceptedDocument(documentId, $"/v1/indexes/{index}/documents/{Uri.EscapeDataString(documentId)}", result.Enqueued, DocumentStatusDto.From(result.Status)));
            audit.Record(http, "document.upload", $"index {index} document {documentId}", result.Enqueued ? "queued" : "unchanged");
        }

        queue.Signal();
        return TypedResults.Accepted(accepted[0].Location, new UploadResponse(accepted));
    }

    /// <summary>Why the received upload must be refused as a whole, or null to admit it.</summary>
    private static async Task<IResult?> RefusalAsync(ReceivedUpload upload, IndexStore store, HttpContext http, RagOptions options, CancellationToken ct)
    {

        if (upload.Files.Count == 0)
        {
            return Problems.BadRequest("The request has no file parts. Send each file as a 'files' part.");
        }

        if (upload.Files.Count > options.Limits.MaxFilesPerRequest)
        {
            return Problems.BadRequest($"The request has {upload.Files.Count} files; the limit is {options.Limits.MaxFilesPerRequest} (Rag:Limits:MaxFilesPerRequest).");
        }

        if (upload.Acls.Count > upload.Files.Count)
        {
            return Problems.BadRequest($"{upload.Acls.Count} acl fields for {upload.Files.Count} files: give at most one per file, in file order.");
        }

        foreach (var acl in upload.Acls)
        {
            if (!AclPrincipals.TryParse([acl], out _, out var aclError))
            {
                return Problems.BadRequest("acl: " + aclError);
            }
        }

        if (upload.DocumentIds.Count > upload.Files.Count)
        {
            return Problems.BadRequest($"{upload.DocumentIds.Count} documentId fields for {upload.Files.Count} files: give at most one per file, in file order.");
        }

        if (!TryParseTags(upload.Tags, out _, out var tagError))
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
            return TooLarge($"'{first.FileName}' is {first.SizeBytes} bytes; the limit per file is {options.MaxUploadBytes} bytes.");
        }

        // Replacing a document is writing to it: one the caller may not see is not found, as everywhere else.
        var scope = http.GetAccessScope();
        for (var i = 0; i < upload.Files.Count; i++)
        {
            var file = upload.Files[i];
            var id = i < upload.DocumentIds.Count && upload.DocumentIds[i].Length > 0 ? upload.DocumentIds[i]
                : file.TooLarge ? null : DocumentIds.FromContent(file.ContentHash);
            if (id is not null && await store.Jobs.GetAsync(id, ct) is { } existing && !AclPrincipals.Allows(scope, existing.Acl))
            {
                return Problems.DocumentNotFound(store.Name, id);
            }
        }

        return null;
    }

    internal static async Task<Results<Ok<DocumentList>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> List(
        string index, HttpContext http, IndexRegistry registry, CancellationToken ct, int offset = 0, int limit = 100,
        [Description("Only documents in this state: queued, parsing, chunking, embedding, indexing, ready or failed.")] string? state = null,
        [Description("enqueued (default: the order documents were last uploaded), name (file name), state (pipeline order), updated or chunks; a leading - sorts descending (-updated, -chunks); recent is -updated. Ties keep the upload order.")] string? order = null,
        [Description("Only documents whose id or file name contains this text, ignoring case.")] string? name = null,
        [Description("Only documents with this tag: key (any value) or key:value.")] string? tag = null,
        [Description("Only failed documents that failed in this step: upload, parsing, chunking, embedding or indexing.")] string? failedStep = null)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (offset < 0 || limit is < 1 or > 1000)
        {
            return Problems.BadRequest("offset must be ≥ 0 and limit between 1 and 1000.");
        }

        var listing = DocumentListing.All;
        if (state is not null)
        {
            if (!Enum.TryParse<DocumentState>(state, ignoreCase: true, out var parsed) || int.TryParse(state, out _))
            {
                return Problems.BadRequest($"Unknown state '{state}': use one of {string.Join(", ", Enum.GetNames<DocumentState>().Select(n => n.ToLowerInvariant()))}.");
            }

            listing = listing with { State = parsed };
        }

        if (ListOrder(order) is not { } sort)
        {
            return Problems.BadRequest($"Unknown order '{order}': use enqueued, name, state, updated or chunks, with a leading - for descending (recent is -updated).");
        }

        listing = listing with { Sort = sort.Key, Descending = sort.Descending, NameContains = string.IsNullOrWhiteSpace(name) ? null : name.Trim() };
        if (!string.IsNullOrWhiteSpace(tag))
        {
            var colon = tag.IndexOf(':', StringComparison.Ordinal);
            listing = colon < 0 ? listing with { TagKey = tag.Trim() } : listing with { TagKey = tag[..colon].Trim(), TagValue = tag[(colon + 1)..].Trim() };
            if (listing.TagKey!.Length == 0)
            {
                return Problems.BadRequest($"Tag '{tag}' has no key: use key or key:value.");
            }
        }

        if (!string.IsNullOrWhiteSpace(failedStep))
        {
            if (!FailedSteps.All.Contains(failedStep.Trim(), StringComparer.Ordinal))
            {
                return Problems.BadRequest($"Unknown failed step '{failedStep}': use one of {string.Join(", ", FailedSteps.All)}.");
            }

            listing = listing with { FailedStep = failedStep.Trim() };
        }

        var principals = http.GetAclPrincipals();
        var docs = (await store.Jobs.ListAsync(offset, limit, ct, principals, listing)).Select(DocumentStatusDto.From).ToList();
        return TypedResults.Ok(new DocumentList(await store.Jobs.CountAsync(ct, principals, listing), offset, docs));
    }

    /// <summary>The sort of a listing from its <c>order</c> parameter, or null when the parameter names none.</summary>
    private static (DocumentSortKey Key, bool Descending)? ListOrder(string? order)
    {
        if (order is null or "enqueued")
        {
            return (DocumentSortKey.Enqueued, false);
        }

        if (order == "recent")
        {
            return (DocumentSortKey.Updated, true);
        }

        var descending = order.StartsWith('-');
        DocumentSortKey? key = (descending ? order[1..] : order) switch
        {
            "enqueued" => DocumentSortKey.Enqueued,
            "name" => DocumentSortKey.Name,
            "state" => DocumentSortKey.State,
            "updated" => DocumentSortKey.Updated,
            "chunks" => DocumentSortKey.Chunks,
            _ => null,
        };
        return key is { } k ? (k, descending) : null;
    }

    /// <summary>Most hashes one request may ask about: a batch client asks in slices of this size.</summary>
    public const int MaxHashesPerQuery = 10_000;

    internal static async Task<Results<Ok<ContentHashAnswer>, NotFound<ProblemDetails>, ValidationProblem>> KnownHashes(
        string index, ContentHashQuery query, HttpContext http, IndexRegistry registry, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
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

        // Only documents the caller may open: a hidden document's id or existence must not leak through its hash.
        var scope = http.GetAccessScope();
        var found = (await store.Jobs.FindByContentHashAsync(hashes, ct)).Where(s => AclPrincipals.Allows(scope, s.Acl));
        return TypedResults.Ok(new ContentHashAnswer(found.Select(s => new KnownContent(s.ContentHash, s.DocumentId, s.State.ToString().ToLowerInvariant())
        {
            FileName = s.FileName,
            FailedStep = s.FailedStep,
            Error = s.Error,
        }).ToList()));
    }

    private static bool IsSha256Hex(string? hash) => hash is { Length: 64 } && hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    internal static async Task<Results<Ok<DocumentStatusDto>, NotFound<ProblemDetails>>> Get(string index, string documentId, HttpContext http, IndexRegistry registry, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        return await VisibleAsync(store, documentId, http, ct) is { } status
            ? TypedResults.Ok(DocumentStatusDto.From(status))
            : Problems.DocumentNotFound(index, documentId);
    }

    internal static async Task<Results<Ok<ChunkList>, NotFound<ProblemDetails>>> Chunks(string index, string documentId, HttpContext http, IndexRegistry registry, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (await VisibleAsync(store, documentId, http, ct) is null)
        {
            return Problems.DocumentNotFound(index, documentId);
        }

        var chunks = (await store.Chunks.GetChunksAsync(documentId, ct)).Select(ChunkMapping.ToDto).ToList();
        return TypedResults.Ok(new ChunkList(documentId, chunks));
    }

    /// <summary>Longest text of an outline entry.</summary>
    private const int OutlineTextLength = 200;

    internal static async Task<IResult> Outline(
        string index, string documentId, HttpContext http, IndexRegistry registry, IngestionPipeline pipeline, IOptions<OcrOptions> ocr, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (await VisibleAsync(store, documentId, http, ct) is not { } status || await StoredUploadAsync(store, documentId, ct) is not { } upload)
        {
            return Problems.DocumentNotFound(index, documentId);
        }

        // The tree is not stored: the stored upload is parsed again, by the same pipeline (and options) that chunked it.
        DocumentTree tree;
        IReadOnlyList<PageDimensions> pages;
        try
        {
            tree = await pipeline.ParseAsync(new DocumentSource(upload.BlobPath, upload.FileName, upload.Format), ct);
            pages = PageImages.Sizes(upload.BlobPath, upload.Format, ocr.Value);
        }
        catch (DocumentRejectedException e)
        {
            return Unprocessable("Document cannot be parsed", e.Message);
        }

        var entries = tree.Blocks
            .Where(b => b.Kind is BlockKind.Heading or BlockKind.Table or BlockKind.Figure || b.LowConfidence)
            .Select(b => new OutlineEntryDto(b.Id, b.Kind.ToString().ToLowerInvariant(), b.Level,
                b.Text.Length > OutlineTextLength ? b.Text[..OutlineTextLength] + "…" : b.Text, b.PageStart, b.PageEnd,
                b.Box is { } box ? new PageBoxDto(b.PageStart, box.Left, box.Bottom, box.Right, box.Top) : null,
                b.Confidence, b.LowConfidence, b.Rows?.Count, b.Rows?.Max(r => r.Count)))
            .ToList();
        var read = tree.Blocks.Where(b => b.Confidence is not null).ToList();
        var weight = read.Sum(b => Math.Max(1, b.Text.Length));
        double? confidence = read.Count == 0 ? null : Math.Round(read.Sum(b => b.Confidence!.Value * Math.Max(1, b.Text.Length)) / weight, 1);
        return TypedResults.Ok(new DocumentOutlineDto(documentId, status.Version, tree.Title ?? status.Title, upload.Format.ToString().ToLowerInvariant(), tree.PageCount,
            pages.Select(p => new PageSizeDto(p.Page, p.Width, p.Height)).ToList(), entries, tree.Blocks.Count, confidence, tree.Blocks.Count(b => b.LowConfidence)));
    }

    internal static async Task<IResult> PageImage(
        string index, string documentId, int page, HttpContext http, IndexRegistry registry, IOptions<OcrOptions> ocr, CancellationToken ct, int dpi = 110)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (await VisibleAsync(store, documentId, http, ct) is null || await StoredUploadAsync(store, documentId, ct) is not { } upload)
        {
            return Problems.DocumentNotFound(index, documentId);
        }

        if (dpi is < PageImages.MinDpi or > PageImages.MaxDpi)
        {
            return Problems.BadRequest($"dpi must be between {PageImages.MinDpi} and {PageImages.MaxDpi}.");
        }

        if (!PageImages.HasPages(upload.Format))
        {
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "Page not found", $"A {upload.Format.ToString().ToLowerInvariant()} document has no page images."));
        }

        try
        {
            var image = await PageImages.RenderAsync(upload.BlobPath, upload.Format, page, dpi, ocr.Value, ct);
            http.Response.Headers.CacheControl = "private, no-store";
            return TypedResults.File(image.Bytes, image.ContentType);
        }
        catch (ArgumentOutOfRangeException)
        {
            return TypedResults.NotFound(Problems.Create(StatusCodes.Status404NotFound, "Page not found", $"Document '{documentId}' has no page {page}."));
        }
        catch (DocumentRejectedException e)
        {
            return Unprocessable("Page cannot be rendered", e.Message);
        }
    }

    internal static async Task<IResult> Retry(string index, string documentId, HttpContext http, IndexRegistry registry, IngestionQueue queue, Audit audit, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        if (await VisibleAsync(store, documentId, http, ct) is not { } status)
        {
            return Problems.DocumentNotFound(index, documentId);
        }

        if (status.State != DocumentState.Failed)
        {
            return Conflict("Document is not failed", $"Only a failed document is retried; '{documentId}' is {status.State.ToString().ToLowerInvariant()}.");
        }

        if (await StoredUploadAsync(store, documentId, ct) is not { } upload)
        {
            // A file refused at upload (over the size limit) was never stored.
            return Conflict("Nothing to retry", $"The upload of '{documentId}' was not kept ({status.Error}); upload the file again.");
        }

        var result = await store.Jobs.EnqueueAsync(upload, ct);
        queue.Signal();
        audit.Record(http, "document.retry", $"index {index} document {documentId}", result.Enqueued ? "queued" : "unchanged");
        return TypedResults.Accepted($"/v1/indexes/{index}/documents/{Uri.EscapeDataString(documentId)}", DocumentStatusDto.From(result.Status));
    }

    private static ProblemHttpResult Conflict(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title);

    /// <summary>The stored upload of the document's newest version, when its file is still there.</summary>
    private static async Task<DocumentUpload?> StoredUploadAsync(IndexStore store, string documentId, CancellationToken ct) =>
        await store.Jobs.GetUploadAsync(documentId, ct) is { BlobPath.Length: > 0 } upload && File.Exists(upload.BlobPath) ? upload : null;

    private static ProblemHttpResult Unprocessable(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: title);

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>>> Delete(string index, string documentId, HttpContext http, IndexRegistry registry, Audit audit, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        var deleted = await VisibleAsync(store, documentId, http, ct) is not null && await store.DeleteAsync(documentId, ct);
        audit.Record(http, "document.delete", $"index {index} document {documentId}", deleted ? "deleted" : "not found");
        return deleted ? TypedResults.NoContent() : Problems.DocumentNotFound(index, documentId);
    }

    internal static async Task<Results<Ok<DocumentStatusDto>, NotFound<ProblemDetails>, ValidationProblem>> Patch(
        string index, string documentId, DocumentAccessPatch patch, HttpContext http, IndexRegistry registry, Audit audit, CancellationToken ct)
    {
        if (registry.OpenFor(http, index) is not { } store)
        {
            return Problems.IndexNotFound(index);
        }

        var errors = new Dictionary<string, string[]>();
        IReadOnlyList<string>? acl = null;
        if (patch.Acl is not null && !AclPrincipals.TryParse(patch.Acl, out acl, out var aclError))
        {
            errors["acl"] = [aclError];
        }

        if (patch.Tags is { } tags && tags.Any(t => string.IsNullOrWhiteSpace(t.Key) || t.Key.Contains(':', StringComparison.Ordinal) || t.Value is null))
        {
            errors["tags"] = ["Every tag needs a non-empty key without ':' and a value."];
        }

        if (patch.Acl is null && patch.Tags is null)
        {
            errors["acl"] = ["Give acl, tags or both."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var updated = await VisibleAsync(store, documentId, http, ct) is not null
            && await store.UpdateAccessAsync(documentId, acl, patch.Tags?.ToDictionary(t => t.Key.Trim(), t => t.Value.Trim(), StringComparer.Ordinal), ct);
        audit.Record(http, "document.permissions", $"index {index} document {documentId}", updated ? $"acl {string.Join(",", acl ?? [])}" : "not found");
        return updated && await store.Jobs.GetAsync(documentId, ct) is { } status
            ? TypedResults.Ok(DocumentStatusDto.From(status))
            : Problems.DocumentNotFound(index, documentId);
    }

    /// <summary>The document's status when it exists and the caller may see it; null otherwise (both are 404).</summary>
    private static async Task<DocumentStatus?> VisibleAsync(IndexStore store, string documentId, HttpContext http, CancellationToken ct) =>
        await store.Jobs.GetAsync(documentId, ct) is { } status && AclPrincipals.Allows(http.GetAccessScope(), status.Acl) ? status : null;

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
