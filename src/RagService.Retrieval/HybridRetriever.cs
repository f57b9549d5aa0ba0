using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Core.Models;
using RagService.Core.Search;
using RagService.Indexing.Lexical.Lucene;
using RagService.Retrieval.Expansion;
using RagService.Retrieval.Fusion;
using RagService.Retrieval.Hygiene;
using RagService.Retrieval.QueryUnderstanding;
using RagService.Retrieval.Rewriting;
using RagService.Retrieval.Routing;
using RagService.Retrieval.SecondStage;

namespace RagService.Retrieval;

/// <summary>
/// Searches one RagService index. The stages, each switchable per request and each reported in the trace:
/// query understanding → routing → retrieval (BM25 ∥ dense, plus an optional PRF-expanded BM25 leg; the
/// filter applied inside each retriever) → fusion → section boost → second-stage rescoring (BM25 and two
/// embedding models over the fused top candidates) → cross-encoder reranking (within a latency budget)
/// → near-duplicate suppression. Hits are resolved to live chunks and stale ids (a document replaced or
/// deleted since the index was read) are dropped before fusion, so a dead chunk neither appears nor
/// pushes live chunks down the ranking.
/// </summary>
public sealed partial class HybridRetriever
{
    private readonly ILexicalIndex lexical;
    private readonly IVectorIndex vectors;
    private readonly IEmbeddingModel embedder;
    private readonly IChunkLookup chunks;
    private readonly RetrievalOptions options;
    private readonly IEmbeddingModel? secondEmbedder;
    private readonly IReranker? reranker;
    private readonly IQueryRewriter? rewriter;
    private readonly IReranker? llmReranker;

