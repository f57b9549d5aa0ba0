// Novel-query embedding latency: what the search path pays to embed a query it has never seen.
// Both packaged models embed each query at the same time (the dense leg with the index's model and the
// second stage with the other one, as HybridRetriever does), through the same cached models the service
// builds (EmbeddingModelFactory with a cache folder), into a fresh cache so that every query is novel.
// Each call is split with the EmbeddingMetrics histograms into cache lookup, inference and cache write.
// It ends with one batch of 160 abstracts through the document cache: the thread choice must not cost ingestion.
// Usage: dotnet run -c Release -- --novel-query-embedding <beir-scifact folder> <work folder> [queries]
//        [--onnx-threads N] (explore: build the ONNX models with N intra-op threads instead of the factory's choice)
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using RagService.Core.Models;
using RagService.Models.Embeddings;

internal static class NovelQueryEmbedding
{
    public static async Task RunAsync(string[] args)
    {
        var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        var threadsAt = Array.IndexOf(args, "--onnx-threads");
        int? threads = threadsAt >= 0 ? int.Parse(args[threadsAt + 1]) : null;
        if (threads is not null)
        {
            positional.Remove(args[threadsAt + 1]);
        }

        var dataset = positional[0];
        var work = positional[1];
        var limit = positional.Count > 2 ? int.Parse(positional[2]) : 300;
        var (warmup, queries) = LoadQueries(dataset, limit);
        var cacheFolder = Path.Combine(work, "novel-query-cache-" + Guid.NewGuid().ToString("N")[..8]);

        var minilm = Build("minilm", cacheFolder, threads);
        var arctic = Build("arctic-xs", cacheFolder, threads);
        var models = new[] { minilm, arctic };
        Console.WriteLine($"models: {string.Join(", ", models.Select(m => m.Name))}; ONNX intra-op threads: {threads?.ToString() ?? "factory default"}; cores: {Environment.ProcessorCount}");

        foreach (var q in warmup)
        {
            await Task.WhenAll(models.Select(m => m.EmbedAsync([q], EmbeddingPurpose.Query, CancellationToken.None)));
        }

        var phases = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EmbeddingMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var model = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "model")
                {
                    model = (string)tag.Value!;
                }
            }

            phases.GetOrAdd($"{model} {ShortName(instrument.Name)}", _ => []).Add(value);
        });
        listener.Start();

        var pairs = new List<double>();
        var calls = models.ToDictionary(m => m.Name, _ => new List<double>());
        var vectors = new List<float[]>();
        foreach (var q in queries)
        {
            var clock = Stopwatch.StartNew();
            var timed = await Task.WhenAll(models.Select(m => TimedAsync(m, q)));
            pairs.Add(clock.Elapsed.TotalMilliseconds);
            for (var i = 0; i < models.Length; i++)
            {
                calls[models[i].Name].Add(timed[i].Ms);
                vectors.Add(timed[i].Vector);
            }
        }

        listener.Dispose();
        Console.WriteLine($"first sighting, {queries.Count} SciFact test queries, both models at once:");
        Report("  pair (wall)", pairs);
        foreach (var (name, times) in calls)
        {
            Report($"  {name} call", times);
        }

        foreach (var (name, times) in phases.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Report($"    {name}", times.ToList());
        }

        var again = new List<double>();
        foreach (var q in queries)
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(models.Select(m => m.EmbedAsync([q], EmbeddingPurpose.Query, CancellationToken.None)));
            again.Add(clock.Elapsed.TotalMilliseconds);
        }

        Report("asked again, pair (wall)", again);

        // Ingestion's side of the thread choice: 160 SciFact abstracts (256 tokens at most), one call, all misses.
        var abstracts = File.ReadLines(Path.Combine(dataset, "corpus.jsonl")).Take(160)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
        var ingest = Stopwatch.StartNew();
        await minilm.EmbedAsync(abstracts, EmbeddingPurpose.Document, CancellationToken.None);
        Console.WriteLine($"documents: {abstracts.Count} abstracts with {minilm.Name} in {ingest.Elapsed.TotalSeconds:0.0} s, {abstracts.Count / ingest.Elapsed.TotalSeconds:0.0} texts/s");

        // Results must not move with the settings: the digest of every vector of the first sighting.
        var bytes = vectors.SelectMany(v => MemoryMarshal.AsBytes(v.AsSpan()).ToArray()).ToArray();
        Console.WriteLine($"vector digest (SHA-256 of all {vectors.Count} vectors): {Convert.ToHexString(SHA256.HashData(bytes))[..16]}");

        ((IDisposable)minilm).Dispose();
        ((IDisposable)arctic).Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(cacheFolder, recursive: true);
    }

    private static IEmbeddingModel Build(string name, string cacheFolder, int? threads)
    {
        var options = new EmbeddingOptions { Model = name, CacheDirectory = cacheFolder };
        if (threads is null)
        {
            return EmbeddingModelFactory.Create(options);
        }

        var (definition, files) = EmbeddingModelFactory.Resolve(options);
        var model = new OnnxEmbeddingModel(definition, files, options.MaxTokens, options.BatchSize, threads);
        return new CachedEmbeddingModel(model, Path.Combine(cacheFolder, EmbeddingModelFactory.CacheFileName), ownsInner: true);
    }

    private static async Task<(double Ms, float[] Vector)> TimedAsync(IEmbeddingModel model, string query)
    {
        var clock = Stopwatch.StartNew();
        var vectors = await model.EmbedAsync([query], EmbeddingPurpose.Query, CancellationToken.None);
        return (clock.Elapsed.TotalMilliseconds, vectors[0]);
    }

    /// <summary>Warm-up on train queries, measurement on the test queries (in the order of qrels/test.tsv).</summary>
    private static (List<string> Warmup, List<string> Test) LoadQueries(string dataset, int limit)
    {
        var texts = File.ReadLines(Path.Combine(dataset, "queries.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("_id").GetString()!, e => e.GetProperty("text").GetString()!, StringComparer.Ordinal);
        List<string> Split(string name) => File.ReadLines(Path.Combine(dataset, "qrels", name)).Skip(1)
            .Select(l => l.Split('\t')[0]).Distinct(StringComparer.Ordinal).Where(texts.ContainsKey).Select(id => texts[id]).ToList();
        return (Split("train.tsv").Take(20).ToList(), Split("test.tsv").Take(limit).ToList());
    }

    private static string ShortName(string instrument) => instrument switch
    {
        EmbeddingMetrics.CacheLookup => "cache lookup",
        EmbeddingMetrics.Inference => "inference",
        EmbeddingMetrics.CacheWrite => "cache write",
        _ => instrument,
    };

    private static void Report(string label, List<double> times)
    {
        times.Sort();
        double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
        Console.WriteLine($"{label}: n {times.Count}, p50 {P(0.50):0.0} ms, p95 {P(0.95):0.0} ms, mean {times.Average():0.0} ms");
    }
}
