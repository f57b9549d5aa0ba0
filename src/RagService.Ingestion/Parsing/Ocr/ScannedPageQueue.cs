using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;
using RagService.Core.Documents;
using RagService.Ingestion.Parsing.Pdf;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// The pages of one PDF (or multi-page image) in page order, its scanned ones recognised concurrently. The parser reads
/// text layers one page at a time and hands each page in: a text page with its lines, a scanned one
/// to be recognised on one of the <see cref="OcrThreads"/>. At most <see cref="IPageOcr.MaxConcurrentPages"/> scanned
/// pages are recognised at once (each holds its page image meanwhile, so adding one waits for a free
/// place), and pages come out in page order as soon as every page before them is done: only lines
/// wait, never images. The first page that fails stops the others and fails the document with its
/// page number in the reason. Disposing stops and waits for recognition still running, so none
/// outlives the parse.
/// </summary>
internal sealed class ScannedPageQueue : IAsyncDisposable
{
    private readonly Func<int, CancellationToken, OcrPage>? _recognize;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenSource _stop;
    private readonly SemaphoreSlim _places;
    private readonly Queue<Entry> _pages = new();
    private Exception? _failure;
    private bool _disposed;

    /// <param name="ocr">Recognises scanned pages; null when only text pages will be added.</param>
    public ScannedPageQueue(IPageOcr? ocr, string pdfPath, CancellationToken cancellationToken)
        : this(ocr is null ? null : (number, ct) => ocr.RecognizePdfPage(pdfPath, number, ct), ocr?.MaxConcurrentPages ?? 1, cancellationToken)
    {
    }

    /// <param name="recognize">Recognises page n (1-based) of the document; called from up to <paramref name="maxConcurrentPages"/> threads together.</param>
    public ScannedPageQueue(Func<int, CancellationToken, OcrPage>? recognize, int maxConcurrentPages, CancellationToken cancellationToken)
    {
        _recognize = recognize;
        _cancellationToken = cancellationToken;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        MaxConcurrentPages = Math.Max(1, maxConcurrentPages);
        _places = new SemaphoreSlim(MaxConcurrentPages);
    }

    /// <summary>Scanned pages recognised at once.</summary>
    public int MaxConcurrentPages { get; }

    /// <summary>Throws the failure of a page that failed (or the caller's cancellation): no use reading further pages.</summary>
    public void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        _cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Adds a page that keeps its text layer.</summary>
    public void AddText(int pageNumber, IReadOnlyList<PdfLine> lines) => _pages.Enqueue(new Entry(pageNumber, lines, null));

    /// <summary>Adds a page to recognise, waiting while <see cref="MaxConcurrentPages"/> are being recognised.</summary>
    public async Task AddScannedAsync(int pageNumber)
    {
        var recognize = _recognize ?? throw new InvalidOperationException("no OCR to recognise scanned pages with");
        ThrowIfFailed();
        try
        {
            await _places.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ThrowIfFailed();
            throw;
        }

        // The place may have been freed by the page that failed (its failure is set before it lets go).
        if (Volatile.Read(ref _failure) is not null || _cancellationToken.IsCancellationRequested)
        {
            _places.Release();
            ThrowIfFailed();
        }

        _pages.Enqueue(new Entry(pageNumber, null, Start(recognize, pageNumber)));
    }

    /// <summary>The pages at the front that are done, in page order; throws when the next page failed.</summary>
    public IEnumerable<QueuedPage> TakeFinished()
    {
        while (_pages.TryPeek(out var next) && next.Recognition is null or { IsCompleted: true })
        {
            var page = Finish(next);
            _pages.Dequeue();
            yield return page;
        }
    }

    /// <summary>Every page still queued, in page order, waiting for each to be recognised.</summary>
    public async IAsyncEnumerable<QueuedPage> TakeAllAsync()
    {
        while (_pages.TryPeek(out var next))
        {
            if (next.Recognition is { } recognition)
            {
                try
                {
                    await recognition.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopped because another page failed: that page's failure is the reason.
                    ThrowIfFailed();
                    throw;
                }
            }

            var page = Finish(next);
            _pages.Dequeue();
            yield return page;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var running = _pages.Select(p => p.Recognition).OfType<Task<OcrPage>>().Where(t => !t.IsCompleted).ToList();
        if (running.Count > 0)
        {
            // Left early (a failed page, a corrupt one further on, cancellation): nothing will take these.
            await _stop.CancelAsync().ConfigureAwait(false);
            foreach (var task in running)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The parse is failing already for the reason it left early.
                }
            }
        }

        _pages.Clear();
        _stop.Dispose();
        _places.Dispose();
    }

    private QueuedPage Finish(Entry entry)
    {
        if (entry.Recognition is not { } recognition)
        {
            return new QueuedPage(entry.Number, entry.Lines!, null);
        }

        if (!recognition.IsCompletedSuccessfully)
        {
            ThrowIfFailed();
        }

        var page = recognition.GetAwaiter().GetResult();
        return new QueuedPage(entry.Number, OcrLayout.ToPdfLines(page).ToList(), page);
    }

    /// <summary>Recognises the page on one of the <see cref="OcrThreads"/>; its place is free again once that thread is.</summary>
    private async Task<OcrPage> Start(Func<int, CancellationToken, OcrPage> recognize, int pageNumber)
    {
        try
        {
            return await OcrThreads.Run(() => Recognize(recognize, pageNumber)).ConfigureAwait(false);
        }
        finally
        {
            _places.Release();
        }
    }

    private OcrPage Recognize(Func<int, CancellationToken, OcrPage> recognize, int pageNumber)
    {
        try
        {
            return recognize(pageNumber, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            var reason = e is OutOfMemoryException || (e is DocumentRejectedException && NamesPage(e.Message, pageNumber))
                ? e
                : new DocumentRejectedException($"OCR of page {pageNumber} failed: {e.Message}", e);
            // Set before the page's place is given back, so no page takes the place and starts.
            Interlocked.CompareExchange(ref _failure, reason, null);
            // The pages still being recognised stop between words rather than run to the end.
            _stop.Cancel();
            if (ReferenceEquals(reason, e))
            {
                throw;
            }

            throw reason;
        }
    }

    private static bool NamesPage(string reason, int pageNumber) =>
        Regex.IsMatch(reason, $@"\bpage {pageNumber}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private sealed record Entry(int Number, IReadOnlyList<PdfLine>? Lines, Task<OcrPage>? Recognition);
}

/// <summary>One page out of a <see cref="ScannedPageQueue"/>: its lines for the layout, and the OCR result for a scanned page.</summary>
internal sealed record QueuedPage(int Number, IReadOnlyList<PdfLine> Lines, OcrPage? Recognized);
