namespace RagService.Indexing.Lexical.Lucene;

/// <summary>BM25 parameters and query limits of the Lucene index.</summary>
public sealed record LuceneLexicalIndexOptions
{
    /// <summary>Term-frequency saturation; 0.9 (with b 0.4) scored SciFact nDCG@10 0.679 here, above Lucene's 1.2/0.75.</summary>
    public float K1 { get; init; } = 0.9f;

    /// <summary>Length normalisation; chunks are already length-bounded, so less of it helps.</summary>
    public float B { get; init; } = 0.4f;

    /// <summary>Raised from Lucene's 1024 so a pasted paragraph as a query does not throw TooManyClauses.</summary>
    public int MaxClauseCount { get; init; } = 8192;

    /// <summary>
    /// How Chinese text is cut into terms: "smartcn" (SmartCn words), "bigram" (overlapping Han character
    /// bigrams, CJKAnalyzer) or "both" (each in its own field, searched together). Changing it needs a
    /// re-index (an index built with one field still answers from it). "both" is the default: on the Chinese
    /// dev set (CMRC sentence windows, train half) nDCG@10 0.9247 against SmartCn's 0.9204 and bigrams' 0.9041.
    /// See docs/benchmarks.md, "Chinese lexical retrieval".
    /// </summary>
    public string ChineseAnalyzer { get; init; } = "both";

    /// <summary>Boost of a quoted phrase's phrase query over the bag-of-words terms.</summary>
    public float PhraseBoost { get; init; } = 2f;
}
