using System.ComponentModel;

namespace RagService.Api.Contracts;

public sealed record ContentHashQuery
{
    [Description("SHA-256 of each file's bytes, lower-case hex (at most 10,000 per request).")]
    public IReadOnlyList<string>? Hashes { get; init; }
}

/// <summary>A file the index already holds: the document whose newest version has those bytes, and its status.</summary>
public sealed record KnownContent(string ContentHash, string DocumentId, string Status);

public sealed record ContentHashAnswer(
    [property: Description("The asked hashes the index already holds; a hash not listed is new to the index.")] IReadOnlyList<KnownContent> Known);
