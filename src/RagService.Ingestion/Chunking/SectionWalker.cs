using RagService.Core.Documents;

namespace RagService.Ingestion.Chunking;

/// <summary>Walks a document's blocks section by section, for the chunker.</summary>
internal static class SectionWalker
{
    /// <summary>
    /// Cuts the block stream at headings. Consecutive headings ("2 Installation" directly followed by
    /// "2.1 Linux") form one run that is carried into the first chunk of the deepest one. The document's
    /// title heading is carried into the first chunk too, but is not part of any section path.
    /// </summary>
    public static IEnumerable<ChunkSection> Walk(DocumentTree tree)
    {
        var sections = new SectionPathTracker(tree);
        var headings = new List<DocumentBlock>();
        var body = new List<DocumentBlock>();

        ChunkSection Current() => new(sections.Path, sections.Levels, sections.SectionId, headings.ToArray(), body.ToArray());

        foreach (var block in tree.Blocks)
        {
            if (block.Kind == BlockKind.Heading)
            {
                if (body.Count > 0)
                {
                    yield return Current();
                    headings.Clear();
                    body.Clear();
                }

                sections.Enter(block);
                headings.Add(block);
            }
            else
            {
                body.Add(block);
            }
        }

        if (body.Count > 0 || headings.Count > 0)
        {
            yield return Current();
        }
    }
}
