using System.Collections.Concurrent;

namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// A few long-lived threads, one per core (two at least), that recognise the scanned pages of every PDF. glibc gives
/// each thread that allocates its own malloc arena and keeps there what Tesseract frees after a page
/// (tens of megabytes); recognised on a new thread per page, or on whichever thread-pool thread came
/// next, ten pages one at a time left the working set 90 MB higher than on one thread. On these threads
/// the arenas are as many as the threads, each reused page after page.
/// </summary>
internal static class OcrThreads
{
    /// <summary>Tesseract's recursion (layout analysis, the LSTM) gets the stack a main thread has.</summary>
    private const int StackSize = 8 * 1024 * 1024;

    private static readonly BlockingCollection<Action> Work = [];

    private static readonly Lazy<int> Threads = new(() =>
    {
        // As many as a pool can have engines (the core count), and two at least, so that pages of
        // one document still overlap (rasterising one while another is recognised) on one core.
        var count = Math.Max(2, Environment.ProcessorCount);
        for (var i = 0; i < count; i++)
        {
            new Thread(Serve, StackSize) { IsBackground = true, Name = $"OCR {i + 1}" }.Start();
        }

        return count;
    });

    /// <summary>Runs <paramref name="work"/> on one of the threads; the task completes as it does, continuations elsewhere.</summary>
    public static Task<T> Run<T>(Func<T> work)
    {
        _ = Threads.Value;
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                completion.SetResult(work());
            }
            catch (OperationCanceledException e)
            {
                completion.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        });
        return completion.Task;
    }

    private static void Serve()
    {
        foreach (var item in Work.GetConsumingEnumerable())
        {
            item();
        }
    }
}
