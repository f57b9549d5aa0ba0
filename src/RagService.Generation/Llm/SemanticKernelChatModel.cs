using System.Diagnostics;
using System.Globalization;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI.Chat;
using RagService.Core.Llm;

namespace RagService.Generation.Llm;

/// <summary>
/// <see cref="IChatModel"/> through a Semantic Kernel <see cref="IChatCompletionService"/>, with the
/// configured temperature, token limit and a per-call timeout (a timeout surfaces as <see cref="TimeoutException"/>), counting
/// calls, tokens and failures (<see cref="LlmTelemetry"/>).
/// </summary>
public sealed class SemanticKernelChatModel(IChatCompletionService chat, LlmOptions options) : IChatModel
{
    public SemanticKernelChatModel(LlmOptions options, HttpClient? httpClient = null)
        : this(ChatCompletionFactory.Create(options, httpClient), options)
    {
    }

    public string Name => options.EffectiveModel;

    public async Task<string> CompleteAsync(string systemPrompt, string userMessage, CancellationToken cancellationToken)
    {
        var history = new ChatHistory();
        history.AddSystemMessage(systemPrompt);
        history.AddUserMessage(userMessage);
        var settings = new OpenAIPromptExecutionSettings { Temperature = options.Temperature, MaxTokens = options.MaxTokens };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            var reply = await chat.GetChatMessageContentAsync(history, settings, kernel: null, timeout.Token).ConfigureAwait(false);
            if (reply.Metadata?.GetValueOrDefault("Usage") is ChatTokenUsage usage)
            {
                LlmTelemetry.Used(Name, usage.InputTokenCount, usage.OutputTokenCount);
            }

            return reply.Content ?? string.Empty;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LlmTelemetry.Failed(Name, "timeout");
            throw new TimeoutException($"The LLM did not answer within {options.Timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LlmTelemetry.Failed(Name, e is HttpOperationException { StatusCode: { } status } ? ((int)status).ToString(CultureInfo.InvariantCulture) : e.GetType().Name);
            throw;
        }
        finally
        {
            LlmTelemetry.Call(Name, clock.Elapsed);
        }
    }
}
