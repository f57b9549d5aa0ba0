using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using RagService.Api.Endpoints;
using RagService.Api.Hosting.Validation;
using RagService.Api.Ingestion;
using RagService.Api.Querying;
using RagService.Api.Security;
using RagService.Api.Telemetry;
using RagService.Api.LoadShedding;
using RagService.Retrieval;
using RagService.Retrieval.Context;
using RagService.Core.Answers;
using RagService.Generation.Citations;
using RagService.Generation.Extractive;
using RagService.Generation.Llm;
using RagService.Indexing;
using RagService.Indexing.Lexical.Lucene;
using RagService.Core.Options;
using RagService.Ingestion;
using RagService.Ingestion.Parsing.Ocr;

namespace RagService.Api.Hosting;

/// <summary>The composition root: which implementation backs each stage on the embedded defaults.</summary>
public static class RagServiceExtensions
{
    public static WebApplicationBuilder AddRagService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RagOptions>().BindConfiguration(RagOptions.Section);
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        services.AddRagCore();
        services.AddRagSecurity();
        services.AddHostedService<IngestionWorker>();
        builder.AddRagTelemetry();
        services.AddLoadShedding();
        return builder;
    }

    /// <summary>Everything but the HTTP host: shared by the API and the CLI's in-process commands.</summary>
    public static IServiceCollection AddRagCore(this IServiceCollection services)
    {
        services.AddValidatedSettings();
        services.AddSingleton(sp => new EmbeddingModelProvider(
            sp.GetRequiredService<IOptions<RagOptions>>().Value,
            sp.GetRequiredService<IOptions<ChunkingOptions>>().Value,
            sp.GetRequiredService<IOptions<DeduplicationOptions>>().Value));
        services.AddSingleton(sp => new IndexRegistry(
            sp.GetRequiredService<IOptions<RagOptions>>().Value.DataDirectory,
            EmbeddedBackends.Create(sp.GetRequiredService<IOptions<LuceneLexicalIndexOptions>>().Value)));
        services.AddOptions<LuceneLexicalIndexOptions>().BindConfiguration("Lexical");
        // One OCR engine pool for the host, sized and limited by the "Ocr" section.
        services.AddSingleton(sp => new OcrEnginePool(sp.GetRequiredService<IOptions<OcrOptions>>().Value));
        services.AddSingleton(sp => IngestionPipeline.CreateDefault(sp.GetService<ILogger<IngestionPipeline>>(), sp.GetRequiredService<OcrEnginePool>()));
        services.AddSingleton<DocumentIngestor>();
        services.AddSingleton<IngestionQueue>();
        services.AddOptions<RetrievalOptions>().BindConfiguration("Retrieval");
        services.AddSingleton<SearchService>();
        services.AddOptions<AnswerContextOptions>().BindConfiguration(AnswerContextOptions.Section);
        // An LLM (Semantic Kernel: OpenAI, Azure OpenAI or any OpenAI-compatible server) when "Llm" is
        // configured: it writes the answers (extractive on failure) and backs the "rewrite" stage.
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.Section);
        services.AddLlmHttpClient();
        services.AddSingleton<ConfiguredLlm>();
        services.AddSingleton(sp => new ExtractiveAnswerGenerator(sp.GetRequiredService<IOptions<ExtractiveAnswerOptions>>().Value));
        services.AddSingleton<IAnswerGenerator>(sp => sp.GetRequiredService<ConfiguredLlm>() is { Chat: { } chat } llm
            ? new LlmAnswerGenerator(chat, llm.Options, sp.GetRequiredService<ExtractiveAnswerGenerator>(), new CitationVerifier(sp.GetRequiredService<IOptions<CitationVerifierOptions>>().Value), sp.GetService<ILogger<LlmAnswerGenerator>>())
            : sp.GetRequiredService<ExtractiveAnswerGenerator>());
        return services;
    }

    public static WebApplication MapRagService(this WebApplication app)
    {
        app.MapServiceDefaults();
        app.UseRagSecurity();
        app.UseRateLimiter();
        app.MapRagMetrics();
        var v1 = app.MapGroup("/v1").AddEndpointFilter<ProblemResultFilter>();
        v1.MapIndexesApi();
        v1.MapDocumentsApi();
        v1.MapQueryApi();
        return app;
    }

    private sealed class KestrelLimits(IOptions<RagOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel) => kestrel.Limits.MaxRequestBodySize = options.Value.MaxRequestBytes;
    }
}
