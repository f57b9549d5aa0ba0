using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagService.Api.Conversations;
using RagService.Core.Options;
using RagService.Generation.Citations;
using RagService.Generation.Extractive;
using RagService.Generation.Llm;
using RagService.Indexing.Lexical.Lucene;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Retrieval;
using RagService.Retrieval.Context;
using RagService.Api.Telemetry;
using RagService.Api.LoadShedding;

namespace RagService.Api.Hosting.Validation;

/// <summary>
/// Every configuration section the service reads is validated when the host starts (<c>ValidateOnStart</c>):
/// a bad value or an unknown key stops the start with a message naming the setting. Outside a host (the
/// CLI's container) the same validators run when a section is first read.
/// </summary>
public static class SettingsValidation
{
    /// <summary>
    /// Binds the tunable sections that had no binding (Chunking, Deduplication, Ocr, ExtractiveAnswer,
    /// CitationVerifier, Telemetry, LoadShedding) and validates those and the ones bound elsewhere (Rag, Lexical, Retrieval,
    /// AnswerContext, Llm, Conversations), which this does not bind again.
    /// </summary>
    public static IServiceCollection AddValidatedSettings(this IServiceCollection services)
    {
        services.AddOptions<ChunkingOptions>().BindConfiguration(ChunkingOptionsValidator.Section);
        services.AddOptions<DeduplicationOptions>().BindConfiguration(DeduplicationOptionsValidator.Section);
        services.AddOptions<OcrOptions>().BindConfiguration(OcrOptionsValidator.Section);
        services.AddOptions<ExtractiveAnswerOptions>().BindConfiguration(ExtractiveAnswerOptionsValidator.Section);
        services.AddOptions<CitationVerifierOptions>().BindConfiguration(CitationVerifierOptionsValidator.Section);
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section);
        services.AddOptions<LoadSheddingOptions>().BindConfiguration(LoadSheddingOptions.Section);

        Validate<RagOptions, RagOptionsValidator>(services);
        Validate<Security.RagAuthOptions, AuthOptionsValidator>(services);
        Validate<LuceneLexicalIndexOptions, LexicalOptionsValidator>(services);
        Validate<RetrievalOptions, RetrievalOptionsValidator>(services);
        Validate<AnswerContextOptions, AnswerContextOptionsValidator>(services);
        Validate<LlmOptions, LlmOptionsValidator>(services);
        Validate<ChunkingOptions, ChunkingOptionsValidator>(services);
        Validate<DeduplicationOptions, DeduplicationOptionsValidator>(services);
        Validate<OcrOptions, OcrOptionsValidator>(services);
        Validate<ExtractiveAnswerOptions, ExtractiveAnswerOptionsValidator>(services);
        Validate<CitationVerifierOptions, CitationVerifierOptionsValidator>(services);
        Validate<TelemetryOptions, TelemetryOptionsValidator>(services);
        Validate<ConversationOptions, ConversationOptionsValidator>(services);
        Validate<LoadSheddingOptions, LoadSheddingOptionsValidator>(services);
        return services;
    }

    private static void Validate<TOptions, TValidator>(IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.AddOptions<TOptions>().ValidateOnStart();
    }
}
