using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Indexing;

namespace RagService.Api.Tests;

/// <summary>The ingestion batch report accounts for the second-stage model's pass (the CLI's composition, no HTTP).</summary>
public sealed class SecondStageIngestionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("auto", true)]
    [InlineData("none", false)]
    public async Task The_batch_report_counts_chunks_embedded_with_the_second_model(string secondModel, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rag:DataDirectory"] = _dir.File("data-" + secondModel),
            ["Retrieval:SecondStageModel"] = secondModel,
            ["Retrieval:SecondStageIngestSlice"] = "1",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddOptions<RagOptions>().Bind(configuration.GetSection(RagOptions.Section));
        services.AddRagCore();
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<RagOptions>>().Value;
        var registry = provider.GetRequiredService<IndexRegistry>();
        var store = registry.Create("kb", provider.GetRequiredService<EmbeddingModelProvider>().NewIndexSettings("minilm", null, null)).Store;
        foreach (var (id, text) in new[] { ("a", "# Backups\n\nBackups are kept for ninety days."), ("b", "# Laptops\n\nLaptops are replaced every four years.") })
        {
            using var body = new MemoryStream(Encoding.UTF8.GetBytes(text));
            var received = await BlobStore.StoreAsync(body, id + ".md", registry.BlobFolder("kb"), options.MaxUploadBytes, default);
            Assert.True((await DocumentIntake.AdmitAsync(store, received, id, new Dictionary<string, string>(), options.MaxUploadBytes, default)).Enqueued);
        }

        var report = await provider.GetRequiredService<DocumentIngestor>().DrainAsync(store, 10, 1, null, default);

        Assert.Equal(2, report.Ready);
        Assert.Equal(expected ? report.Chunks : 0, report.SecondEmbedded);
        Assert.Equal(expected, report.SecondEmbed > TimeSpan.Zero);
        Assert.True(report.Embed >= report.SecondEmbed);
    }

    public void Dispose() => _dir.Dispose();
}
