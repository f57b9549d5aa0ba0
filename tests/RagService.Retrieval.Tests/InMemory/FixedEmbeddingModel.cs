using System.Collections.Concurrent;
using RagService.Core.Models;

namespace RagService.Retrieval.Tests.InMemory;

/// <summary>An embedding model that returns the vector a test assigned to each text (zeros otherwise).</summary>
/// <param name="languages">What the model declares it covers; all languages unless a test says otherwise.</param>
public sealed class FixedEmbeddingModel(int dimensions, IReadOnlyDictionary<string, float[]> vectors, LanguageCoverage? languages = null) : IEmbeddingModel
{
    public ConcurrentQueue<(string Text, EmbeddingPurpose Purpose)> Calls { get; } = new();

    /// <summary>Runs at the start of every call; lets a test observe concurrency.</summary>
    public Action? OnEmbed { get; set; }

    public string Name => "fixed-test";

    public int Dimensions => dimensions;

    public int MaxTokens => 512;

    public LanguageCoverage Languages => languages ?? LanguageCoverage.All;

    public int CountTokens(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        OnEmbed?.Invoke();
        foreach (var text in texts)
        {
            Calls.Enqueue((text, purpose));
        }

        return Task.FromResult(texts.Select(t => vectors.TryGetValue(t, out var v) ? v : new float[dimensions]).ToArray());
    }
}
