using System.Security.Cryptography;
using System.Text.Json;

namespace RagService.Models.Registry;

/// <summary>One model's files in a pull manifest: path in the repository → expected SHA-256 (hex).</summary>
public sealed record PullManifestEntry
{
    public string Revision { get; init; } = "main";

    public required IReadOnlyDictionary<string, string> Files { get; init; }
}

/// <summary>What a pull wrote: each file's local path and its verified SHA-256.</summary>
public sealed record PulledFile(string RepositoryPath, string LocalPath, string Sha256, long Bytes);

/// <summary>
/// Downloads a model's files from a Hugging Face–style hub (<c>{endpoint}/{model}/resolve/{revision}/{path}</c>)
/// and verifies every file's SHA-256 against a manifest before it is moved into place: a file that
/// does not match is deleted and the pull fails, so a truncated, tampered or substituted download can
/// never be loaded. Files are written as <c>.part</c> first; an interrupted pull leaves nothing usable.
/// </summary>
public sealed class ModelPuller(HttpClient http)
{
    public const string DefaultEndpoint = "https://huggingface.co";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads a manifest: <c>{ "models": { "org/name": { "revision": "main", "files": { "onnx/model.onnx": "sha256…" } } } }</c>.</summary>
    public static IReadOnlyDictionary<string, PullManifestEntry> ReadManifest(string path)
    {
        using var stream = File.OpenRead(path);
        var manifest = JsonSerializer.Deserialize<ManifestFile>(stream, Json) ?? throw new InvalidDataException($"'{path}' is not a model manifest.");
        return manifest.Models ?? new Dictionary<string, PullManifestEntry>();
    }

    /// <param name="modelId">"org/name" on the hub.</param>
    /// <param name="entry">Files and their checksums; every file is verified.</param>
    /// <param name="destination">Folder the files are written to (their file names, flattened).</param>
    /// <param name="endpoint">Hub base URL.</param>
    public async Task<IReadOnlyList<PulledFile>> PullAsync(string modelId, PullManifestEntry entry, string destination, string endpoint = DefaultEndpoint, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrWhiteSpace(destination);
        if (entry.Files.Count == 0)
        {
            throw new ArgumentException($"The manifest lists no files for '{modelId}'.", nameof(entry));
        }

        Directory.CreateDirectory(destination);
        var pulled = new List<PulledFile>();
        foreach (var (repositoryPath, expected) in entry.Files)
        {
            var url = $"{endpoint.TrimEnd('/')}/{modelId}/resolve/{Uri.EscapeDataString(entry.Revision)}/{repositoryPath.TrimStart('/')}";
            var local = Path.Combine(destination, Path.GetFileName(repositoryPath));
            var part = local + ".part";
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                string actual;
                long bytes;
                await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
                await using (var file = File.Create(part))
                {
                    using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    var buffer = new byte[81920];
                    bytes = 0;
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        bytes += read;
                    }

                    actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                }

                if (!string.Equals(actual, expected.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidDataException($"Checksum mismatch for {modelId}/{repositoryPath}: expected {expected}, got {actual}. The file was discarded.");
                }

                File.Move(part, local, overwrite: true);
                pulled.Add(new PulledFile(repositoryPath, local, actual, bytes));
            }
            finally
            {
                if (File.Exists(part))
                {
                    File.Delete(part);
                }
            }
        }

        return pulled;
    }

    /// <summary>
    /// Where a pull goes without <c>--out</c>: a registry embedding model (found by its hub id) into the model cache
    /// under its registry name, where an index created with that name finds it; any other model (a cross-encoder)
    /// under <c>{data}/models/{org_name}</c>.
    /// </summary>
    public static string DefaultDestination(string modelId, string cacheRoot, string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        return ModelRegistry.ByHubId(modelId) is { } definition
            ? Path.Combine(cacheRoot, definition.Name)
            : Path.Combine(dataDirectory, "models", modelId.Replace('/', '_'));
    }

    /// <summary>The files a registry model's folder lacks (its graph and the tokenizer file its kind reads); empty when complete.</summary>
    public static IReadOnlyList<string> MissingFiles(ModelDefinition definition, string folder)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new[] { ModelFiles.OnnxFileName, ModelFiles.TokenizerFileName(definition.Tokenizer) }
            .Where(f => !File.Exists(Path.Combine(folder, f)))
            .ToList();
    }

    /// <summary>SHA-256 (lower-case hex) of a local file, for writing a manifest from files one trusts.</summary>
    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private sealed record ManifestFile(Dictionary<string, PullManifestEntry>? Models);
}
