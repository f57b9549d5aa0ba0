namespace RagService.Core.Llm;

/// <summary>
/// One chat completion: a system prompt and a user message in, the assistant's text out. The small
/// seam that answer generation and query rewriting share, so Retrieval needs no LLM SDK; the
/// implementation (Generation's <c>SemanticKernelChatModel</c>) goes through Semantic Kernel.
/// </summary>
public interface IChatModel
{
    /// <summary>The model id, reported in answers and traces.</summary>
    string Name { get; }

    Task<string> CompleteAsync(string systemPrompt, string userMessage, CancellationToken cancellationToken);
}