    /// <param name="secondEmbedder">The second stage's other embedding model; null disables the stage.</param>
    /// <param name="reranker">A cross-encoder; null disables reranking.</param>
    /// <param name="rewriter">The LLM query rewriter of the "rewrite" stage; null: no LLM configured.</param>
    /// <param name="llmReranker">The LLM reranker of the "llm-rerank" stage; null: no LLM configured.</param>
    public HybridRetriever(
        ILexicalIndex lexical,
        IVectorIndex vectors,
        IEmbeddingModel embedder,
        IChunkLookup chunks,
        RetrievalOptions options,
        IEmbeddingModel? secondEmbedder = null,
        IReranker? reranker = null,
        IQueryRewriter? rewriter = null,
        IReranker? llmReranker = null)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Bm25Candidates);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.DenseCandidates);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Bm25Weight);
        ArgumentOutOfRangeException.ThrowIfNegative(options.DenseWeight);
        _ = EffectiveStages.From(options, null);

        this.lexical = lexical;
        this.vectors = vectors;
        this.embedder = embedder;
        this.chunks = chunks;
        this.options = options;
        this.secondEmbedder = secondEmbedder;
        this.reranker = reranker;
        this.rewriter = rewriter;
        this.llmReranker = llmReranker;
    }

    public RetrievalOptions Options => options;

    public async Task<SearchResponse> SearchAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.TopK);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.TopK, RetrievalOptions.MaxTopK);
        cancellationToken.ThrowIfCancellationRequested();

        var stages = EffectiveStages.From(options, request.Stages);
        if (stages.Rewrite && rewriter is not null)
        {
            return await SearchRewrittenAsync(request, stages, cancellationToken).ConfigureAwait(false);
        }

        var steps = new List<SearchTraceStep>
        {
            new("rewrite", false, 0, rewriter is null ? "no LLM configured" : "off"),
        };
        var filter = request.Filter ?? SearchFilter.None;
        var bm25Wanted = Math.Max(options.Bm25Candidates, request.TopK);
        var denseWanted = Math.Max(options.DenseCandidates, request.TopK);
        var useBm25 = request.Mode is SearchMode.Bm25 or SearchMode.Hybrid;
        var useDense = request.Mode is SearchMode.Dense or SearchMode.Hybrid;
        var hybrid = request.Mode == SearchMode.Hybrid;

        // 1. Query understanding.
        var clock = Stopwatch.StartNew();
        var analysis = stages.QueryUnderstanding ? QueryAnalyzer.Analyze(request.Query) : QueryAnalysis.Plain(request.Query.Trim());

        // Without query understanding, quotes are plain punctuation: the lexical index sees no phrase.
        var lexicalQuery = stages.QueryUnderstanding ? analysis.Text : QuoteMarks().Replace(analysis.Text, " ");
        steps.Add(new SearchTraceStep("query-understanding", stages.QueryUnderstanding, clock.Elapsed.TotalMilliseconds, stages.QueryUnderstanding
            ? $"language={analysis.Language}; intent={analysis.Intent}; words={analysis.WordCount}; phrases=[{string.Join(" | ", analysis.Phrases)}]; sections=[{string.Join(", ", analysis.SectionReferences)}]"
            : "off"));

        // 1b. Dates named in the query: a document-date filter now (inside each retriever) or a boost after fusion.
        clock.Restart();
        var dates = DecideDates(stages, analysis.Text, request.Filter);
        if (dates.Use == DateUse.Filter)
        {
            filter = filter with { ModifiedAfter = dates.Hint!.After, ModifiedBefore = dates.Hint.Before };
        }

        var dateMs = clock.Elapsed.TotalMilliseconds;

        // 2. Routing.
        var weights = new RoutedWeights(stages.Bm25Weight, stages.DenseWeight, "configured weights");
        var routed = stages.Routing && stages.QueryUnderstanding && hybrid;
        if (routed)
        {
            weights = IntentRouter.Route(analysis, options, stages.Bm25Weight, stages.DenseWeight);
        }

        steps.Add(new SearchTraceStep("routing", routed, 0, FormattableString.Invariant($"{weights.Reason}: bm25 {weights.Bm25:0.###}, dense {weights.Dense:0.###}")));

        // 3. Retrieval: the legs run in parallel (Lucene and USearch are synchronous; query embedding dominates).
        var chineseSkipsPrf = !options.PrfForChinese && LuceneLexicalIndex.ContainsHan(lexicalQuery);
        var usePrf = stages.Prf && useBm25 && !chineseSkipsPrf;
        var bm25Task = useBm25
            ? Task.Run(() => SearchLexical(lexicalQuery, bm25Wanted, filter, usePrf), cancellationToken)
            : Task.FromResult(LexicalResult.Skipped);
        var denseTask = useDense
            ? SearchDenseAsync(analysis.Text, denseWanted, filter, cancellationToken)
            : Task.FromResult(LegResult.Skipped);
        var secondStage = stages.SecondStage && hybrid && secondEmbedder is not null;
        var secondQueryTask = secondStage
            ? secondEmbedder!.EmbedAsync([analysis.Text], EmbeddingPurpose.Query, cancellationToken)
            : Task.FromResult(Array.Empty<float[]>());
        await Task.WhenAll(bm25Task, denseTask).ConfigureAwait(false);
        var bm25 = await bm25Task.ConfigureAwait(false);
        var dense = await denseTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (usePrf)
        {
            steps.Add(new SearchTraceStep("prf", bm25.Expansion.Count > 0, bm25.PrfMs, $"expansion=[{string.Join(' ', bm25.Expansion)}]"));
        }
        else
        {
            steps.Add(new SearchTraceStep("prf", false, 0, stages.Prf && chineseSkipsPrf ? "off for Chinese queries (Retrieval:PrfForChinese)" : "off"));
        }

        // 4. Fusion (or one leg alone).
        clock.Restart();
        var live = ResolveLive(bm25.Original.Hits, bm25.Expanded.Hits, dense.Hits, filter);
        var bm25Live = KeepLive(bm25.Original.Hits, live);
        var prfLive = KeepLive(bm25.Expanded.Hits, live);
        var denseLive = KeepLive(dense.Hits, live);
        List<Candidate> ranked;
        string fusionName;
        if (hybrid)
        {
            var lists = new List<RankedList> { new("bm25", bm25Live, weights.Bm25), new("dense", denseLive, weights.Dense) };
            if (prfLive.Count > 0)
            {
                lists.Add(new RankedList("bm25-prf", prfLive, weights.Bm25 * options.PrfWeight));
            }

            var fusion = CreateFusion(stages.Fusion, stages.RrfK);
            fusionName = fusion.Name;
            ranked = fusion.Fuse(lists).Select(f => new Candidate(f.ChunkId, f.Score, f.Score)).ToList();
        }
        else
        {
            fusionName = "none";
            var leg = request.Mode == SearchMode.Bm25 ? (prfLive.Count > 0 ? FuseLexical(bm25Live, prfLive) : bm25Live) : denseLive;
            ranked = leg.Select(h => new Candidate(h.ChunkId, h.Score, h.Score)).ToList();
        }

        steps.Add(new SearchTraceStep("fusion", hybrid, clock.Elapsed.TotalMilliseconds, hybrid
            ? FormattableString.Invariant($"{fusionName}{(fusionName == "rrf" ? $" k={stages.RrfK}" : "")}; bm25 {weights.Bm25:0.###}, dense {weights.Dense:0.###}{(prfLive.Count > 0 ? $", prf {weights.Bm25 * options.PrfWeight:0.###}" : "")}; {ranked.Count} candidates")
            : $"single leg ({ModeName(request.Mode)})"));

        // 5. Section references in the query boost chunks under that section.
        clock.Restart();
        var boosted = 0;
        if (stages.QueryUnderstanding && analysis.SectionReferences.Count > 0 && ranked.Count > 0)
        {
            var bonus = options.SectionBoost * Math.Abs(ranked[0].Score);
            for (var i = 0; i < ranked.Count; i++)
            {
                if (SectionMatches(live[ranked[i].ChunkId], analysis.SectionReferences))
                {
                    ranked[i] = ranked[i] with { Score = ranked[i].Score + bonus };
                    boosted++;
                }
            }

            ranked = ranked.OrderByDescending(c => c.Score).ThenBy(c => c.ChunkId, StringComparer.Ordinal).ToList();
        }

        steps.Add(new SearchTraceStep("section-boost", boosted > 0, clock.Elapsed.TotalMilliseconds, $"{boosted} candidates under [{string.Join(", ", analysis.SectionReferences)}]"));
        clock.Restart();
        var dateBoosted = ApplyDateBoost(dates, ranked, live);
        steps.Add(DateStep(dates, dateBoosted, dateMs + clock.Elapsed.TotalMilliseconds));

        // 6. Second stage.
        Dictionary<string, Dictionary<string, float>>? stageScores = null;
        if (secondStage && ranked.Count > 0)
        {
            clock.Restart();
            var secondQuery = await secondQueryTask.ConfigureAwait(false);
            stageScores = new Dictionary<string, Dictionary<string, float>>(StringComparer.Ordinal);
            ranked = await RescoreAsync(lexicalQuery, ranked, live, bm25Live, denseLive, dense.QueryVector!, secondQuery[0], weights, filter, stageScores, cancellationToken).ConfigureAwait(false);
            steps.Add(new SearchTraceStep("second-stage", true, clock.Elapsed.TotalMilliseconds, FormattableString.Invariant(
                $"{Math.Min(options.SecondStageCandidates, ranked.Count)} candidates; {options.SecondStageNormalisation}; bm25 {options.SecondStageBm25Weight * weights.Bm25 / Math.Max(stages.Bm25Weight, 1e-9):0.###}, {embedder.Name} {options.SecondStageDenseWeight * weights.Dense / Math.Max(stages.DenseWeight, 1e-9):0.###}, {secondEmbedder!.Name} {options.SecondStageSecondDenseWeight * weights.Dense / Math.Max(stages.DenseWeight, 1e-9):0.###}")));
        }
        else
        {
            steps.Add(new SearchTraceStep("second-stage", false, 0, !hybrid ? "hybrid mode only" : secondEmbedder is null ? "no second embedding model" : "off"));
        }

        // 7. Cross-encoder reranking.
        Dictionary<string, float>? rerankScores = null;
        if (stages.Rerank && reranker is not null && ranked.Count > 0)
        {
            clock.Restart();
            (ranked, rerankScores, var note) = await RerankAsync(reranker, options.RerankCandidates, options.RerankBudgetMs, analysis.Text, ranked, live, cancellationToken).ConfigureAwait(false);
            steps.Add(new SearchTraceStep("rerank", rerankScores is not null, clock.Elapsed.TotalMilliseconds, note));
        }
        else
        {
            steps.Add(new SearchTraceStep("rerank", false, 0, reranker is null ? "no reranker configured" : "off"));
        }

        // 8. LLM reranking, then result hygiene (near-duplicate suppression or MMR).
        stageScores ??= new Dictionary<string, Dictionary<string, float>>(StringComparer.Ordinal);
        ranked = await FinalStagesAsync(analysis.Text, ranked, live, stages, steps, stageScores, cancellationToken).ConfigureAwait(false);

        var hits = ToHits(ranked, live, bm25Live, denseLive, request.TopK, stageScores, rerankScores);
        var staleDropped = CountDistinct(bm25.Original.Hits, bm25.Expanded.Hits, dense.Hits) - live.Count;
        var trace = request.IncludeTrace
            ? new SearchTrace
            {
                Mode = ModeName(request.Mode),
                Bm25Candidates = bm25.Original.Hits.Count,
                DenseCandidates = dense.Hits.Count,
                Bm25Ms = bm25.Original.SearchMs,
                DenseMs = dense.SearchMs,
                EmbedMs = dense.EmbedMs,
                FuseMs = steps.Where(s => s.Stage is "fusion" or "section-boost").Sum(s => s.Ms),
                Settings = Settings(request, stages, weights, fusionName, bm25Wanted, denseWanted, filter, staleDropped, dates),
                Steps = steps,
            }
            : null;
        return hits.Count == 0 && dates.Use == DateUse.Filter && stages.DateHintMode == "auto"
            ? await DatesAsBoostAsync(request, dates, cancellationToken).ConfigureAwait(false)
            : new SearchResponse(hits, trace);
    }

    /// <summary>
    /// The "rewrite" stage: the LLM rewrites the query with the asked techniques (paraphrases, sub-questions,
    /// a step-back question, a HyDE passage), the original and every rewritten query run through the rest
    /// of the pipeline (in parallel), and the rankings are fused by weighted RRF (original 1, each rewrite
    /// <see cref="RetrievalOptions.RewriteWeight"/>). Dates in the original query, LLM reranking and result
    /// hygiene apply once, to the fused ranking. A failed or timed-out rewrite leaves the original ranking,
    /// and the trace says so.
    /// </summary>
    /// <param name="earlier">The rewrites of a first attempt, reused when the search runs again (a date filter that left nothing).</param>
    private async Task<SearchResponse> SearchRewrittenAsync(SearchRequest request, EffectiveStages stages, CancellationToken cancellationToken, RewriteOutcome? earlier = null)
    {
        var clock = Stopwatch.StartNew();
        var techniques = stages.Techniques;
        IReadOnlyList<RewrittenQuery> rewrites = earlier?.Rewrites ?? [];
        string? failure = earlier?.Failure;
        if (techniques.Any && earlier is null)
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(options.RewriteBudgetMs);
            try
            {
                rewrites = await rewriter!.RewriteAsync(request.Query, techniques, budget.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = FormattableString.Invariant($"timed out after {options.RewriteBudgetMs} ms");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = $"failed ({e.GetType().Name}: {e.Message})";
            }
        }

        var rewriteMs = earlier?.Ms ?? clock.Elapsed.TotalMilliseconds;

        // Dates in the original query decide for every rewritten query: one filter (inside each retriever)
        // or one boost of the fused ranking.
        var dates = DecideDates(stages, stages.QueryUnderstanding ? QueryAnalyzer.Analyze(request.Query).Text : request.Query, request.Filter);
        var filter = dates.Use == DateUse.Filter
            ? (request.Filter ?? SearchFilter.None) with { ModifiedAfter = dates.Hint!.After, ModifiedBefore = dates.Hint.Before }
            : request.Filter ?? SearchFilter.None;
        var inner = request with
        {
            TopK = Math.Min(RetrievalOptions.MaxTopK, Math.Max(request.TopK, options.RewriteCandidates)),
            Filter = filter,
            Stages = (request.Stages ?? new SearchStages()) with { Rewrite = false, DateHints = false, LlmRerank = false, Deduplicate = false, Mmr = false },
        };
        var searches = new[] { inner }.Concat(rewrites.Select(r => inner with { Query = r.Text })).Select(r => SearchAsync(r, cancellationToken)).ToList();
        var responses = await Task.WhenAll(searches).ConfigureAwait(false);
        clock.Restart();

        var lists = new List<RankedList>(responses.Length);
        var byId = new Dictionary<string, SearchHit>(StringComparer.Ordinal);
        for (var i = 0; i < responses.Length; i++)
        {
            var hits = responses[i].Hits;
            lists.Add(new RankedList(i == 0 ? "original" : rewrites[i - 1].Kind, hits.Select(h => new ScoredChunkId(h.Chunk.Id, h.Score)).ToList(), i == 0 ? 1.0 : options.RewriteWeight));
            foreach (var hit in hits)
            {
                byId.TryAdd(hit.Chunk.Id, hit);
            }
        }

        var fused = responses.Length == 1
            ? responses[0].Hits.Select(h => new FusedCandidate(h.Chunk.Id, h.Score)).ToList()
            : new ReciprocalRankFusion(options.RrfK).Fuse(lists);
        var fuseMs = clock.Elapsed.TotalMilliseconds;

        // The stages that see the whole fused ranking.
        var live = byId.ToDictionary(p => p.Key, p => p.Value.Chunk, StringComparer.Ordinal);
        var ranked = fused.Select(f => new Candidate(f.ChunkId, f.Score, f.Score)).ToList();
        var tailSteps = new List<SearchTraceStep>();
        clock.Restart();
        var dateBoosted = ApplyDateBoost(dates, ranked, live);
        var dateStep = DateStep(dates, dateBoosted, clock.Elapsed.TotalMilliseconds);
        var extraScores = new Dictionary<string, Dictionary<string, float>>(StringComparer.Ordinal);
        ranked = await FinalStagesAsync(request.Query, ranked, live, stages, tailSteps, extraScores, cancellationToken).ConfigureAwait(false);

        var result = ranked.Take(request.TopK).Select(c =>
        {
            var hit = byId[c.ChunkId];
            var scores = new Dictionary<string, float>(hit.Scores.StageScores ?? new Dictionary<string, float>(), StringComparer.Ordinal);
            if (responses.Length > 1)
            {
                scores["rewrite-rrf"] = (float)c.FusedScore;
            }

            if (extraScores.TryGetValue(c.ChunkId, out var extra))
            {
                foreach (var (name, value) in extra)
                {
                    scores[name] = value;
                }
            }

            return hit with { Score = (float)c.Score, Scores = hit.Scores with { StageScores = scores.Count > 0 ? scores : null } };
        }).ToList();

        SearchTrace? trace = null;
        if (request.IncludeTrace && responses[0].Trace is { } first)
        {
            var detail = failure is not null
                ? $"{rewriter!.Name} {failure}: original query only"
                : !techniques.Any
                    ? "no rewrite technique enabled: original query only"
                    : rewrites.Count == 0
                        ? $"{rewriter!.Name}: no rewrites ({techniques})"
                        : $"{rewriter!.Name}: {rewrites.Count} rewrites ({techniques}) fused by rrf (original 1, rewrites {options.RewriteWeight.ToString(CultureInfo.InvariantCulture)}): " +
                          string.Join(" | ", rewrites.Select(r => $"{r.Kind}: {r.Text}"));
            var settings = new Dictionary<string, string>(first.Settings, StringComparer.Ordinal)
            {
                ["topK"] = Invariant(request.TopK),
                ["rewrite"] = "true",
                ["rewriter"] = rewriter!.Name,
                ["rewriteTechniques"] = techniques.ToString(),
                ["rewrittenQueries"] = Invariant(rewrites.Count),
                ["rewriteBudgetMs"] = Invariant(options.RewriteBudgetMs),
            };
            AddFinalStageSettings(settings, stages, dates);
            var steps = new List<SearchTraceStep> { new("rewrite", rewrites.Count > 0, rewriteMs + fuseMs, detail) };
            foreach (var step in first.Steps)
            {
                if (step.Stage == "date-hint")
                {
                    steps.Add(dateStep);
                }
                else if (step.Stage is not ("rewrite" or "llm-rerank" or "dedup" or "mmr"))
                {
                    steps.Add(step);
                }
            }

            steps.AddRange(tailSteps);
            trace = first with { Settings = settings, Steps = steps };
        }

        if (result.Count == 0 && dates.Use == DateUse.Filter && stages.DateHintMode == "auto")
        {
            var retry = await SearchRewrittenAsync(
                request with { Stages = (request.Stages ?? new SearchStages()) with { DateHintMode = "boost" } },
                stages with { DateHintMode = "boost" },
                cancellationToken,
                new RewriteOutcome(rewrites, failure, rewriteMs)).ConfigureAwait(false);
            return AnnotateDateFallback(retry, dates);
        }

        return new SearchResponse(result, trace);
    }

    private LexicalResult SearchLexical(string query, int topK, SearchFilter filter, bool prf)
    {
        var clock = Stopwatch.StartNew();
        var hits = lexical.SearchAsync(query, topK, filter, CancellationToken.None).GetAwaiter().GetResult();
        var original = new LegResult(hits, clock.Elapsed.TotalMilliseconds, 0, null);
        if (!prf || hits.Count == 0)
        {
            return new LexicalResult(original, LegResult.Skipped, [], 0);
        }

        clock.Restart();
        var top = hits.Take(options.PrfDocuments).ToList();
        var texts = chunks.Resolve(top.Select(h => h.ChunkId).ToHashSet(StringComparer.Ordinal)).ToDictionary(c => c.Id, c => c.IndexText, StringComparer.Ordinal);
        var feedback = top.Where(h => texts.ContainsKey(h.ChunkId)).Select(h => (texts[h.ChunkId], (double)h.Score)).ToList();
        var expansion = PseudoRelevanceFeedback.ExpansionTerms(query, feedback, options.PrfTerms);
        if (expansion.Count == 0)
        {
            return new LexicalResult(original, LegResult.Skipped, [], clock.Elapsed.TotalMilliseconds);
        }

        var expandedHits = lexical.SearchAsync(PseudoRelevanceFeedback.ExpandedQuery(query, expansion), topK, filter, CancellationToken.None).GetAwaiter().GetResult();
        return new LexicalResult(original, new LegResult(expandedHits, 0, 0, null), expansion.Select(e => e.Term).ToList(), clock.Elapsed.TotalMilliseconds);
    }

    private async Task<LegResult> SearchDenseAsync(string query, int topK, SearchFilter filter, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var embedded = await embedder.EmbedAsync([query], EmbeddingPurpose.Query, cancellationToken).ConfigureAwait(false);
        var embedMs = clock.Elapsed.TotalMilliseconds;
        if (embedded.Length != 1 || embedded[0].Length != vectors.Dimensions)
        {
            throw new InvalidOperationException(
                $"Embedding model '{embedder.Name}' returned a vector of {(embedded.Length == 1 ? embedded[0].Length : 0)} dimensions; the vector index holds {vectors.Dimensions}.");
        }

        clock.Restart();

        // The vector index cannot evaluate a filter, so the catalog names the chunks it may return;
        // the index searches a small allowed set exactly rather than oversampling its graph.
        var allowed = filter.IsEmpty ? null : chunks.AllowedChunkIds(filter);
        IReadOnlyList<ScoredChunkId> hits = allowed is { Count: 0 }
            ? []
            : await Task.Run(() => vectors.SearchAsync(embedded[0], topK, allowed, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new LegResult(hits, clock.Elapsed.TotalMilliseconds, embedMs, embedded[0]);
    }

    /// <summary>
    /// Scores every one of the top fused candidates on all three signals: BM25 (a second, restricted
    /// Lucene search fills in candidates the BM25 leg did not return), the index's model (an exact
    /// search over the candidate set) and the second model (candidate texts embedded through the
    /// embedding cache), then orders them by the weighted sum of normalised scores.
    /// </summary>
    private async Task<List<Candidate>> RescoreAsync(
        string query, List<Candidate> ranked, Dictionary<string, Chunk> live, List<ScoredChunkId> bm25Live, List<ScoredChunkId> denseLive,
        float[] queryVector, float[] secondQueryVector, RoutedWeights weights, SearchFilter filter,
        Dictionary<string, Dictionary<string, float>> stageScores, CancellationToken cancellationToken)
    {
        var head = ranked.Take(options.SecondStageCandidates).ToList();
        var ids = head.Select(c => c.ChunkId).ToHashSet(StringComparer.Ordinal);

        var bm25Scores = bm25Live.Where(h => ids.Contains(h.ChunkId)).GroupBy(h => h.ChunkId).ToDictionary(g => g.Key, g => (double)g.First().Score, StringComparer.Ordinal);
        var missingDocuments = head.Where(c => !bm25Scores.ContainsKey(c.ChunkId)).Select(c => live[c.ChunkId].DocumentId).Distinct(StringComparer.Ordinal).ToList();
        var bm25Task = missingDocuments.Count == 0
            ? Task.FromResult<IReadOnlyList<ScoredChunkId>>([])
            : Task.Run(() => lexical.SearchAsync(query, missingDocuments.Count * 8 + 16, filter with { DocumentIds = missingDocuments }, cancellationToken), cancellationToken);
        var denseTask = Task.Run(() => vectors.SearchAsync(queryVector, ids.Count, ids, cancellationToken), cancellationToken);
        var secondVectors = await secondEmbedder!.EmbedAsync(head.Select(c => live[c.ChunkId].IndexText).ToList(), EmbeddingPurpose.Document, cancellationToken).ConfigureAwait(false);
        foreach (var hit in await bm25Task.ConfigureAwait(false))
        {
            if (ids.Contains(hit.ChunkId))
            {
                bm25Scores.TryAdd(hit.ChunkId, hit.Score);
            }
        }

        var denseScores = denseLive.Where(h => ids.Contains(h.ChunkId)).GroupBy(h => h.ChunkId).ToDictionary(g => g.Key, g => (double)g.First().Score, StringComparer.Ordinal);
        foreach (var hit in await denseTask.ConfigureAwait(false))
        {
            denseScores.TryAdd(hit.ChunkId, hit.Score);
        }

        var signals = new List<CandidateSignals>(head.Count);
        for (var i = 0; i < head.Count; i++)
        {
            var id = head[i].ChunkId;
            var second = Dot(secondQueryVector, secondVectors[i]);
            double? b = bm25Scores.TryGetValue(id, out var bv) ? bv : null;
            double? d = denseScores.TryGetValue(id, out var dv) ? dv : null;
            signals.Add(new CandidateSignals(id, b, d, second));
            var scores = new Dictionary<string, float>(StringComparer.Ordinal) { ["second-dense"] = (float)second };
            if (b is { } bs)
            {
                scores["bm25-exact"] = (float)bs;
            }

            if (d is { } ds)
            {
                scores["dense-exact"] = (float)ds;
            }

            stageScores[id] = scores;
        }

        // Routing scales the lexical and dense signals here as it does in fusion.
        var bm25Scale = weights.Bm25 / Math.Max(options.Bm25Weight, 1e-9);
        var denseScale = weights.Dense / Math.Max(options.DenseWeight, 1e-9);
        var rescored = CandidateRescorer.Rescore(
            signals,
            options.SecondStageBm25Weight * bm25Scale,
            options.SecondStageDenseWeight * denseScale,
            options.SecondStageSecondDenseWeight * denseScale,
            options.SecondStageNormalisation);
        var fused = head.ToDictionary(c => c.ChunkId, c => c.FusedScore, StringComparer.Ordinal);
        var result = new List<Candidate>(ranked.Count);
        foreach (var (id, score) in rescored)
        {
            stageScores[id]["second-stage"] = (float)score;
            result.Add(new Candidate(id, score, fused[id]));
        }

        AppendTail(result, ranked.Skip(head.Count));
        return result;
    }

    /// <summary>
    /// Reorders the top <paramref name="candidates"/> by <paramref name="model"/>'s scores. Past the budget,
    /// on a failure or a malformed reply, the previous order is kept and the note says why.
    /// </summary>
    private static async Task<(List<Candidate> Ranked, Dictionary<string, float>? Scores, string Note)> RerankAsync(
        IReranker model, int candidates, int budgetMs, string query, List<Candidate> ranked, IReadOnlyDictionary<string, Chunk> live, CancellationToken cancellationToken)
    {
        var head = ranked.Take(Math.Max(1, candidates)).ToList();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(budgetMs);
        float[] scores;
        try
        {
            scores = await model.ScoreAsync(query, head.Select(c => live[c.ChunkId].Text).ToList(), budget.Token).ConfigureAwait(false);
            if (scores.Length != head.Count)
            {
                throw new FormatException($"{scores.Length} scores for {head.Count} candidates");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (ranked, null, FormattableString.Invariant($"{model.Name}: budget of {budgetMs} ms exceeded: kept the previous order of {head.Count} candidates"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var why = e is FormatException ? $"malformed reply ({e.Message})" : $"failed ({e.GetType().Name}: {e.Message})";
            return (ranked, null, FormattableString.Invariant($"{model.Name}: {why}: kept the previous order of {head.Count} candidates"));
        }

        var byId = new Dictionary<string, float>(StringComparer.Ordinal);
        for (var i = 0; i < head.Count; i++)
        {
            byId[head[i].ChunkId] = scores[i];
        }

        var result = head
            .Select((c, i) => c with { Score = scores[i] })
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.ChunkId, StringComparer.Ordinal)
            .ToList();
        AppendTail(result, ranked.Skip(head.Count));
        return (result, byId, $"{model.Name}: {head.Count} candidates");
    }

    /// <summary>Candidates below a rescored head keep their order and get scores below the head's lowest.</summary>
    private static void AppendTail(List<Candidate> head, IEnumerable<Candidate> tail)
    {
        var floor = head.Count == 0 ? 0 : head[^1].Score;
        var step = 1e-3;
        foreach (var candidate in tail)
        {
            floor -= step;
            head.Add(candidate with { Score = floor });
        }
    }

    private static bool SectionMatches(Chunk chunk, IReadOnlyList<string> references)
    {
        foreach (var section in chunk.SectionPath)
        {
            foreach (var reference in references)
            {
                // "3.1" matches "3.1 Scope", "Section 3.1", "3.1.2 …"; "2" matches "Chapter 2", "2 Overview" and "第二章".
                var pattern = $@"(^|[^\d.]){Regex.Escape(reference)}(\.|\b|$)";
                if (Regex.IsMatch(section, pattern) || ChineseHeading(section) == reference)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? ChineseHeading(string section)
    {
        var m = ChineseChapter().Match(section);
        return m.Success ? ChineseNumerals.ToArabic(m.Groups["n"].Value) : null;
    }

    private static List<ScoredChunkId> FuseLexical(List<ScoredChunkId> original, List<ScoredChunkId> expanded) =>
        new ReciprocalRankFusion().Fuse([new RankedList("bm25", original, 1.0), new RankedList("bm25-prf", expanded, 0.5)])
            .Select(f => new ScoredChunkId(f.ChunkId, (float)f.Score)).ToList();

    private static float Dot(float[] a, float[] b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private Dictionary<string, Chunk> ResolveLive(IReadOnlyList<ScoredChunkId> bm25, IReadOnlyList<ScoredChunkId> prf, IReadOnlyList<ScoredChunkId> dense, SearchFilter filter)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hit in bm25.Concat(prf).Concat(dense))
        {
            ids.Add(hit.ChunkId);
        }

        var live = new Dictionary<string, Chunk>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return live;
        }

        foreach (var chunk in chunks.Resolve(ids))
        {
            // The filter carries tenant and ACL restrictions: re-checking it on the resolved chunk means
            // a backend that ignored it, or tags changed since indexing, cannot leak a chunk.
            if (ids.Contains(chunk.Id) && filter.Matches(chunk))
            {
                live[chunk.Id] = chunk;
            }
        }

        return live;
    }

    private static List<ScoredChunkId> KeepLive(IReadOnlyList<ScoredChunkId> hits, Dictionary<string, Chunk> live)
    {
        var kept = new List<ScoredChunkId>(hits.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var hit in hits)
        {
            if (live.ContainsKey(hit.ChunkId) && seen.Add(hit.ChunkId))
            {
                kept.Add(hit);
            }
        }

        return kept;
    }

    private static List<SearchHit> ToHits(
        List<Candidate> ranked, Dictionary<string, Chunk> live, List<ScoredChunkId> bm25, List<ScoredChunkId> dense, int topK,
        Dictionary<string, Dictionary<string, float>>? stageScores, Dictionary<string, float>? rerankScores)
    {
        var bm25Ranks = Ranks(bm25);
        var denseRanks = Ranks(dense);
        var hits = new List<SearchHit>(Math.Min(topK, ranked.Count));
        foreach (var candidate in ranked.Take(topK))
        {
            var breakdown = new ScoreBreakdown { FusedScore = (float)candidate.FusedScore };
            if (bm25Ranks.TryGetValue(candidate.ChunkId, out var b))
            {
                breakdown = breakdown with { Bm25Rank = b.Rank, Bm25Score = b.Score };
            }

            if (denseRanks.TryGetValue(candidate.ChunkId, out var d))
            {
                breakdown = breakdown with { DenseRank = d.Rank, DenseScore = d.Score };
            }

            if (rerankScores is not null && rerankScores.TryGetValue(candidate.ChunkId, out var r))
            {
                breakdown = breakdown with { RerankScore = r };
            }

            if (stageScores is not null && stageScores.TryGetValue(candidate.ChunkId, out var s))
            {
                breakdown = breakdown with { StageScores = s };
            }

            hits.Add(new SearchHit(live[candidate.ChunkId], (float)candidate.Score, breakdown));
        }

        return hits;
    }

    private static Dictionary<string, (int Rank, float Score)> Ranks(List<ScoredChunkId> leg)
    {
        var ranks = new Dictionary<string, (int, float)>(leg.Count, StringComparer.Ordinal);
        for (var i = 0; i < leg.Count; i++)
        {
            ranks[leg[i].ChunkId] = (i + 1, leg[i].Score);
        }

        return ranks;
    }

    private static int CountDistinct(params IReadOnlyList<ScoredChunkId>[] lists) =>
        lists.SelectMany(l => l.Select(h => h.ChunkId)).Distinct(StringComparer.Ordinal).Count();

    private Dictionary<string, string> Settings(
        SearchRequest request, EffectiveStages stages, RoutedWeights weights, string fusionName, int bm25Wanted, int denseWanted, SearchFilter filter, int staleDropped, DateDecision dates)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["topK"] = Invariant(request.TopK),
            ["filtered"] = filter.IsEmpty ? "false" : "true",
            ["staleDropped"] = Invariant(staleDropped),
            ["queryUnderstanding"] = Bool(stages.QueryUnderstanding),
            ["pseudoRelevanceFeedback"] = Bool(stages.Prf),
            ["deduplicate"] = Bool(stages.Deduplicate),
            ["rerank"] = Bool(stages.Rerank && reranker is not null),
            ["rewrite"] = Bool(stages.Rewrite && rewriter is not null),
        };
        AddFinalStageSettings(settings, stages, dates);
        if (request.Mode is SearchMode.Bm25 or SearchMode.Hybrid)
        {
            settings["bm25Candidates"] = Invariant(bm25Wanted);
        }

        if (request.Mode is SearchMode.Dense or SearchMode.Hybrid)
        {
            settings["denseCandidates"] = Invariant(denseWanted);
            settings["embeddingModel"] = embedder.Name;
        }

        if (request.Mode == SearchMode.Hybrid)
        {
            settings["fusion"] = fusionName;
            settings["routing"] = Bool(stages.Routing);
            settings["bm25Weight"] = Invariant(weights.Bm25);
            settings["denseWeight"] = Invariant(weights.Dense);
            settings["secondStage"] = Bool(stages.SecondStage && secondEmbedder is not null);
            if (secondEmbedder is not null)
            {
                settings["secondStageModel"] = secondEmbedder.Name;
            }

            if (fusionName == "rrf")
            {
                settings["rrfK"] = Invariant(stages.RrfK);
            }
        }

        return settings;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);

    private static string ModeName(SearchMode mode) => mode switch
    {
        SearchMode.Bm25 => "bm25",
        SearchMode.Dense => "dense",
        _ => "hybrid",
    };

    private static IRankFusion CreateFusion(string name, int rrfK) => name switch
    {
        "rrf" => new ReciprocalRankFusion(rrfK),
        "weighted" => new WeightedScoreFusion(),
        "zscore" => new ZScoreFusion(),
        _ => throw new ArgumentException($"Unknown fusion '{name}'; expected 'rrf', 'weighted' or 'zscore'.", nameof(name)),
    };

    [GeneratedRegex("[\"“”「」『』]")]
    private static partial Regex QuoteMarks();

    [GeneratedRegex(@"第\s*(?<n>[0-9零一二三四五六七八九十百两]+)\s*[章节條条部篇]")]
    private static partial Regex ChineseChapter();

    /// <summary>What the rewrite call returned, kept for a second pass over the same rewrites.</summary>
    private sealed record RewriteOutcome(IReadOnlyList<RewrittenQuery> Rewrites, string? Failure, double Ms);

    /// <summary>A candidate in the current order: its current score and the score fusion gave it.</summary>
    private sealed record Candidate(string ChunkId, double Score, double FusedScore);

    private sealed record LegResult(IReadOnlyList<ScoredChunkId> Hits, double SearchMs, double EmbedMs, float[]? QueryVector)
    {
        public static LegResult Skipped { get; } = new([], 0, 0, null);
    }

    private sealed record LexicalResult(LegResult Original, LegResult Expanded, IReadOnlyList<string> Expansion, double PrfMs)
    {
        public static LexicalResult Skipped { get; } = new(LegResult.Skipped, LegResult.Skipped, [], 0);
    }
}
