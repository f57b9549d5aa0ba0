namespace RagService.Generation.Llm;

/// <summary>Which kind of server answers chat completions.</summary>
public enum LlmProvider
{
    /// <summary>api.openai.com (or <see cref="LlmOptions.Endpoint"/> when given).</summary>
    OpenAI,

    /// <summary>
    /// Azure OpenAI through its OpenAI-compatible v1 surface (<c>{Endpoint}/openai/v1</c>), the deployment
    /// name as the model. Not exercised against a real Azure resource here.
    /// </summary>
    Azure,

    /// <summary>Any server speaking the OpenAI chat-completions protocol (vLLM, llama.cpp, Ollama, LM Studio…).</summary>
    OpenAICompatible,
}

/// <summary>
/// The LLM used for answers, query rewriting and LLM reranking, bound from the configuration section "Llm". With neither
/// <see cref="Endpoint"/> nor <see cref="ApiKey"/> set, no LLM is configured and answers stay extractive.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>openai, azure or openai-compatible (dashes and case ignored).</summary>
    public string Provider { get; set; } = "openai-compatible";

    /// <summary>Base URL, e.g. <c>http://localhost:8000/v1</c> for an OpenAI-compatible server (requests go to <c>{Endpoint}/chat/completions</c>).</summary>
    public string? Endpoint { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>The model id (OpenAI, compatible servers) or, for Azure, the deployment name when <see cref="Deployment"/> is empty.</summary>
    public string Model { get; set; } = "gpt-4o-mini";

    public string? Deployment { get; set; }

    public double Temperature { get; set; }

    public int MaxTokens { get; set; } = 800;

    /// <summary>
    /// Per LLM call; past it the answer falls back to extractive. Query rewriting and LLM reranking also have
    /// their own, usually shorter, budgets (<c>Retrieval:RewriteBudgetMs</c>, <c>Retrieval:LlmRerankBudgetMs</c>).
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Retries of one call after a 408, 429, 5xx or a connection failure, with exponential backoff and jitter from
    /// <see cref="RetryDelay"/> (a server's Retry-After is honoured); all within <see cref="Timeout"/>.
    /// </summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; each further retry waits about twice as long.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>One HTTP attempt's limit, so a hung attempt is retried instead of spending the whole <see cref="Timeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many of the top hits are shown to the LLM as numbered sources.</summary>
    public int MaxSources { get; set; } = 6;

    /// <summary>Each source's text is cut to this many characters in the prompt.</summary>
    public int MaxSourceChars { get; set; } = 2000;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) || !string.IsNullOrWhiteSpace(ApiKey);

    public LlmProvider ParsedProvider => Provider.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "openai" => LlmProvider.OpenAI,
        "azure" or "azureopenai" => LlmProvider.Azure,
        "openaicompatible" or "compatible" => LlmProvider.OpenAICompatible,
        _ => throw new InvalidOperationException($"Llm:Provider '{Provider}' is not one of openai, azure, openai-compatible."),
    };

    /// <summary>The model name sent with each request: the deployment for Azure when given.</summary>
    public string EffectiveModel => ParsedProvider == LlmProvider.Azure && !string.IsNullOrWhiteSpace(Deployment) ? Deployment! : Model;
}
