using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using RagService.Core.Answers;
using RagService.Core.Jobs;
using RagService.Core.Search;
using RagService.Core.Security;
using RagService.Generation.Streaming;
using RagService.Indexing;
using RagService.Retrieval;
using RagService.Retrieval.Context;

namespace RagService.Api.Querying;

/// <summary>What an answer is written from: the question retrieval ran with and its widened hits.</summary>
/// <param name="Question">The standalone question (a conversation's follow-up after rewriting).</param>
/// <param name="Chunks">The index's chunks, where the citations' copies (near-duplicates) are looked up.</param>
/// <param name="Scope">Who asked: copies of a cited text are listed only from documents it may open.</param>
public sealed record Retrieved(string Question, IReadOnlyList<SearchHit> Hits, SearchTrace? Trace, double RetrievalMs, IChunkStore Chunks, AccessScope Scope);

/// <summary>
/// Retrieve, widen (small-to-big) and answer: the one path behind <c>/ask</c>, conversations, the
/// OpenAI-compatible route and the MCP <c>ask</c> tool, so they answer the same question the same way.
/// </summary>
public sealed class AskService(SearchService search, IAnswerGenerator generator, IOptions<AnswerContextOptions> contextOptions)
{
    /// <param name="scope">What the caller may see: enforced inside retrieval, so the answer is written only from permitted text.</param>
    /// <param name="expansion">Null keeps <c>AnswerContext:Expansion</c>.</param>
    /// <param name="contextTokens">Null keeps <c>AnswerContext:MaxTokens</c>.</param>
    public async Task<Retrieved> RetrieveAsync(IndexStore store, SearchRequest request, AccessScope scope, ContextExpansion? expansion, int? contextTokens, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        request = request with { Scope = scope };
        var clock = Stopwatch.StartNew();
        var response = await search.SearchAsync(store, request, ct).ConfigureAwait(false);
        // Small-to-big (the widened context is the hit's own document, whose ACL the hit passed): the generator reads each hit with its section or neighbours; citations keep the exact chunk.
        var defaults = contextOptions.Value;
        var hits = await new ContextAssembler(new CatalogChunkLookup(store.Chunks))
            .WidenAsync(response.Hits, contextTokens ?? defaults.MaxTokens, expansion ?? defaults.Expansion, ct).ConfigureAwait(false);
        return new Retrieved(request.Query, hits, response.Trace, clock.Elapsed.TotalMilliseconds, store.Chunks, scope);
    }

    /// <summary>The verified answer, each citation with the copies of its text the caller may open.</summary>
    public async Task<Answer> AnswerAsync(Retrieved retrieved, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(retrieved);
        var answer = await generator.GenerateAsync(retrieved.Question, retrieved.Hits, ct).ConfigureAwait(false);
        return await CitationCopies.AddAsync(answer, retrieved.Chunks, retrieved.Scope, ct).ConfigureAwait(false);
    }

    /// <summary>The answer as it is produced (LLM tokens, or extractive sentences), then the verified answer with its citations' copies.</summary>
    public async IAsyncEnumerable<AnswerUpdate> StreamAsync(Retrieved retrieved, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(retrieved);
        await foreach (var update in generator.StreamAsync(retrieved.Question, retrieved.Hits, ct).ConfigureAwait(false))
        {
            yield return update.Final is { } final
                ? update with { Final = await CitationCopies.AddAsync(final, retrieved.Chunks, retrieved.Scope, ct).ConfigureAwait(false) }
                : update;
        }
    }
}
