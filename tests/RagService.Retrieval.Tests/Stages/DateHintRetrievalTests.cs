using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Search;
using RagService.Indexing.Lexical.Lucene;
using RagService.Retrieval.Tests.InMemory;

namespace RagService.Retrieval.Tests.Stages;

/// <summary>Dates in the query against a real Lucene index (its doc_date field) and the dense leg's allowed set.</summary>
public sealed class DateHintRetrievalTests : IDisposable
{
    private static readonly Chunk Old = Dated("old", "d2022", "travel expense policy reimbursement rules", new DateTimeOffset(2022, 5, 10, 0, 0, 0, TimeSpan.Zero));
    private static readonly Chunk Mid = Dated("mid", "d2023", "travel expense policy for conferences and trade fairs", new DateTimeOffset(2023, 7, 1, 0, 0, 0, TimeSpan.Zero));
    private static readonly Chunk New = Dated("new", "d2024", "travel expense policy update", new DateTimeOffset(2024, 4, 2, 0, 0, 0, TimeSpan.Zero));

    private readonly string folder = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));
    private readonly LuceneLexicalIndex lexical;
    private readonly InMemoryVectorIndex vectors = new(2);
    private readonly InMemoryChunkLookup lookup = new([Old, Mid, New]);

    public DateHintRetrievalTests()
    {
        lexical = new LuceneLexicalIndex(folder);
        foreach (var chunk in new[] { Old, Mid, New })
        {
            lexical.ReplaceDocumentAsync(chunk.DocumentId, 1, [chunk], CancellationToken.None).GetAwaiter().GetResult();
        }

        lexical.CommitAsync(CancellationToken.None).GetAwaiter().GetResult();
        vectors.Upsert(["old", "mid", "new"], [[1f, 0f], [0.9f, 0.1f], [0.8f, 0.2f]]);
    }

    public void Dispose()
    {
        lexical.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Chunk Dated(string id, string documentId, string text, DateTimeOffset date) =>
        TestChunks.Create(id, documentId, text) with { DocumentDate = date };

    private HybridRetriever Retriever() =>
        new(lexical, vectors, new FixedEmbeddingModel(2, new Dictionary<string, float[]>()), lookup, HybridRetrieverTests.Classic with { QueryUnderstanding = true });

    private static SearchRequest Request(string query, SearchFilter? filter = null, SearchStages? stages = null) =>
        new() { Query = query, IncludeTrace = true, Filter = filter ?? SearchFilter.None, Stages = stages };

    private static SearchTraceStep Step(SearchResponse response) => response.Trace!.Steps.Single(s => s.Stage == "date-hint");

    [Fact]
    public async Task A_range_with_a_direction_filters_inside_both_retrievers()
    {
        var response = await Retriever().SearchAsync(Request("travel expense policy since March 2024"), CancellationToken.None);

        var hit = Assert.Single(response.Hits);
        Assert.Equal("new", hit.Chunk.Id);
        Assert.Equal(1, hit.Scores.Bm25Rank);
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), Assert.Single(lookup.AllowedRequests).ModifiedAfter);
        var step = Step(response);
        Assert.True(step.Applied);
        Assert.Equal("filter [2024-03-01, …) from 'since March 2024' (auto)", step.Detail);
        Assert.Equal("true", response.Trace!.Settings["filtered"]);
    }

    [Fact]
    public async Task A_period_boosts_documents_dated_in_it_and_keeps_the_others()
    {
        // BM25 alone ranks the longest text, mid's, last.
        var plain = await Retriever().SearchAsync(Request("travel expense policy in 2023", stages: new SearchStages { DateHints = false }) with { Mode = SearchMode.Bm25 }, CancellationToken.None);
        Assert.Equal("mid", plain.Hits[^1].Chunk.Id);

        var response = await Retriever().SearchAsync(Request("travel expense policy in 2023") with { Mode = SearchMode.Bm25 }, CancellationToken.None);

        Assert.Equal(3, response.Hits.Count);
        Assert.Equal("mid", response.Hits[0].Chunk.Id);
        Assert.Empty(lookup.AllowedRequests);
        var step = Step(response);
        Assert.True(step.Applied);
        Assert.Equal("boost [2023-01-01, 2024-01-01) from 'in 2023' (auto): 1 candidates boosted", step.Detail);
    }

    [Fact]
    public async Task The_mode_can_turn_a_period_into_a_filter_per_request()
    {
        var response = await Retriever().SearchAsync(Request("travel expense policy in 2023", stages: new SearchStages { DateHintMode = "filter" }), CancellationToken.None);

        Assert.Equal(["mid"], response.Hits.Select(h => h.Chunk.Id));
    }

    [Fact]
    public async Task A_date_filter_from_the_query_that_leaves_nothing_becomes_a_boost()
    {
        var response = await Retriever().SearchAsync(Request("travel expense policy after 2024"), CancellationToken.None);

        Assert.Equal(3, response.Hits.Count);
        var step = Step(response);
        Assert.Equal(
            "filter [2025-01-01, …) from 'after 2024' (auto) matched nothing; instead boost [2025-01-01, …) from 'after 2024' (boost): 0 candidates boosted",
            step.Detail);
    }

    [Fact]
    public async Task An_explicit_date_filter_in_the_request_wins_over_the_query()
    {
        var filter = new SearchFilter { ModifiedBefore = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero) };

        var response = await Retriever().SearchAsync(Request("travel expense policy since March 2024", filter), CancellationToken.None);

        Assert.Equal(["old"], response.Hits.Select(h => h.Chunk.Id));
        var step = Step(response);
        Assert.False(step.Applied);
        Assert.Contains("ignored: the request's own date filter wins", step.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switched_off_per_request_the_query_date_does_nothing()
    {
        var response = await Retriever().SearchAsync(Request("travel expense policy since March 2024", stages: new SearchStages { DateHints = false }), CancellationToken.None);

        Assert.Equal(3, response.Hits.Count);
        Assert.Equal(("date-hint", false, "off"), (Step(response).Stage, Step(response).Applied, Step(response).Detail));
    }
}
