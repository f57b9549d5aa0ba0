using System.Diagnostics.Metrics;
using RagService.Ingestion.Telemetry;

namespace RagService.Api.Telemetry;

/// <summary>
/// The last hour of this process's own metrics, for the dashboard's overview: a listener on ASP.NET Core's
/// <c>http.server.request.duration</c> (this host's meter only) for the search and ask routes, and on
/// <see cref="IngestionTelemetry.Documents"/> for documents finished by outcome. It keeps one bucket per minute
/// for <see cref="WindowMinutes"/> minutes, each a count and a latency histogram on log-spaced bounds (10 % apart),
/// so memory is fixed however busy the service is and a percentile is read to within one bound (≤ 10 %).
/// </summary>
public sealed class RecentActivity : IDisposable
{
    public const int WindowMinutes = 60;
    public const string SearchRoute = "/v1/indexes/{index}/search";
    public const string AskRoute = "/v1/indexes/{index}/ask";

    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";

    /// <summary>Upper bounds in milliseconds: 0.1 ms × 1.1ⁿ up to about 10 minutes.</summary>
    private static readonly double[] Bounds = [.. Enumerable.Range(0, 165).Select(n => 0.1 * Math.Pow(1.1, n))];

    private readonly MeterListener _listener = new();
    private readonly TimeProvider _time;
    private readonly Series _search = new();
    private readonly Series _ask = new();
    private readonly Series _ready = new();
    private readonly Series _failed = new();

    private readonly DateTimeOffset _started;

