using RagService.Core.Search;

namespace RagService.Core.Answers;

/// <summary>A source cited by an answer as [Marker].</summary>
public sealed record Citation
{
    public required int Marker { get; init; }
    public required string DocumentId { get; init; }
    public required string ChunkId { get; init; }
    public string? FileName { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<string> SectionPath { get; init; } = [];
    public int PageStart { get; init; }
    public int PageEnd { get; init; }
    public required string Snippet { get; init; }
    public float Score { get; init; }

    /// <summary>A citation of a retrieved hit: the chunk's provenance, the supporting snippet and the hit's score.</summary>
    public static Citation FromHit(int marker, SearchHit hit, string snippet)
    {
        var chunk = hit.Chunk;
        return new Citation
        {
            Marker = marker,
            DocumentId = chunk.DocumentId,
            ChunkId = chunk.Id,
            FileName = chunk.FileName,
            Title = chunk.Title,
            SectionPath = chunk.SectionPath,
            PageStart = chunk.PageStart,
            PageEnd = chunk.PageEnd,
            Snippet = snippet,
            Score = hit.Score,
        };
    }
}

public sealed record Answer
{
    public required string Text { get; init; }
    public required IReadOnlyList<Citation> Citations { get; init; }
    public bool NoAnswer { get; init; }

    /// <summary>"extractive" or the LLM's model id.</summary>
    public required string GeneratedBy { get; init; }
}

/// <summary>Writes an answer to a question from retrieved hits, citing them with [n] markers.</summary>
public interface IAnswerGenerator
{
    Task<Answer> GenerateAsync(string question, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken);
}
