using Microsoft.Extensions.Options;
using RagService.Core.Llm;
using RagService.Generation.Llm;
using RagService.Retrieval.Rewriting;

namespace RagService.Api.Hosting;

/// <summary>
/// The LLM from the "Llm" configuration section, when one is configured (<see cref="LlmOptions.IsConfigured"/>):
/// the Semantic Kernel chat model shared by answer generation and query rewriting. Null members mean
/// no LLM: answers stay extractive and the "rewrite" search stage reports "no LLM configured".
/// </summary>
public sealed class ConfiguredLlm(IOptions<LlmOptions> options)
{
    private readonly Lazy<IChatModel?> chat = new(() => options.Value.IsConfigured ? new SemanticKernelChatModel(options.Value) : null);

    public LlmOptions Options => options.Value;

    public IChatModel? Chat => chat.Value;

    public IQueryRewriter? Rewriter => Chat is { } model ? new LlmQueryRewriter(model) : null;
}