    public RecentActivity(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        _started = time.GetUtcNow();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // This host's request meter only (tests run several hosts in one process); ingestion's meter is the process's.
            if ((instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration && ReferenceEquals(instrument.Meter.Scope, meters))
                || (instrument.Meter.Name == IngestionTelemetry.Name && instrument.Name == IngestionTelemetry.Documents))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnDuration);
        _listener.SetMeasurementEventCallback<long>(OnDocuments);
        _listener.Start();
    }

    /// <summary>What the last <see cref="WindowMinutes"/> minutes hold.</summary>
    public ActivitySnapshot Snapshot()
    {
        var minute = Minute();
        var now = _time.GetUtcNow();
        // Rates are per minute observed: the whole window, or the time since the process started when that is shorter.
        var observed = Math.Clamp((now - _started).TotalMinutes, 1, WindowMinutes);
        // From the minute the process started (or an hour back), so the minute of the first requests is in the list.
        var minutes = (int)Math.Min(WindowMinutes, minute - (_started.ToUnixTimeSeconds() / 60) + 1);
        var perMinute = new List<MinuteActivity>(minutes);
        for (var m = minute - minutes + 1; m <= minute; m++)
        {
            var search = _search.ReadMinute(m);
            var ask = _ask.ReadMinute(m);
            perMinute.Add(new MinuteActivity(DateTimeOffset.FromUnixTimeSeconds(m * 60), search, ask, _ready.ReadMinute(m).Count, _failed.ReadMinute(m).Count));
        }

        return new ActivitySnapshot(now.AddMinutes(-observed), observed,
            _search.Read(minute), _ask.Read(minute), _ready.Read(minute).Count, _failed.Read(minute).Count)
        {
            PerMinute = perMinute,
        };
    }

    public void Dispose() => _listener.Dispose();

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? route = null;
        var failed = false;
        foreach (var tag in tags)
        {
            if (tag.Key == "http.route")
            {
                route = tag.Value as string;
            }
            else if (tag.Key == "http.response.status_code" && tag.Value is int status)
            {
                failed = status >= 500;
            }
        }

        var series = route switch
        {
            SearchRoute => _search,
            AskRoute => _ask,
            _ => null,
        };
        series?.Add(Minute(), seconds * 1000, failed);
    }

    private void OnDocuments(Instrument instrument, long count, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "outcome")
            {
                (tag.Value as string == "ready" ? _ready : _failed).Add(Minute(), null, false, count);
            }
        }
    }

    private long Minute() => _time.GetUtcNow().ToUnixTimeSeconds() / 60;

    /// <summary>Per-minute buckets in a ring of <see cref="WindowMinutes"/>; a bucket from an older minute is cleared when reused.</summary>
    private sealed class Series
    {
        private readonly Lock _gate = new();
        private readonly long[] _minutes = new long[WindowMinutes];
        private readonly long[] _counts = new long[WindowMinutes];
        private readonly long[] _errors = new long[WindowMinutes];
        private readonly long[][] _histograms = [.. Enumerable.Range(0, WindowMinutes).Select(_ => new long[Bounds.Length + 1])];

        public void Add(long minute, double? ms, bool failed, long count = 1)
        {
            var slot = (int)(minute % WindowMinutes);
            lock (_gate)
            {
                if (_minutes[slot] != minute)
                {
                    _minutes[slot] = minute;
                    _counts[slot] = 0;
                    _errors[slot] = 0;
                    Array.Clear(_histograms[slot]);
                }

                _counts[slot] += count;
                _errors[slot] += failed ? count : 0;
                if (ms is { } value)
                {
                    var bucket = Array.BinarySearch(Bounds, value);
                    _histograms[slot][bucket >= 0 ? bucket : ~bucket] += count;
                }
            }
        }

        /// <summary>One minute's bucket alone (empty when its slot holds another minute).</summary>
        public RequestWindow ReadMinute(long minute)
        {
            var slot = (int)(minute % WindowMinutes);
            lock (_gate)
            {
                return _minutes[slot] != minute
                    ? new RequestWindow(0, 0, null, null, null)
                    : new RequestWindow(_counts[slot], _errors[slot], Percentile(_histograms[slot], 0.50), Percentile(_histograms[slot], 0.95), Percentile(_histograms[slot], 0.99));
            }
        }

        public RequestWindow Read(long minute)
        {
            var merged = new long[Bounds.Length + 1];
            long count = 0, errors = 0;
            lock (_gate)
            {
                for (var slot = 0; slot < WindowMinutes; slot++)
                {
                    if (minute - _minutes[slot] is < 0 or >= WindowMinutes)
                    {
                        continue;
                    }

                    count += _counts[slot];
                    errors += _errors[slot];
                    for (var b = 0; b < merged.Length; b++)
                    {
                        merged[b] += _histograms[slot][b];
                    }
                }
            }

            return new RequestWindow(count, errors, Percentile(merged, 0.50), Percentile(merged, 0.95), Percentile(merged, 0.99));
        }

        /// <summary>Nearest rank: the upper bound of the bucket holding the ⌈p·n⌉-th smallest value; null when empty.</summary>
        private static double? Percentile(long[] histogram, double p)
        {
            var total = histogram.Sum();
            if (total == 0)
            {
                return null;
            }

            var rank = (long)Math.Ceiling(p * total);
            long seen = 0;
            for (var b = 0; b < histogram.Length; b++)
            {
                seen += histogram[b];
                if (seen >= rank)
                {
                    return Math.Round(b < Bounds.Length ? Bounds[b] : Bounds[^1], 2);
                }
            }

            return Bounds[^1];
        }
    }
}

/// <summary>Requests of one kind in the window: how many, how many failed (5xx), and latency percentiles in ms (bucket upper bounds).</summary>
public sealed record RequestWindow(long Count, long Errors, double? P50Ms, double? P95Ms, double? P99Ms);

public sealed record ActivitySnapshot(DateTimeOffset Since, double Minutes, RequestWindow Search, RequestWindow Ask, long DocumentsReady, long DocumentsFailed)
{
    /// <summary>Each minute of the window observed, oldest first, the current (partial) minute last.</summary>
    public IReadOnlyList<MinuteActivity> PerMinute { get; init; } = [];
}

/// <summary>One minute of activity: its start (UTC), its searches and asks, and the documents that finished in it.</summary>
public sealed record MinuteActivity(DateTimeOffset Start, RequestWindow Search, RequestWindow Ask, long DocumentsReady, long DocumentsFailed);
