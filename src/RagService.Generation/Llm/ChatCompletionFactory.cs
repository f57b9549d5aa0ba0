// The endpoint-taking constructor is marked experimental (SKEXP0010); it is the documented way to reach
// OpenAI-compatible servers and Azure's v1 surface with the OpenAI connector.
#pragma warning disable SKEXP0010

using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace RagService.Generation.Llm;

/// <summary>Builds the Semantic Kernel chat-completion service for <see cref="LlmOptions"/>.</summary>
public static class ChatCompletionFactory
{
    public static IChatCompletionService Create(LlmOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException("No LLM is configured (Llm:Endpoint or Llm:ApiKey).");
        }

        // The per-call timeout is enforced by the callers with a CancellationToken; the HttpClient gets a
        // little more so that the token, not the client, decides.
        httpClient ??= new HttpClient { Timeout = options.Timeout + TimeSpan.FromSeconds(5) };
        var model = options.EffectiveModel;
        var apiKey = string.IsNullOrWhiteSpace(options.ApiKey) ? "unused" : options.ApiKey;
        switch (options.ParsedProvider)
        {
            case LlmProvider.OpenAI when string.IsNullOrWhiteSpace(options.Endpoint):
                return new OpenAIChatCompletionService(model, apiKey, httpClient: httpClient);
            case LlmProvider.Azure:
                // Azure OpenAI's v1 API speaks the OpenAI protocol under {resource}/openai/v1.
                var azure = options.Endpoint ?? throw new InvalidOperationException("Llm:Endpoint is required for the azure provider.");
                var baseUri = azure.TrimEnd('/').EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase) ? azure : azure.TrimEnd('/') + "/openai/v1";
                return new OpenAIChatCompletionService(model, new Uri(baseUri), apiKey, httpClient: httpClient);
            default:
                return new OpenAIChatCompletionService(model, new Uri(options.Endpoint!), apiKey, httpClient: httpClient);
        }
    }
}
