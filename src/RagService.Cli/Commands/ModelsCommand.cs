using RagService.Models.Registry;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag models pull &lt;hf-model-id&gt; --manifest FILE [--endpoint URL] [--out DIR]</c>: downloads a
/// cross-encoder's or a registry embedding model's (multilingual-e5-small, bge-m3, bge-small-zh: into the model
/// cache under its registry name) files from a Hugging Face–style hub and verifies each file's SHA-256 against the
/// manifest before keeping it. Without a manifest entry nothing is downloaded: checksums are never
/// taken on trust from the server being checked.
/// </summary>
public static class ModelsCommand
{
    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var modelId = line.Positional[0];
        var manifestPath = line.Get("manifest") ?? Path.Combine(AppContext.BaseDirectory, "models.manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new UsageException($"No manifest at '{manifestPath}': pass --manifest FILE listing the files of '{modelId}' with their SHA-256 (see the Retrieval quality section of docs/benchmarks.md).");
        }

        var manifest = ModelPuller.ReadManifest(manifestPath);
        if (!manifest.TryGetValue(modelId, out var entry))
        {
            throw new UsageException($"The manifest '{manifestPath}' has no entry for '{modelId}'.");
        }

        var registered = ModelRegistry.ByHubId(modelId);
        var destination = line.Get("out") ?? ModelPuller.DefaultDestination(modelId, new ModelCache().Root, line.Get("data") ?? "data");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        var pulled = await new ModelPuller(http).PullAsync(modelId, entry, destination, line.Get("endpoint") ?? ModelPuller.DefaultEndpoint, ct);
        foreach (var file in pulled)
        {
            AnsiConsole.MarkupLineInterpolated($"[green]verified[/] {file.RepositoryPath} → {file.LocalPath} ({file.Bytes:N0} bytes, sha256 {file.Sha256})");
        }

        if (registered is null)
        {
            AnsiConsole.MarkupLineInterpolated($"Use it: Retrieval__RerankerModelPath={destination}");
            return 0;
        }

        // A registry embedding model must have the files its tokenizer kind reads, under the names it reads them by.
        var missing = ModelPuller.MissingFiles(registered, destination);
        if (missing.Count > 0)
        {
            throw new UsageException($"'{modelId}' is the registry model '{registered.Name}', which needs {string.Join(" and ", missing)} in '{destination}': list them in the manifest (for example onnx/model.onnx).");
        }

        AnsiConsole.MarkupLineInterpolated($"Use it: create an index with \"embeddingModel\": \"{registered.Name}\" ({registered.Tokenizer}, {registered.Pooling} pooling, languages {registered.Languages})");
        return 0;
    }
}
