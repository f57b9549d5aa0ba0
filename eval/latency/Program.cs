// Hybrid search latency on a ~45k-chunk index: SciFact abstracts split into sentences (real text in
// Lucene BM25), one vector per sentence in the embedded HNSW index, real MiniLM query embeddings.
// With --real-vectors every sentence is embedded with MiniLM (cached in <work>/cache, so an interrupted
// run resumes) and HNSW recall@10 against exact search is reported; without it the sentence vectors are
// random unit vectors (HNSW cost depends on the graph's size and width, not on what the vectors mean).
// Usage: dotnet run -c Release -- <beir-scifact folder> <work folder> [queries] [--real-vectors]
// With --novel-query-embedding it measures only the query embeddings of novel queries (NovelQueryEmbedding.cs).
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Indexing.Lexical.Lucene;
using RagService.Indexing.Vectors.Embedded;
using RagService.Models.Embeddings;
using RagService.Retrieval;

if (args.Contains("--novel-query-embedding"))
{
    await NovelQueryEmbedding.RunAsync(args);
    return;
}

var dataset = args[0];
var work = args[1];
var realVectors = args.Contains("--real-vectors");
var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var queryLimit = positional.Length > 2 ? int.Parse(positional[2]) : 300;
// A previous run's indexes are reused (the HNSW build takes minutes); delete the folder to rebuild.
var reuse = Directory.Exists(Path.Combine(work, "vectors"));

var chunks = new Dictionary<string, Chunk>(StringComparer.Ordinal);
foreach (var line in File.ReadLines(Path.Combine(dataset, "corpus.jsonl")))
{
    using var doc = JsonDocument.Parse(line);
    var id = doc.RootElement.GetProperty("_id").GetString()!;
    var title = doc.RootElement.GetProperty("title").GetString() ?? "";
    var text = doc.RootElement.GetProperty("text").GetString() ?? "";
    var sentences = Regex.Split(text, @"(?<=[.!?])\s+(?=[A-Z0-9(])").Where(s => s.Trim().Length > 0).ToArray();
    for (var i = 0; i < sentences.Length; i++)
    {
        var chunkId = ChunkIdentity.Create("lat", "d" + id, 1, i);
        chunks[chunkId] = new Chunk
        {
            Id = chunkId, DocumentId = "d" + id, DocumentVersion = 1, Ordinal = i, Text = sentences[i],
            IndexText = title + "\n" + sentences[i], ContentHash = ChunkIdentity.ContentHash(sentences[i]), SectionPath = [title],
        };
    }
}

Console.WriteLine($"{chunks.Count} sentence chunks");
var clock = Stopwatch.StartNew();
using var lexical = new LuceneLexicalIndex(Path.Combine(work, "lexical"));
if (!reuse)
{
    foreach (var group in chunks.Values.GroupBy(c => c.DocumentId))
    {
        lexical.ReplaceDocument(group.Key, 1, group.ToList());
    }

    lexical.Commit();
}

Console.WriteLine($"BM25 index: {clock.Elapsed.TotalSeconds:0.0} s");
clock.Restart();
using var vectors = new USearchVectorIndex(Path.Combine(work, "vectors"), new USearchVectorIndexOptions { Dimensions = 384 });
var random = new Random(42);
var ids = chunks.Keys.ToList();
float[][]? stored = null;
if (realVectors)
{
    // Sentence vectors from the real model, in slices, through the SQLite embedding cache.
    using var cachedModel = (IDisposable)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "minilm", CacheDirectory = Path.Combine(work, "cache") });
    var embedder = (RagService.Core.Models.IEmbeddingModel)cachedModel;
    stored = new float[ids.Count][];
    for (var start = 0; start < ids.Count; start += 512)
    {
        var slice = ids.Skip(start).Take(512).ToList();
        var embedded = await embedder.EmbedAsync(slice.Select(id => chunks[id].IndexText).ToList(), RagService.Core.Models.EmbeddingPurpose.Document, CancellationToken.None);
        for (var i = 0; i < slice.Count; i++)
        {
            stored[start + i] = embedded[i];
        }

        Console.Write($"\rembedded {Math.Min(start + 512, ids.Count)}/{ids.Count} sentences, {clock.Elapsed.TotalSeconds:0} s   ");
    }

    Console.WriteLine();
}

for (var start = 0; !reuse && start < ids.Count; start += 1000)
{
    var batch = ids.Skip(start).Take(1000).ToList();
    vectors.Upsert(batch, stored is null ? batch.Select(_ => RandomUnit(random)).ToList() : Enumerable.Range(start, batch.Count).Select(i => stored[i]).ToList());
}

if (!reuse)
{
    vectors.Commit();
}

Console.WriteLine($"HNSW index: {clock.Elapsed.TotalSeconds:0.0} s, {vectors.Count} vectors");

var queries = File.ReadLines(Path.Combine(dataset, "queries.jsonl"))
    .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).Take(queryLimit).ToList();

