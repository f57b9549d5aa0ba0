using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;

namespace RagService.Cli.Load;

/// <summary>
/// N clients, each sending one search after another (closed loop) until the duration is up, queries taken in
/// turn from the query set. Requests in flight at the deadline finish and count; none starts after it.
/// </summary>
public static class SearchLoad
{
    public static async Task<LoadResult> RunAsync(HttpClient http, string index, IReadOnlyList<string> queries, int clients, TimeSpan duration, string mode, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(queries);
        var samples = new ConcurrentBag<(string Outcome, double Ms)>();
        var next = -1;
        var path = new Uri($"v1/indexes/{Uri.EscapeDataString(index)}/search", UriKind.Relative);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(
            async () =>
            {
                while (clock.Elapsed < duration && !ct.IsCancellationRequested)
                {
                    var query = queries[(int)((uint)Interlocked.Increment(ref next) % queries.Count)];
                    var started = Stopwatch.GetTimestamp();
                    string outcome;
                    try
                    {
                        using var response = await http.PostAsJsonAsync(path, new { query, mode, topK = 10 }, ct);
                        await response.Content.LoadIntoBufferAsync(ct);
                        outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                    {
                        outcome = e.GetType().Name;
                    }

                    samples.Add((outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                }
            },
            ct))).ConfigureAwait(false);
        return new LoadResult(clients, clock.Elapsed, [.. samples]);
    }
}
