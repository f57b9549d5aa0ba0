using System.Security.Cryptography;

namespace RagService.Api.Ingestion;

/// <summary>
/// Content-addressed storage of uploaded files (SHA-256 names) under an index's blob folder. Streams
/// in bounded buffers and stops storing (but keeps draining) once a file passes the size limit.
/// </summary>
public static class BlobStore
{
    public static async Task<ReceivedFile> StoreAsync(Stream body, string fileName, string blobFolder, long maxFileBytes, CancellationToken ct)
    {
        Directory.CreateDirectory(blobFolder);
        var temp = Path.Combine(blobFolder, $".upload-{Guid.NewGuid():N}");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var tooLarge = false;
        var buffer = new byte[81920];
        try
        {
            await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                size += read;
                if (size > maxFileBytes)
                {
                    // Keep reading to reach the next section, but store nothing more.
                    tooLarge = true;
                    continue;
                }

                hash.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch
        {
            // A body cut off or over the request limit (413): the partial file must not stay behind.
            File.Delete(temp);
            throw;
        }

        if (tooLarge)
        {
            File.Delete(temp);
            return new ReceivedFile(fileName, null, string.Empty, size, TooLarge: true);
        }

        var contentHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        var blobPath = Path.Combine(blobFolder, contentHash);
        if (File.Exists(blobPath))
        {
            File.Delete(temp);
        }
        else
        {
            File.Move(temp, blobPath);
        }

        return new ReceivedFile(fileName, blobPath, contentHash, size, TooLarge: false);
    }
}
