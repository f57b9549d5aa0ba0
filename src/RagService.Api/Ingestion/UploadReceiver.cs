using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace RagService.Api.Ingestion;

/// <summary>One file part of an upload, stored content-addressed (or refused for its size).</summary>
public sealed record ReceivedFile(string FileName, string? BlobPath, string ContentHash, long SizeBytes, bool TooLarge);

/// <summary>Everything a multipart upload carried: files in order, documentId fields in order, and tags.</summary>
public sealed record ReceivedUpload(IReadOnlyList<ReceivedFile> Files, IReadOnlyList<string> DocumentIds, IReadOnlyList<string> Tags)
{
    /// <summary>The <c>acl</c> fields in order, paired with the files like <see cref="DocumentIds"/>.</summary>
    public IReadOnlyList<string> Acls { get; init; } = [];
}

/// <summary>The request body passed the request limit while it streamed; <see cref="Stored"/> were kept before it did.</summary>
public sealed class UploadTooLargeException(IReadOnlyList<ReceivedFile> stored, Exception inner)
    : Exception("The request body is larger than the request limit.", inner)
{
    public IReadOnlyList<ReceivedFile> Stored { get; } = stored;
}

/// <summary>
/// Streams a multipart upload section by section straight to disk, hashing as it goes, so a batch
/// of hundreds of files never sits in memory. Blobs are stored by SHA-256 under the index's blob folder.
/// </summary>
public static class UploadReceiver
{
    private const int MaxFieldBytes = 64 * 1024;

    public static async Task<ReceivedUpload> ReceiveAsync(HttpRequest request, string blobFolder, long maxFileBytes, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(MediaTypeHeaderValue.Parse(request.ContentType).Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            throw new InvalidDataException("The multipart request has no boundary.");
        }

        Directory.CreateDirectory(blobFolder);
        var reader = new MultipartReader(boundary, request.Body);
        var files = new List<ReceivedFile>();
        var documentIds = new List<string>();
        var tags = new List<string>();
        var acls = new List<string>();
        try
        {
            await ReadSectionsAsync(reader, blobFolder, maxFileBytes, files, documentIds, tags, acls, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new UploadTooLargeException(files, e);
        }

        return new ReceivedUpload(files, documentIds, tags) { Acls = acls };
    }

    private static async Task ReadSectionsAsync(MultipartReader reader, string blobFolder, long maxFileBytes,
        List<ReceivedFile> files, List<string> documentIds, List<string> tags, List<string> acls, CancellationToken ct)
    {
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
            {
                continue;
            }

            var name = disposition.Name.Value ?? string.Empty;
            if (disposition.IsFileDisposition())
            {
                var fileName = disposition.FileNameStar.Value ?? disposition.FileName.Value ?? "upload";
                files.Add(await BlobStore.StoreAsync(section.Body, Path.GetFileName(fileName), blobFolder, maxFileBytes, ct));
            }
            else if (name is "documentId" or "tags" or "tag" or "acl")
            {
                var value = await ReadFieldAsync(section.Body, ct);
                (name switch { "documentId" => documentIds, "acl" => acls, _ => tags }).Add(value);
            }
        }
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (memory.Length + read > MaxFieldBytes)
            {
                throw new InvalidDataException("A form field is larger than 64 KiB.");
            }

            memory.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(memory.ToArray()).Trim();
    }
}
