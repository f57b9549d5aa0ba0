using System.Diagnostics;
using System.Diagnostics.Metrics;
using RagService.Core.Jobs;
using RagService.Indexing;

namespace RagService.Api.Telemetry;

/// <summary>
/// What each index holds, observed when metrics are read (a scrape): documents by state (the
/// ingestion queue depth is the queued and working ones), live chunks, vectors and bytes on disk.
/// One catalog count query per index per scrape (<see cref="IJobStore.CountByStateAsync"/>).
/// </summary>
public sealed class IndexMetrics : IDisposable
{
    public const string MeterName = "RagService.Api";

    /// <summary>One scrape reads every gauge; they share one catalog reading per index within this window.</summary>
    private static readonly TimeSpan SnapshotReuse = TimeSpan.FromSeconds(1);

    private readonly Meter _meter;
    private readonly IndexRegistry _registry;
    private readonly Lock _gate = new();
    private (long Taken, List<(IndexStore Store, DocumentCounts Counts)> Indexes) _last = (0, []);

    public IndexMetrics(IMeterFactory meters, IndexRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _registry = registry;
        _meter = meters.Create(MeterName);
        _meter.CreateObservableGauge("rag.index.documents", ObserveDocuments, "{document}", "Documents of each index by state");
        _meter.CreateObservableGauge("rag.ingestion.queue.depth", ObserveQueue, "{document}", "Documents waiting for or in ingestion (neither ready nor failed), per index");
        _meter.CreateObservableGauge("rag.index.chunks", () => Observe(s => s.Counts.LiveChunks), "{chunk}", "Chunks of the live document versions of each index");
        _meter.CreateObservableGauge("rag.index.vectors", () => Observe(s => s.Store.Vectors.Count), "{vector}", "Vectors in each index's vector index");
        _meter.CreateObservableGauge("rag.index.size", () => Observe(s => s.Store.SizeOnDiskBytes()), "By", "Bytes on disk of each index (Lucene, vectors, catalog)");
        _meter.CreateObservableGauge("rag.index.uploaded", () => Observe(s => s.Counts.UploadedBytes), "By", "Bytes of the documents uploaded to each index");
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveDocuments() =>
        Snapshot().SelectMany(s => Enum.GetValues<DocumentState>().Select(state => new Measurement<long>(
            s.Counts.Of(state), new KeyValuePair<string, object?>("index", s.Store.Name), new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()))));

    private IEnumerable<Measurement<long>> ObserveQueue() => Observe(s => s.Counts.Unfinished);

    private IEnumerable<Measurement<long>> Observe(Func<(IndexStore Store, DocumentCounts Counts), long> value) =>
        Snapshot().Select(s => new Measurement<long>(value(s), new KeyValuePair<string, object?>("index", s.Store.Name)));

    /// <summary>
    /// Every openable index with its counts. The catalog answers synchronously (SQLite inline), so waiting here
    /// does not block on other work; an index that fails to answer is left out of this reading.
    /// </summary>
    private List<(IndexStore Store, DocumentCounts Counts)> Snapshot()
    {
        lock (_gate)
        {
            if (_last.Taken != 0 && Stopwatch.GetElapsedTime(_last.Taken) < SnapshotReuse)
            {
                return _last.Indexes;
            }

            _last = (Stopwatch.GetTimestamp(), Read());
            return _last.Indexes;
        }
    }

    private List<(IndexStore Store, DocumentCounts Counts)> Read()
    {
        var list = new List<(IndexStore, DocumentCounts)>();
        // Every healthy index of every tenant; broken ones are reported by health, not here.
        foreach (var store in _registry.OpenAll())
        {
            try
            {
                list.Add((store, store.Jobs.CountByStateAsync(CancellationToken.None).GetAwaiter().GetResult()));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                // Deleted or unreadable while being observed: reported by health, not by metrics.
            }
        }

        return list;
    }
}
