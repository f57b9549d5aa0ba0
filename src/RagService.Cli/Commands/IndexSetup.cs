using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Indexing;

namespace RagService.Cli.Commands;

internal static class IndexSetup
{
    /// <summary>Opens the index, creating it from --model / --chunk-tokens / --header when it does not exist yet.</summary>
    public static IndexStore OpenOrCreate(IServiceProvider services, string index, CommandLine line)
    {
        var registry = services.GetRequiredService<IndexRegistry>();
        if (registry.Open(index) is { } existing)
        {
            return existing;
        }

        if (!IndexRegistry.IsValidName(index))
        {
            throw new UsageException($"Invalid index name '{index}': use lower-case letters, digits, '-' and '_'.");
        }

        var models = services.GetRequiredService<EmbeddingModelProvider>();
        var model = line.Get("model") ?? services.GetRequiredService<IOptions<RagOptions>>().Value.DefaultEmbeddingModel;
        if (!models.IsKnown(model))
        {
            throw new UsageException($"Unknown model '{model}'. Known: {string.Join(", ", models.Names)}.");
        }

        bool? header = line.Get("header") is { } h ? bool.Parse(h) : null;
        var chunkTokens = line.Get("chunk-tokens") is not null ? line.GetInt("chunk-tokens", 0) : (int?)null;
        return registry.Create(index, models.NewIndexSettings(model, chunkTokens, header)).Store;
    }

    public static IndexStore OpenExisting(IServiceProvider services, string index) =>
        services.GetRequiredService<IndexRegistry>().Open(index)
            ?? throw new UsageException($"There is no index '{index}' under the data folder.");
}
