using System.Collections.Concurrent;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Ocr;
using RagService.Ingestion.Parsing.Pdf;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using Xunit.Abstractions;

namespace RagService.Ingestion.Tests.Ocr;

using DocumentFormat = RagService.Core.Documents.DocumentFormat;

/// <summary>
/// The scanned pages of one PDF are recognised concurrently (real pdftoppm and Tesseract behind a
/// recorder): never more at once than allowed, put back in page order, and a failure or a cancellation
/// stops the document with nothing left running.
/// </summary>
public sealed class ParallelPageOcrTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string[] Headings = ["Backup Policy", "Restore Procedure", "Retention Rules", "Access Review"];
    private const string TextPage = "Chapter three is a born-digital page with a text layer.";

    private readonly TestFiles _files = new();
    private readonly OcrEnginePool _pool = new(new OcrOptions { Languages = "eng", Dpi = 150 });

    public void Dispose()
    {
        _pool.Dispose();
        _files.Dispose();
    }

    /// <summary>Pages 1, 2 and 4 scanned (each with its own heading over the fixture sentences), page 3 a text page.</summary>
    private string MixedPdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        for (var number = 1; number <= 4; number++)
        {
            var page = builder.AddPage(PageSize.A4);
            if (number == 3)
            {
                page.AddText(TextPage, 12, new PdfPoint(60, 760), font);
                continue;
            }

            var png = OcrFixtures.ScanPng(_files, $"page{number}.png", dpi: 100, heading: Headings[number - 1]);
            page.AddPng(File.ReadAllBytes(png), new PdfRectangle(0, 0, page.PageSize.Width, page.PageSize.Height));
        }

        return _files.Write("mixed.pdf", builder.Build());
    }

    private static Task<DocumentTree> ParseAsync(IPageOcr ocr, string pdf, CancellationToken cancellationToken) =>
        new PdfParser(ocr).ParseAsync(new DocumentSource(pdf, Path.GetFileName(pdf), DocumentFormat.Pdf), cancellationToken);

    [Fact]
    public async Task Scanned_pages_are_recognised_at_once_up_to_the_limit_and_come_back_in_page_order()
    {
        var pdf = MixedPdf();
        RecordingPageOcr? recorder = null;
        // Page 1 starts only once page 2 is done: the pages overlap, finish out of order, and the
        // document must still read in page order.
        recorder = new RecordingPageOcr(new PdfPageOcr(new PageRecognizer(_pool)), maxConcurrentPages: 2)
        {
            BeforePage = (number, _) =>
            {
                if (number == 1)
                {
                    Assert.True(SpinWait.SpinUntil(() => recorder!.Finished.Contains(2), Wait), "page 2 never finished while page 1 waited");
                }
            },
        };

        var tree = await ParseAsync(recorder, pdf, CancellationToken.None);

        foreach (var block in tree.Blocks)
        {
            output.WriteLine($"{block.Id} {block.Kind} p{block.PageStart}: {block.Text}");
        }

        output.WriteLine($"finished in the order {string.Join(", ", recorder.Finished)}; at most {recorder.MostAtOnce} at once");
        Assert.Equal(2, recorder.Finished.First());
        Assert.Equal([1, 2, 4], recorder.Finished.Order());
        Assert.Equal(2, recorder.MostAtOnce);
        Assert.Equal([Headings[0], Headings[1], Headings[3]], tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text));
        Assert.Equal([1, 2, 3, 4], tree.Blocks.Select(b => b.PageStart).Distinct());
        Assert.Equal(TextPage, tree.Blocks.Single(b => b.PageStart == 3).Text);
        Assert.True(tree.Blocks.Select(b => b.PageStart).SequenceEqual(tree.Blocks.Select(b => b.PageStart).Order()), "blocks out of page order");
    }

    [Fact]
    public async Task One_page_at_once_recognises_the_pages_one_after_another()
    {
        var pdf = MixedPdf();
        var recorder = new RecordingPageOcr(new PdfPageOcr(new PageRecognizer(_pool)), maxConcurrentPages: 1);

        var tree = await ParseAsync(recorder, pdf, CancellationToken.None);

        Assert.Equal(1, recorder.MostAtOnce);
        Assert.Equal([1, 2, 4], recorder.Finished);
        Assert.Equal([Headings[0], Headings[1], Headings[3]], tree.Blocks.Where(b => b.Kind == BlockKind.Heading).Select(b => b.Text));
    }

    [Fact]
    public void Pool_size_is_the_default_number_of_pages_at_once()
    {
        using var two = new OcrEnginePool(new OcrOptions { MaxEngines = 2 });
        using var three = new OcrEnginePool(new OcrOptions { MaxEngines = 2, MaxConcurrentPages = 3 });

        Assert.Equal(Math.Min(2, Environment.ProcessorCount), new PdfPageOcr(new PageRecognizer(two)).MaxConcurrentPages);
        Assert.Equal(3, new PdfPageOcr(new PageRecognizer(three)).MaxConcurrentPages);
        Assert.Equal(Math.Min(Environment.ProcessorCount, new OcrEnginePool().Size), new PdfPageOcr(new PageRecognizer(OcrEnginePool.Shared)).MaxConcurrentPages);
    }

    [Fact]
    public async Task A_failing_page_fails_the_document_with_its_page_number_and_stops_the_others()
    {
        var pdf = MixedPdf();
        RecordingPageOcr? recorder = null;
        recorder = new RecordingPageOcr(new PdfPageOcr(new PageRecognizer(_pool)), maxConcurrentPages: 2)
        {
            BeforePage = (number, _) =>
            {
                if (number == 1)
                {
                    // Still being recognised when page 2 fails.
                    Assert.True(SpinWait.SpinUntil(() => recorder!.Failed.Contains(2), Wait), "page 2 never failed");
                }
                else if (number == 2)
                {
                    throw new InvalidOperationException("the scanner's image is unreadable");
                }
            },
        };

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(recorder, pdf, CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.Equal("OCR of page 2 failed: the scanner's image is unreadable", error.Message);
        Assert.Equal(0, recorder.Running);
        // Page 1 was stopped rather than recognised to the end, and page 4 never started.
        Assert.Contains(1, recorder.Failed);
        Assert.Empty(recorder.Finished);
        Assert.DoesNotContain(4, recorder.Started);
    }

    [Fact]
    public async Task A_page_failing_in_tesseract_names_its_page_once()
    {
        // A deadline no page can meet: Tesseract gives up, and its reason already names the page.
        using var pool = new OcrEnginePool(new OcrOptions { Languages = "eng", Dpi = 150, PageTimeout = TimeSpan.FromMilliseconds(1) });
        var recorder = new RecordingPageOcr(new PdfPageOcr(new PageRecognizer(pool)), maxConcurrentPages: 1);

        var error = await Assert.ThrowsAsync<DocumentRejectedException>(() => ParseAsync(recorder, MixedPdf(), CancellationToken.None));

        output.WriteLine(error.Message);
        Assert.StartsWith("OCR failed on page 1 ", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, recorder.Running);
    }

    [Fact]
    public async Task Cancelling_stops_every_page_being_recognised()
    {
        var pdf = MixedPdf();
        using var cancel = new CancellationTokenSource();
        var recorder = new RecordingPageOcr(new PdfPageOcr(new PageRecognizer(_pool)), maxConcurrentPages: 2)
        {
            BeforePage = (number, _) =>
            {
                if (number == 1)
                {
                    Assert.True(SpinWait.SpinUntil(() => cancel.IsCancellationRequested, Wait), "never cancelled");
                }
                else if (number == 2)
                {
                    cancel.Cancel();
                }
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ParseAsync(recorder, pdf, cancel.Token));

        Assert.Equal(0, recorder.Running);
        Assert.Empty(recorder.Finished);
        Assert.DoesNotContain(4, recorder.Started);
    }

    /// <summary>Passes pages to the real OCR, counting how many are recognised at once and the order they finish in.</summary>
    private sealed class RecordingPageOcr(IPageOcr inner, int maxConcurrentPages) : IPageOcr
    {
        private int _running;
        private int _mostAtOnce;

        public int MaxConcurrentPages => maxConcurrentPages;

        /// <summary>Runs on the recognising thread before the page is recognised.</summary>
        public Action<int, CancellationToken>? BeforePage { get; init; }

        public ConcurrentQueue<int> Started { get; } = new();

        public ConcurrentQueue<int> Finished { get; } = new();

        /// <summary>Pages that threw (failed or were stopped).</summary>
        public ConcurrentQueue<int> Failed { get; } = new();

        public int Running => Volatile.Read(ref _running);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public OcrPage RecognizePdfPage(string pdfPath, int pageNumber, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _running);
            var most = Volatile.Read(ref _mostAtOnce);
            while (now > most && Interlocked.CompareExchange(ref _mostAtOnce, now, most) != most)
            {
                most = Volatile.Read(ref _mostAtOnce);
            }

            Started.Enqueue(pageNumber);
            try
            {
                BeforePage?.Invoke(pageNumber, cancellationToken);
                var page = inner.RecognizePdfPage(pdfPath, pageNumber, cancellationToken);
                Finished.Enqueue(pageNumber);
                return page;
            }
            catch
            {
                Failed.Enqueue(pageNumber);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
