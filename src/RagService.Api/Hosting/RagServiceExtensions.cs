using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagService.Api.Conversations;
using RagService.Api.Dashboard;
using RagService.Retrieval.FollowUps;
using Microsoft.Extensions.Options;
using RagService.Api.Endpoints;
using RagService.Api.Hosting.Validation;
using RagService.Api.Ingestion;
using RagService.Api.Mcp;
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
using RagService.Indexing.Storage;
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
        services.AddRagSecurity(builder.Configuration);
        services.AddHostedService<IndexStartup>();
        services.AddRagMcp();
        services.AddHostedService<IngestionWorker>();
        services.AddHealthChecks().AddCheck<IndexHealthCheck>("indexes");
        builder.AddRagTelemetry();
        services.AddLoadShedding();
        services.AddSingleton<EvalRuns.EvalRunStore>();
        services.AddSingleton<EvalRuns.EvalRunner>();
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
            EmbeddedBackends.Create(sp.GetRequiredService<IOptions<LuceneLexicalIndexOptions>>().Value),
            sp.GetService<ILogger<IndexRegistry>>()));
        services.AddOptions<LuceneLexicalIndexOptions>().BindConfiguration("Lexical");
        // One OCR engine pool for the host, sized and limited by the "Ocr" section.
        services.AddSingleton(sp => new OcrEnginePool(sp.GetRequiredService<IOptions<OcrOptions>>().Value));
        services.AddSingleton(sp => IngestionPipeline.CreateDefault(sp.GetService<ILogger<IngestionPipeline>>(), sp.GetRequiredService<OcrEnginePool>()));
        services.AddSingleton<DocumentIngestor>();
        services.AddSingleton<IngestionQueue>();
        services.AddOptions<RetrievalOptions>().BindConfiguration("Retrieval");
        services.AddSingleton<SearchService>();
        services.AddSingleton<AskService>();
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
        AddConversations(services);
        return services;
    }

    /// <summary>Conversations and follow-up rewriting: by the LLM when one is configured, else by rules.</summary>
    private static void AddConversations(IServiceCollection services)
    {
        services.AddOptions<ConversationOptions>().BindConfiguration(ConversationOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ConversationStore(
            sp.GetRequiredService<IOptions<RagOptions>>(), sp.GetRequiredService<IOptions<ConversationOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IFollowUpRewriter>(sp => sp.GetRequiredService<ConfiguredLlm>().Chat is { } chat
            ? new LlmFollowUpRewriter(chat, TimeSpan.FromMilliseconds(sp.GetRequiredService<IOptions<RetrievalOptions>>().Value.RewriteBudgetMs))
            : new RuleFollowUpRewriter());
        services.AddSingleton<ConversationTurns>();
    }

    public static WebApplication MapRagService(this WebApplication app)
    {
        app.MapServiceDefaults();
        // Authentication, then the rate limiter (per caller, and the query routes' load shedding), then time limits.
        app.UseRagSecurity();
        app.MapRagMetrics();
        var v1 = app.MapGroup("/v1").AddEndpointFilter<ProblemResultFilter>().AddEndpointFilter<IndexFailureFilter>();
        v1.WithRequestTimeout(RequestLimits.TimeoutPolicy);
        v1.MapIndexesApi();
        v1.MapDocumentsApi();
        v1.MapQueryApi();
        v1.MapKeysApi();
        v1.MapAuthApi();
        v1.MapTenantsApi();
        v1.MapStatsApi();
        v1.MapSettingsApi();
        v1.MapEvaluationApi();
        v1.MapConversationsApi();
        v1.MapOpenAiApi();
        app.MapRagMcp();
        app.MapRagDashboard();
        return app;
    }

    /// <summary>
    /// Runs the service until it stops. Exit code 1 with the reason on stderr, and nothing changed, when another
    /// process holds the data folder (one writer per folder).
    /// </summary>
    public static async Task<int> RunRagServiceAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (DataFolderLockedException e)
        {
            await Console.Error.WriteLineAsync($"{e.Message} Stop that process first, or point this service at another data folder (Rag:DataDirectory).");
            return 1;
        }
    }

    private sealed class KestrelLimits(IOptions<RagOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel) => kestrel.Limits.MaxRequestBodySize = options.Value.MaxRequestBytes;
    }
}
