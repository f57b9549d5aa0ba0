using System.ComponentModel;

namespace RagService.Api.Contracts;

public sealed record ContentHashQuery
{
    [Description("SHA-256 of each file's bytes, lower-case hex (at most 10,000 per request).")]
    public IReadOnlyList<string>? Hashes { get; init; }
}

/// <summary>A file the index already holds: the document whose newest version has those bytes, and its status.</summary>
public sealed record KnownContent(string ContentHash, string DocumentId, string Status)
{
    [Description("The uploaded file's name.")]
    public string? FileName { get; init; }

    [Description("For a failed document: the step that failed (a batch client prints its failures without asking document by document).")]
    public string? FailedStep { get; init; }

    [Description("For a failed document: why.")]
    public string? Error { get; init; }
}

public sealed record ContentHashAnswer(
    [property: Description("The asked hashes the index already holds; a hash not listed is new to the index.")] IReadOnlyList<KnownContent> Known);
