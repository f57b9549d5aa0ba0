using System.Text.RegularExpressions;
using RagService.Core.Chunks;
using RagService.Core.Search;
using RagService.Retrieval.Pipeline;
using RagService.Retrieval.QueryUnderstanding;

namespace RagService.Retrieval.Boosts;

/// <summary>
/// The "section-boost" stage: chunks under a section the query names ("section 3.1", "chapter 2", "第二章")
/// gain <see cref="RetrievalOptions.SectionBoost"/> × the best score (with query understanding).
/// </summary>
internal sealed partial class SectionBoostStage(RetrievalOptions options) : ISearchStage<SearchContext>
{
    public string Name => "section-boost";

    public Task<StageOutcome> RunAsync(SearchContext context, CancellationToken cancellationToken)
    {
        var references = context.Analysis.SectionReferences;
        var ranked = context.Candidates;
        var boosted = 0;
        if (context.Switches.QueryUnderstanding && references.Count > 0 && ranked.Count > 0)
        {
            var bonus = options.SectionBoost * Math.Abs(ranked[0].Score);
            for (var i = 0; i < ranked.Count; i++)
            {
                if (SectionMatches(context.Live[ranked[i].ChunkId], references))
                {
                    ranked[i] = ranked[i] with { Score = ranked[i].Score + bonus };
                    boosted++;
                }
            }

            context.Candidates = ranked.OrderByDescending(c => c.Score).ThenBy(c => c.ChunkId, StringComparer.Ordinal).ToList();
        }

        return Task.FromResult(new StageOutcome(boosted > 0, $"{boosted} candidates under [{string.Join(", ", references)}]"));
    }

    private static bool SectionMatches(Chunk chunk, IReadOnlyList<string> references)
    {
        foreach (var section in chunk.SectionPath)
        {
            foreach (var reference in references)
            {
                // "3.1" matches "3.1 Scope", "Section 3.1", "3.1.2 …"; "2" matches "Chapter 2", "2 Overview" and "第二章".
                var pattern = $@"(^|[^\d.]){Regex.Escape(reference)}(\.|\b|$)";
                if (Regex.IsMatch(section, pattern) || ChineseHeading(section) == reference)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? ChineseHeading(string section)
    {
        var m = ChineseChapter().Match(section);
        return m.Success ? ChineseNumerals.ToArabic(m.Groups["n"].Value) : null;
    }

    [GeneratedRegex(@"第\s*(?<n>[0-9零一二三四五六七八九十百两]+)\s*[章节條条部篇]")]
    private static partial Regex ChineseChapter();
}
