using Microsoft.Extensions.Options;
using RagService.Core.Llm;
using RagService.Generation.Llm;
using RagService.Core.Models;
using RagService.Retrieval;
using RagService.Retrieval.Reranking;
using RagService.Retrieval.Rewriting;

namespace RagService.Api.Hosting;

/// <summary>
/// The LLM from the "Llm" configuration section, when one is configured (<see cref="LlmOptions.IsConfigured"/>):
/// the Semantic Kernel chat model shared by answer generation, query rewriting and LLM reranking. Null
/// members mean no LLM: answers stay extractive and the "rewrite" and "llm-rerank" search stages report
/// "no LLM configured". Calls go through the resilient HTTP client of <see cref="LlmHttpResilience"/>.
/// </summary>
public sealed class ConfiguredLlm(IOptions<LlmOptions> options, IOptions<RetrievalOptions>? retrieval = null, IHttpClientFactory? httpClients = null)
{
    private readonly Lazy<IChatModel?> chat = new(() => options.Value.IsConfigured
        ? new SemanticKernelChatModel(options.Value, httpClients?.CreateClient(LlmHttpResilience.ClientName))
        : null);

    public LlmOptions Options => options.Value;

    public IChatModel? Chat => chat.Value;

    public IQueryRewriter? Rewriter => Chat is { } model ? new LlmQueryRewriter(model) : null;

    /// <summary>The listwise LLM reranker of the "llm-rerank" stage.</summary>
    public IReranker? Reranker => Chat is { } model
        ? new LlmListwiseReranker(model, retrieval?.Value.LlmRerankPassageChars ?? new RetrievalOptions().LlmRerankPassageChars)
        : null;
}
