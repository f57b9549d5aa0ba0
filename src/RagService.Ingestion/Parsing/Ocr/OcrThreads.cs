namespace RagService.Ingestion.Parsing.Ocr;

/// <summary>
/// The long-lived threads that recognise the scanned pages of every PDF: at most one per core (two at
/// least), started as pages need them, and the one that went idle last takes the next page. glibc
/// gives each thread that allocates its own malloc arena and keeps there what Tesseract frees after a
/// page (tens of megabytes); recognised on a new thread per page, or on whichever thread-pool thread
/// came next, ten pages one at a time left the working set 90 MB higher than on one thread. Here the
/// arenas are as many as the pages that were ever recognised at once, each reused page after page.
/// </summary>
internal static class OcrThreads
{
    /// <summary>Tesseract's recursion (layout analysis, the LSTM) gets the stack a main thread has.</summary>
    private const int StackSize = 8 * 1024 * 1024;

    private static readonly object Gate = new();
    private static readonly Queue<Func<Action>> Pending = new();
    private static readonly Stack<Worker> Idle = new();

    /// <summary>As many as a pool can have engines (the core count); two at least, so pages overlap (one rasterised while another is recognised) on one core too.</summary>
    private static readonly int MaxThreads = Math.Max(2, Environment.ProcessorCount);

    private static int _started;

    /// <summary>
    /// Runs <paramref name="work"/> on one of the threads. The task completes once that thread is free
    /// again (so work queued as it completes can go to the same thread), its continuations elsewhere.
    /// </summary>
    public static Task<T> Run<T>(Func<T> work)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The work runs on the thread; the completion it hands back runs once the thread is idle.
        Action Job()
        {
            try
            {
                var result = work();
                return () => completion.SetResult(result);
            }
            catch (OperationCanceledException e)
            {
                return () => completion.SetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                return () => completion.SetException(e);
            }
        }

        Worker? idle;
        var number = 0;
        lock (Gate)
        {
            if (!Idle.TryPop(out idle))
            {
                if (_started < MaxThreads)
                {
                    number = ++_started;
                }
                else
                {
                    Pending.Enqueue(Job);
                }
            }
        }

        if (idle is not null)
        {
            idle.Give(Job);
        }
        else if (number > 0)
        {
            Worker.Start(Job, number);
        }

        return completion.Task;
    }

    /// <summary>One thread: runs the work it is given, then queued work, then waits on the idle stack.</summary>
    private sealed class Worker
    {
        private readonly SemaphoreSlim _given = new(0);
        private Func<Action>? _job;

        public static void Start(Func<Action> first, int number)
        {
            var worker = new Worker { _job = first };
            new Thread(worker.Serve, StackSize) { IsBackground = true, Name = $"OCR {number}" }.Start();
        }

        public void Give(Func<Action> job)
        {
            _job = job;
            _given.Release();
        }

        private void Serve()
        {
            var job = Take();
            while (true)
            {
                var complete = job();
                Func<Action>? next;
                lock (Gate)
                {
                    if (!Pending.TryDequeue(out next))
                    {
                        Idle.Push(this);
                    }
                }

                complete();
                if (next is null)
                {
                    _given.Wait();
                    next = Take();
                }

                job = next;
            }
        }

        private Func<Action> Take()
        {
            var job = _job!;
            _job = null;
            return job;
        }
    }
}
