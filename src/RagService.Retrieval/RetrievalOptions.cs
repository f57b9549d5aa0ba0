namespace RagService.Retrieval;

/// <summary>
/// How retrieval gathers, fuses, rescores and reranks candidates. Bound from configuration
/// (<c>Rag:Retrieval</c>); every stage can be switched per request (<c>SearchRequest.Stages</c>);
/// reported in traces and eval results. Defaults were chosen on SciFact train queries (see
/// docs/benchmarks.md, "Retrieval quality").
/// </summary>
public sealed record RetrievalOptions
{
    /// <summary>The largest topK a search may ask for.</summary>
    public const int MaxTopK = 1000;

    /// <summary>BM25 candidates fetched per query (raised to topK when topK is larger).</summary>
    public int Bm25Candidates { get; init; } = 100;

    /// <summary>Dense candidates fetched per query (raised to topK when topK is larger).</summary>
    public int DenseCandidates { get; init; } = 100;

    /// <summary>The k of reciprocal rank fusion.</summary>
    public int RrfK { get; init; } = 60;

    public double Bm25Weight { get; init; } = 1.0;

    public double DenseWeight { get; init; } = 1.0;

    /// <summary>"rrf" (reciprocal rank fusion), "weighted" (min-max normalised scores) or "zscore" (best on SciFact train: 0.738 vs RRF 0.718).</summary>
    public string Fusion { get; init; } = "zscore";

    // ---- query understanding and routing ----

    /// <summary>Normalise the query, detect its language, turn quoted phrases into phrase queries and section references into boosts.</summary>
    public bool QueryUnderstanding { get; init; } = true;

    /// <summary>Added to a candidate's fused score, as a share of the best fused score, when its section path matches a section the query names.</summary>
    public double SectionBoost { get; init; } = 0.5;

    /// <summary>
    /// Per-query fusion weights from the query's intent. Off by default: on SciFact train with the final
    /// stack (z-score fusion, second stage) it did not help (nDCG@10 0.7443 on vs 0.7444 off; 0.7422 vs
    /// 0.7427 without PRF). Switch it on for corpora queried by identifiers, codes or keywords.
    /// </summary>
    public bool Routing { get; init; }

    /// <summary>BM25's share of the fusion weight for identifier queries (0.5 keeps the configured weights).</summary>
    public double RouteIdentifierBm25Share { get; init; } = 0.75;

    public double RouteCodeBm25Share { get; init; } = 0.75;

    public double RouteKeywordBm25Share { get; init; } = 0.6;

    public double RouteQuestionBm25Share { get; init; } = 0.4;

    // ---- pseudo-relevance feedback ----

    /// <summary>RM3-style expansion of the lexical leg from the top BM25 hits (+0.002 nDCG@10 on SciFact train with the final stack: 0.7443 vs 0.7422 off).</summary>
    public bool PseudoRelevanceFeedback { get; init; } = true;

    /// <summary>
    /// PRF on queries written in Chinese. Off by default: on a train half of CMRC 2018 dev (1,624 queries) it
    /// cost 0.021 nDCG@10 (0.9709 on, 0.9914 off), because expansion terms from SmartCn words are common words
    /// that pull in passages sharing them.
    /// </summary>
    public bool PrfForChinese { get; init; }

    public int PrfDocuments { get; init; } = 8;

    public int PrfTerms { get; init; } = 10;

    /// <summary>The expansion leg's fusion weight relative to the original BM25 leg's.</summary>
    public double PrfWeight { get; init; } = 0.5;

    // ---- rare-term anchor ----

    /// <summary>
    /// Keep the top BM25 hit first when it holds a rare query term verbatim, that term carries its match and the
    /// dense leg has no comparable signal (<see cref="Fusion.RareTermAnchor"/>); the trace's "fusion" step says so.
    /// </summary>
    public bool RareTermAnchor { get; init; } = true;

    /// <summary>
    /// The most chunks a query term may be in and still count as rare for the anchor (and at most one chunk in
    /// twenty). 10, decided on train (docs/benchmarks.md, "Rare terms"): SciFact train subset 0.8755 at 3, 0.8792 at
    /// 10, 0.8755 at 30; the templated records were all first at each.
    /// </summary>
    public int RareTermMaxChunks { get; init; } = 10;

    /// <summary>
    /// The anchor holds only when the best BM25 hit without the rare term scores at most this share of the top hit.
    /// 0.7, decided on train: at 0.5 templated invoices asked for by number stayed outvoted (their common words
    /// "invoice", "INV", the year carry half the score); 0.7 and 0.8 gave the same train figures.
    /// </summary>
    public double RareTermMaxOthersShare { get; init; } = 0.7;

    // ---- second stage ----

    /// <summary>Rescore the fused top candidates with BM25, the index's model and a second embedding model together.</summary>
    public bool SecondStage { get; init; } = true;

    /// <summary>Fused candidates the second stage rescores; the rest keep their fused order below them.</summary>
    public int SecondStageCandidates { get; init; } = 50;

    /// <summary>The second embedding model; "auto" picks the registered model the index does not use.</summary>
    public string SecondStageModel { get; init; } = "auto";

    /// <summary>
    /// Ingestion also embeds every chunk with the second stage's model (into its embedding cache), so the
    /// second stage does no model work at query time, even on a fresh index. Off: it embeds candidates on first sight.
    /// </summary>
    public bool SecondStageEmbedAtIngestion { get; init; } = true;

    /// <summary>Chunk texts the second model embeds at a time during ingestion; progress moves between slices.</summary>
    public int SecondStageIngestSlice { get; init; } = 64;

