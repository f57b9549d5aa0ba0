using RagService.Core.Chunks;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing;

namespace RagService.Ingestion.Chunking;

/// <summary>Splits a table too large for one chunk between its rows, the header row repeated at the top of every slice.</summary>
internal sealed class TableSlicer(ITokenCounter tokens)
{
    /// <summary>Splits a table between rows; every slice starts with the header row so its columns stay named.</summary>
    public IEnumerable<ChunkPiece> Slice(DocumentBlock block, int budget)
    {
        var rows = block.Rows;
        if (rows is null || rows.Count < 2)
        {
            // Without cells, fall back to the rendered lines: header and delimiter lines lead every slice.
            var lines = block.Text.Split('\n');
            var header = string.Join('\n', lines.Take(2));
            foreach (var piece in PackRows(block, header, lines.Skip(2).ToList(), budget))
            {
                yield return piece;
            }

            yield break;
        }

        var width = rows.Max(r => r.Count);
        var headerText = MarkdownTable.Render([rows[0]]);
        var body = rows.Skip(1).Select(r => MarkdownTable.RenderRow(r, width)).ToList();
        foreach (var piece in PackRows(block, headerText, body, budget))
        {
            yield return piece;
        }
    }

    private IEnumerable<ChunkPiece> PackRows(DocumentBlock block, string header, IReadOnlyList<string> rows, int budget)
    {
        var headerTokens = tokens.CountTokens(header);
        var current = new List<string>();
        var currentTokens = headerTokens;
        foreach (var row in rows)
        {
            var n = tokens.CountTokens(row);
            if (current.Count > 0 && currentTokens + n > budget)
            {
                yield return new ChunkPiece(header + "\n" + string.Join('\n', current), currentTokens, block, false, isSlice: true);
                current.Clear();
                currentTokens = headerTokens;
            }

            current.Add(row);
            currentTokens += n;
        }

        if (current.Count > 0)
        {
            yield return new ChunkPiece(header + "\n" + string.Join('\n', current), currentTokens, block, false, isSlice: true);
        }
    }
}
