using RagService.Core.Chunks;

namespace RagService.Api.Contracts;

internal static class ChunkMapping
{
    public static ChunkDto ToDto(Chunk c) => new(
        c.Id, c.DocumentId, c.DocumentVersion, c.Ordinal, c.Text, c.Title, c.FileName, c.SectionPath,
        c.PageStart, c.PageEnd, c.BlockIds, c.TokenCount, c.ContentHash)
    {
        SectionLevels = c.SectionLevels,
        Boxes = c.Boxes.Select(b => new PageBoxDto(b.Page, b.Box.Left, b.Box.Bottom, b.Box.Right, b.Box.Top)).ToList(),
        PreviousChunkId = c.PreviousChunkId,
        NextChunkId = c.NextChunkId,
        ParentSectionId = c.ParentSectionId,
        DuplicateOf = c.DuplicateOf,
        Flags = c.Flags,
        Language = c.Language,
        LexicalOnly = c.LexicalOnly,
    };
}
