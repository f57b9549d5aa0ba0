using RagService.Core.Answers;
using RagService.Core.Jobs;
using RagService.Core.Security;

namespace RagService.Api.Querying;

/// <summary>
/// Adds to each citation the other documents that hold the same text. Near-duplicates are linked at
/// ingestion, not indexed twice (<see cref="RagService.Core.Chunks.Chunk.DuplicateOf"/>), so retrieval only
/// ever cites the first copy; the same policy uploaded as DOCX and PDF would otherwise be cited as the DOCX
/// alone, with no page. Each copy comes with its own section path and pages.
/// </summary>
public static class CitationCopies
{
    public static async Task<Answer> AddAsync(Answer answer, IChunkStore chunks, AccessScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(chunks);
        if (answer.Citations.Count == 0)
        {
            return answer;
        }

        // Copies are read from the index the caller is asking, and kept only where the caller may open their document
        // (links join documents of the same ACL, but a later PATCH may have changed one of them).
        var copies = await chunks.GetDuplicatesOfAsync(answer.Citations.Select(c => c.ChunkId).Distinct(StringComparer.Ordinal).ToList(), ct);
        if (copies.Count == 0)
        {
            return answer;
        }

        var byOriginal = copies.ToLookup(c => c.DuplicateOf!, StringComparer.Ordinal);
        return answer with
        {
            Citations = answer.Citations.Select(citation => citation with
            {
                Copies = byOriginal[citation.ChunkId]
                    .Where(copy => copy.DocumentId != citation.DocumentId && AclPrincipals.Allows(scope, copy.Acl))
                    .OrderBy(copy => copy.DocumentId, StringComparer.Ordinal)
                    .ThenBy(copy => copy.Ordinal)
                    .Select(CitationCopy.Of)
                    .ToList(),
            }).ToList(),
        };
    }
}