    public double SecondStageBm25Weight { get; init; } = 1.0;

    public double SecondStageDenseWeight { get; init; } = 1.0;

    public double SecondStageSecondDenseWeight { get; init; } = 1.0;

    /// <summary>"zscore" or "minmax": how each score is normalised over the candidates before weighting.</summary>
    public string SecondStageNormalisation { get; init; } = "zscore";

    // ---- LLM query rewriting ----

    /// <summary>Rewrite queries with the LLM and fuse across them (off by default; needs a configured LLM).</summary>
    public bool Rewrite { get; init; }

    /// <summary>Each rewritten query's ranking counts this much against the original's 1 in the cross-query RRF.</summary>
    public double RewriteWeight { get; init; } = 0.7;

    /// <summary>How many hits of each query's ranking enter the cross-query fusion.</summary>
    public int RewriteCandidates { get; init; } = 50;

    /// <summary>Rewriting technique switched on by default: multi-query paraphrases.</summary>
    public bool RewriteMultiQuery { get; init; } = true;

    /// <summary>How many paraphrases multi-query asks for.</summary>
    public int RewriteParaphrases { get; init; } = 2;

    /// <summary>Rewriting technique: decomposition of a compound question into sub-questions.</summary>
    public bool RewriteDecompose { get; init; } = true;

    /// <summary>Rewriting technique: one step-back question (the broader concept behind the query).</summary>
    public bool RewriteStepBack { get; init; } = true;

    /// <summary>Rewriting technique: a HyDE passage (a hypothetical answer) searched as a query.</summary>
    public bool RewriteHyde { get; init; } = true;

    /// <summary>After this many milliseconds the rewrite call is abandoned and the original query is searched alone (the trace says so).</summary>
    public int RewriteBudgetMs { get; init; } = 5000;

    // ---- LLM reranking ----

    /// <summary>Rerank the top candidates with the LLM (listwise; off by default; needs a configured LLM).</summary>
    public bool LlmRerank { get; init; }

    /// <summary>Candidates shown to the LLM reranker; the rest keep their order below them.</summary>
    public int LlmRerankCandidates { get; init; } = 20;

    /// <summary>Each candidate's text is cut to this many characters in the reranking prompt.</summary>
    public int LlmRerankPassageChars { get; init; } = 600;

    /// <summary>After this many milliseconds the LLM reranker is abandoned and the previous order is kept (the trace says so).</summary>
    public int LlmRerankBudgetMs { get; init; } = 8000;

    // ---- dates in the query ----

    /// <summary>Dates named in the query become a document-date filter or boost (needs query understanding).</summary>
    public bool DateHints { get; init; } = true;

    /// <summary>"auto": a range with a direction ("since", "before", "after", "between", 以来/之前) filters, a period ("in 2023", "2024年3月") boosts; or always "boost" / "filter".</summary>
    public string DateHintMode { get; init; } = "auto";

    /// <summary>Added to a candidate's score, as a share of the best score, when its document date falls in the query's period.</summary>
    public double DateBoost { get; init; } = 0.3;

    // ---- reranking ----

    /// <summary>Cross-encoder reranking of the top candidates (only when a reranker is configured).</summary>
    public bool Rerank { get; init; } = true;

    /// <summary>Path of an ONNX cross-encoder folder (model.onnx + vocab.txt); empty: no reranker.</summary>
    public string RerankerModelPath { get; init; } = "";

    public int RerankCandidates { get; init; } = 50;

    /// <summary>After this many milliseconds the reranker gives up and the previous order is returned (the trace says so).</summary>
    public int RerankBudgetMs { get; init; } = 1500;

    // ---- result hygiene ----

    /// <summary>Push near-duplicate chunks (word-shingle Jaccard ≥ threshold with a better hit) below the distinct ones.</summary>
    public bool Deduplicate { get; init; } = true;

    public double DuplicateThreshold { get; init; } = 0.85;

    /// <summary>How many top hits are compared pairwise; copies matter where people look, and the cost grows with its square.</summary>
    public int DuplicateWindow { get; init; } = 20;

    /// <summary>Maximal marginal relevance over the top of the ranking instead of near-duplicate suppression (off by default).</summary>
    public bool Mmr { get; init; }

    /// <summary>MMR's λ: the weight of relevance against (1 − λ) for dissimilarity to the hits already chosen.</summary>
    public double MmrLambda { get; init; } = 0.7;

    /// <summary>How many top candidates MMR reorders; the rest keep their order below them.</summary>
    public int MmrWindow { get; init; } = 20;

    /// <summary>
    /// These settings as stage switches, every member set: what a search runs with when neither its index nor
    /// its request sets a switch (an index's defaults go <see cref="Core.Search.SearchStages.Over"/> them).
    /// </summary>
    public Core.Search.SearchStages StageSwitches() => new()
    {
        Rewrite = Rewrite,
        MultiQuery = RewriteMultiQuery,
        Decompose = RewriteDecompose,
        StepBack = RewriteStepBack,
        Hyde = RewriteHyde,
        QueryUnderstanding = QueryUnderstanding,
        DateHints = DateHints,
        DateHintMode = DateHintMode,
        Routing = Routing,
        PseudoRelevanceFeedback = PseudoRelevanceFeedback,
        Fusion = Fusion,
        RrfK = RrfK,
        Bm25Weight = Bm25Weight,
        DenseWeight = DenseWeight,
        RareTermAnchor = RareTermAnchor,
        SecondStage = SecondStage,
        Rerank = Rerank,
        LlmRerank = LlmRerank,
        Deduplicate = Deduplicate,
        Mmr = Mmr,
        MmrLambda = MmrLambda,
    };
}
