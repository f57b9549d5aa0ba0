using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using OpenAI.Chat;
using RagService.Core.Answers;
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
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            var reply = await chat.GetChatMessageContentAsync(History(systemPrompt, userMessage), Settings(), kernel: null, timeout.Token).ConfigureAwait(false);
            if (reply.Metadata?.GetValueOrDefault("Usage") is ChatTokenUsage usage)
            {
                LlmTelemetry.Used(Name, usage.InputTokenCount, usage.OutputTokenCount);
            }

            return reply.Content ?? string.Empty;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LlmTelemetry.Failed(Name, "timeout");
            throw TimedOut();
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

    /// <summary>
    /// Semantic Kernel's streaming completion; the whole stream shares the per-call timeout. The OpenAI
    /// connector asks for usage with the stream and reports it in the last update's "Usage" metadata.
    /// </summary>
    public async IAsyncEnumerable<ChatDelta> StreamAsync(string systemPrompt, string userMessage, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var updates = chat.GetStreamingChatMessageContentsAsync(History(systemPrompt, userMessage), Settings(), kernel: null, timeout.Token);
        await using var enumerator = updates.GetAsyncEnumerator(timeout.Token);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut();
            }

            var update = enumerator.Current;
            var usage = update.Metadata is { } metadata && metadata.TryGetValue("Usage", out var value) && value is ChatTokenUsage tokens
                ? new TokenUsage(tokens.InputTokenCount, tokens.OutputTokenCount)
                : null;
            if (usage is not null)
            {
                LlmTelemetry.Used(Name, usage.PromptTokens, usage.CompletionTokens);
            }

            if (!string.IsNullOrEmpty(update.Content) || usage is not null)
            {
                yield return new ChatDelta(update.Content ?? string.Empty, usage);
            }
        }
    }

    private static ChatHistory History(string systemPrompt, string userMessage)
    {
        var history = new ChatHistory();
        history.AddSystemMessage(systemPrompt);
        history.AddUserMessage(userMessage);
        return history;
    }

    private OpenAIPromptExecutionSettings Settings() => new() { Temperature = options.Temperature, MaxTokens = options.MaxTokens };

    private TimeoutException TimedOut() => new($"The LLM did not answer within {options.Timeout.TotalSeconds:0.#} s.");
}
