using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Text;

namespace RagService.Ingestion.Parsing.Html;

// OpenXml's root namespace "DocumentFormat" would otherwise shadow the Core enum.
using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// HTML through AngleSharp's DOM. Page chrome (navigation, footers, scripts) is skipped because
/// it repeats across a site and would pollute every chunk it lands in.
/// </summary>
public sealed partial class HtmlParser : IDocumentParser
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "nav", "footer", "noscript", "template", "head", "svg", "iframe", "form", "button",
    };

    private static readonly HashSet<string> BlockContainers = new(StringComparer.OrdinalIgnoreCase)
    {
        "div", "section", "article", "main", "aside", "header", "body", "blockquote", "figure", "details",
        "dl", "center", "address",
    };

    public bool CanParse(DocumentFormat format) => format == DocumentFormat.Html;

    public async Task<DocumentTree> ParseAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        await using var stream = File.OpenRead(source.FilePath);
        var parser = new AngleSharp.Html.Parser.HtmlParser();
        // AngleSharp honours a BOM or <meta charset>, which a plain UTF-8 read would not.
        using var document = await parser.ParseDocumentAsync(stream, cancellationToken).ConfigureAwait(false);
        return Parse(document, cancellationToken);
    }

    public static DocumentTree Parse(string html, CancellationToken cancellationToken = default)
    {
        using var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        return Parse(document, cancellationToken);
    }

    private static DocumentTree Parse(IHtmlDocument document, CancellationToken cancellationToken)
    {
        var builder = new DocumentTreeBuilder();
        if (document.Body is { } body)
        {
            VisitChildren(body, builder, listDepth: -1, cancellationToken);
        }

        var title = document.Title;
        return builder.Build(string.IsNullOrWhiteSpace(title) ? null : Normalise(title));
    }

    /// <summary>
    /// Inline content between block children (text directly inside a div, for instance) is gathered
    /// into one paragraph, so nothing is lost when authors skip &lt;p&gt;.
    /// </summary>
    private static void VisitChildren(IElement parent, DocumentTreeBuilder builder, int listDepth, CancellationToken cancellationToken)
    {
        var loose = new StringBuilder();
        foreach (var node in parent.ChildNodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node is IText text)
            {
                loose.Append(text.Data);
                continue;
            }

            if (node is not IElement element)
            {
                continue;
            }

            if (IsInline(element))
            {
                if (!Skipped.Contains(element.LocalName))
                {
                    loose.Append(' ').Append(TextOf(element)).Append(' ');
                }

                continue;
            }

            FlushLoose(loose, builder, listDepth);
            Visit(element, builder, listDepth, cancellationToken);
        }

        FlushLoose(loose, builder, listDepth);
    }

    private static void FlushLoose(StringBuilder loose, DocumentTreeBuilder builder, int listDepth)
    {
        builder.Add(listDepth >= 0 ? BlockKind.ListItem : BlockKind.Paragraph, Normalise(loose.ToString()), Math.Max(0, listDepth));
        loose.Clear();
    }

    private static void Visit(IElement element, DocumentTreeBuilder builder, int listDepth, CancellationToken cancellationToken)
    {
        var name = element.LocalName;
        if (Skipped.Contains(name) || element.HasAttribute("hidden"))
        {
            return;
        }

        switch (name)
        {
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                builder.Add(BlockKind.Heading, Normalise(TextOf(element)), name[1] - '0');
                break;
            case "p":
                builder.Add(listDepth >= 0 ? BlockKind.ListItem : BlockKind.Paragraph, Normalise(TextOf(element)), Math.Max(0, listDepth));
                break;
            case "pre":
                builder.Add(BlockKind.Code, element.TextContent);
                break;
            case "ul" or "ol" or "menu":
                foreach (var item in element.Children.Where(c => c.LocalName == "li"))
                {
                    VisitChildren(item, builder, listDepth + 1, cancellationToken);
                }

                break;
            case "table":
                builder.AddTable(TableRows(element));
                break;
            case "img":
                builder.Add(BlockKind.Figure, Normalise(element.GetAttribute("alt") ?? string.Empty));
                break;
            case "dt" or "dd" or "li" or "caption" or "figcaption":
                VisitChildren(element, builder, listDepth, cancellationToken);
                break;
            default:
                // Unknown and container elements: descend so their blocks keep their own kinds.
                VisitChildren(element, builder, listDepth, cancellationToken);
                break;
        }
    }

    /// <summary>Cells spanning several columns are repeated in each, so every column keeps its value.</summary>
    private static List<IReadOnlyList<string>> TableRows(IElement table)
    {
        var rows = new List<IReadOnlyList<string>>();
        // Only this table's rows: a nested table's rows belong to the cell that holds it.
        var ownRows = table.QuerySelectorAll("tr").Where(r => r.Closest("table") == table);
        foreach (var row in ownRows)
        {
            var cells = new List<string>();
            foreach (var cell in row.Children.Where(c => c.LocalName is "td" or "th"))
            {
                var span = int.TryParse(cell.GetAttribute("colspan"), out var s) ? Math.Clamp(s, 1, 100) : 1;
                var value = Normalise(TextOf(cell));
                for (var i = 0; i < span; i++)
                {
                    cells.Add(value);
                }
            }

            rows.Add(cells);
        }

        return rows;
    }

    private static bool IsInline(IElement element) =>
        !BlockContainers.Contains(element.LocalName) && element.LocalName is not
            ("p" or "pre" or "ul" or "ol" or "menu" or "li" or "table" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6"
            or "nav" or "footer" or "script" or "style" or "noscript" or "template" or "dt" or "dd" or "figcaption" or "caption" or "hr" or "form")
        && !element.Children.Any(c => !IsInline(c));

    private static string TextOf(IElement element)
    {
        var sb = new StringBuilder();
        AppendText(element, sb);
        return sb.ToString();
    }

    private static void AppendText(INode node, StringBuilder sb)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    sb.Append(text.Data);
                    break;
                case IElement element when Skipped.Contains(element.LocalName):
                    break;
                case IElement { LocalName: "br" }:
                    sb.Append(' ');
                    break;
                case IElement element:
                    AppendText(element, sb);
                    break;
            }
        }
    }

    private static string Normalise(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
