using RagService.Core.Chunks;
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

    /// <summary>First page of the cited text; null where the format has no pages (DOCX, HTML, Markdown, text): the section path locates it.</summary>
    public int? PageStart { get; init; }

    /// <summary>Last page of the cited text; null where the format has no pages.</summary>
    public int? PageEnd { get; init; }

    public required string Snippet { get; init; }
    public float Score { get; init; }

    /// <summary>
    /// The same text in other documents (near-duplicates linked to the cited chunk at ingestion: the policy
    /// uploaded as DOCX and as PDF is indexed once), each with its own section and pages, so every copy
    /// is one click away. Empty when there is none.
    /// </summary>
    public IReadOnlyList<CitationCopy> Copies { get; init; } = [];

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
            PageStart = PagesOf(chunk)?.Start,
            PageEnd = PagesOf(chunk)?.End,
            Snippet = snippet,
            Score = hit.Score,
        };
    }

    /// <summary>
    /// The chunk's pages, or null when its format has none. A chunk has pages when its blocks were laid out
    /// on pages (PDF text, scans and images: they carry page boxes); flowing formats (DOCX, HTML, Markdown,
    /// text) have no boxes, and the page numbers the chunker defaults to would point at nothing.
    /// </summary>
    public static (int Start, int End)? PagesOf(Chunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return chunk.Boxes.Count > 0 ? (chunk.PageStart, chunk.PageEnd) : null;
    }
}

/// <summary>Another document holding the cited text: where to open it.</summary>
public sealed record CitationCopy(string DocumentId, string ChunkId, string? FileName, string? Title, IReadOnlyList<string> SectionPath, int? PageStart, int? PageEnd)
{
    public static CitationCopy Of(Chunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var pages = Citation.PagesOf(chunk);
        return new CitationCopy(chunk.DocumentId, chunk.Id, chunk.FileName, chunk.Title, chunk.SectionPath, pages?.Start, pages?.End);
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
