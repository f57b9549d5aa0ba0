using System.IO.Compression;
using System.Security;
using System.Text;

namespace RagService.Evaluation.Answers;

/// <summary>
/// Writes an <see cref="AnswerDocumentSpec"/> as a DOCX: a Title paragraph, Heading 1 / Heading 2 styles
/// with outline levels (what the parser reads), plain paragraphs, and bordered tables; the title also
/// in the core properties. The WordprocessingML parts are written directly into the zip package: the
/// Evaluation assembly cannot reference the OpenXml SDK, whose root namespace "DocumentFormat" would
/// shadow Core's <c>DocumentFormat</c> type here.
/// </summary>
public static class AnswerDocx
{
    private const string W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

    public static void Write(AnswerDocumentSpec document, string path)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Part(zip, "[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
              <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
              <Default Extension="xml" ContentType="application/xml"/>
              <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
              <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
              <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
            </Types>
            """);
        Part(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
              <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
              <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
            </Relationships>
            """);
        Part(zip, "word/_rels/document.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
              <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
            </Relationships>
            """);
        Part(zip, "docProps/core.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{Escape(document.Title)}</dc:title></cp:coreProperties>
            """);
        Part(zip, "word/styles.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:styles xmlns:w="{W}">
              <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
              <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>
              <w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
              <w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
            </w:styles>
            """);
        var body = new StringBuilder();
        body.Append(Paragraph(document.Title, "Title"));
        foreach (var section in document.Sections)
        {
            body.Append(Paragraph(section.Heading, section.Level == 1 ? "Heading1" : "Heading2"));
            foreach (var paragraph in section.Paragraphs)
            {
                body.Append(Paragraph(paragraph, null));
            }

            if (section.Table is { Count: > 0 } table)
            {
                body.Append(Table(table));
            }
        }

        Part(zip, "word/document.xml", $"""
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>
            """);
    }

    private static string Paragraph(string text, string? style) =>
        $"<w:p>{(style is null ? "" : $"<w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>")}<w:r><w:t xml:space=\"preserve\">{Escape(text)}</w:t></w:r></w:p>";

    private static string Table(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var xml = new StringBuilder("<w:tbl><w:tblPr><w:tblBorders>");
        foreach (var edge in new[] { "top", "left", "bottom", "right", "insideH", "insideV" })
        {
            xml.Append($"<w:{edge} w:val=\"single\" w:sz=\"4\"/>");
        }

        xml.Append("</w:tblBorders></w:tblPr><w:tblGrid>");
        foreach (var _ in rows[0])
        {
            xml.Append("<w:gridCol w:w=\"3000\"/>");
        }

        xml.Append("</w:tblGrid>");
        foreach (var row in rows)
        {
            xml.Append("<w:tr>");
            foreach (var cell in row)
            {
                xml.Append("<w:tc>").Append(Paragraph(cell, null)).Append("</w:tc>");
            }

            xml.Append("</w:tr>");
        }

        return xml.Append("</w:tbl>").ToString();
    }

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static void Part(ZipArchive zip, string name, string xml)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(xml.TrimStart());
    }
}