if (stored is not null)
{
    // HNSW recall@10 against exact (brute-force cosine) search, over the first 100 queries.
    using var queryModel = (IDisposable)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "minilm" });
    var queryVectors = await ((RagService.Core.Models.IEmbeddingModel)queryModel).EmbedAsync(queries.Take(100).ToList(), RagService.Core.Models.EmbeddingPurpose.Query, CancellationToken.None);
    double found = 0;
    foreach (var qv in queryVectors)
    {
        var exact = Enumerable.Range(0, ids.Count).Select(i => (Id: ids[i], Score: Dot(qv, stored[i]))).OrderByDescending(x => x.Score).Take(10).Select(x => x.Id).ToHashSet(StringComparer.Ordinal);
        var approximate = vectors.Search(qv, 10, null);
        found += approximate.Count(h => exact.Contains(h.ChunkId));
    }

    Console.WriteLine($"HNSW recall@10 against exact search: {found / (10.0 * queryVectors.Count()):0.000} over {queryVectors.Count()} queries");
}

foreach (var (name, stages) in new (string, SearchStages?)[]
{
    ("bm25", null),
    ("hybrid first stage (the defaults without the second stage: z-score, query understanding, PRF, dedup)", new SearchStages { SecondStage = false }),
    ("hybrid plain z-score", new SearchStages { SecondStage = false, PseudoRelevanceFeedback = false, Routing = false, QueryUnderstanding = false, DateHints = false, Deduplicate = false }),
    ("hybrid z-score + query understanding", new SearchStages { SecondStage = false, PseudoRelevanceFeedback = false, Routing = false, Deduplicate = false }),
    ("hybrid z-score + query understanding, dedup", new SearchStages { SecondStage = false, PseudoRelevanceFeedback = false, Routing = false }),
})
{
    // No embedding cache: every timed query pays for its own query embedding.
    using var embedder = (IDisposable)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "minilm" });
    var retriever = new HybridRetriever(lexical, vectors, (RagService.Core.Models.IEmbeddingModel)embedder, new Lookup(chunks), new RetrievalOptions());
    var mode = name == "bm25" ? SearchMode.Bm25 : SearchMode.Hybrid;
    foreach (var q in queries.Take(20))
    {
        await retriever.SearchAsync(new SearchRequest { Query = q, TopK = 10, Mode = mode, Stages = stages }, CancellationToken.None);
    }

    // The query embedding cache would make repeated queries free: time each query's first run only.
    var times = new List<double>();
    foreach (var q in queries.Skip(20))
    {
        var sw = Stopwatch.StartNew();
        await retriever.SearchAsync(new SearchRequest { Query = q, TopK = 10, Mode = mode, Stages = stages }, CancellationToken.None);
        times.Add(sw.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    Console.WriteLine($"{name}: {times.Count} queries, p50 {P(0.50):0.0} ms, p95 {P(0.95):0.0} ms, p99 {P(0.99):0.0} ms");
    double P(double p) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(p * times.Count) - 1)];
}

// Reranking cost per candidate, by proxy: a MiniLM-L6 cross-encoder does one forward pass per
// (query, passage) pair, the same network shape and work as MiniLM embedding the passage once.
{
    using var model = (IDisposable)EmbeddingModelFactory.Create(new EmbeddingOptions { Model = "minilm" });
    var embed = (RagService.Core.Models.IEmbeddingModel)model;
    var abstracts = File.ReadLines(Path.Combine(dataset, "corpus.jsonl")).Take(200)
        .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString()!).ToList();
    await embed.EmbedAsync(abstracts.Take(16).ToList(), RagService.Core.Models.EmbeddingPurpose.Document, CancellationToken.None);
    var sw = Stopwatch.StartNew();
    await embed.EmbedAsync(abstracts.Skip(16).Take(150).ToList(), RagService.Core.Models.EmbeddingPurpose.Document, CancellationToken.None);
    Console.WriteLine($"rerank proxy: {sw.Elapsed.TotalMilliseconds / 150:0.0} ms per candidate (MiniLM-L6 forward pass, SciFact abstracts up to 256 tokens, batch 16)");
}

static float Dot(float[] a, float[] b)
{
    var sum = 0f;
    for (var i = 0; i < a.Length; i++)
    {
        sum += a[i] * b[i];
    }

    return sum;
}

static float[] RandomUnit(Random random)
{
    var v = new float[384];
    var norm = 0f;
    for (var i = 0; i < v.Length; i++)
    {
        v[i] = (float)((random.NextDouble() * 2) - 1);
        norm += v[i] * v[i];
    }

    norm = MathF.Sqrt(norm);
    for (var i = 0; i < v.Length; i++)
    {
        v[i] /= norm;
    }

    return v;
}

internal sealed class Lookup(Dictionary<string, Chunk> chunks) : IChunkLookup
{
    public IReadOnlyList<Chunk> Resolve(IReadOnlyCollection<string> chunkIds) =>
        chunkIds.Where(chunks.ContainsKey).Select(id => chunks[id]).ToList();

    public IReadOnlySet<string>? AllowedChunkIds(SearchFilter filter) => filter.IsEmpty ? null : chunks.Values.Where(filter.Matches).Select(c => c.Id).ToHashSet();
}
