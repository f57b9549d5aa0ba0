using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace RagService.TestSupport;

/// <summary>A DOCX with a footnote and an endnote, with Word's separator notes, written with the Open XML SDK.</summary>
public static class NotesDocx
{
    public static void Write(string path)
    {
        using var document = WordprocessingDocument.Create(path, WordprocessingDocumentType.Document);
        var main = document.AddMainDocumentPart();
        var footnotes = main.AddNewPart<FootnotesPart>();
        footnotes.Footnotes = new Footnotes(
            new Footnote(new Paragraph(new Run(new SeparatorMark()))) { Id = -1, Type = FootnoteEndnoteValues.Separator },
            new Footnote(new Paragraph(new Run(new ContinuationSeparatorMark()))) { Id = 0, Type = FootnoteEndnoteValues.ContinuationSeparator },
            new Footnote(new Paragraph(new Run(new FootnoteReferenceMark()),
                new Run(new Text(" Measured at the Dover gauge in 2023.") { Space = SpaceProcessingModeValues.Preserve }))) { Id = 1 });
        var endnotes = main.AddNewPart<EndnotesPart>();
        endnotes.Endnotes = new Endnotes(
            new Endnote(new Paragraph(new Run(new SeparatorMark()))) { Id = -1, Type = FootnoteEndnoteValues.Separator },
            new Endnote(new Paragraph(new Run(new Text("Sources are listed in the annex.")))) { Id = 1 });
        main.Document = new Document(new Body(
            new Paragraph(new Run(new Text("The highest tide reached 7.2 metres.")), new Run(new FootnoteReference { Id = 1 })),
            new Paragraph(new Run(new Text("Walls are inspected twice a year.")), new Run(new EndnoteReference { Id = 1 })),
            new Paragraph(new Run(new Text("Repairs follow within a month.")))));
    }
}
