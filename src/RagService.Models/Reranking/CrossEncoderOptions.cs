namespace RagService.Models.Reranking;

/// <summary>How a cross-encoder's inputs are built and its output read.</summary>
public sealed record CrossEncoderOptions
{
    /// <summary>Name reported in traces.</summary>
    public string Name { get; init; } = "cross-encoder";

    /// <summary>Whole pair length limit including special tokens (512 for BERT/MiniLM/XLM-R).</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>The query's share of the pair is capped here; the passage is truncated first, the query only beyond this.</summary>
    public int MaxQueryTokens { get; init; } = 64;

    /// <summary>Pairs per inference call.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Lower-case text before word-piece lookup (true for uncased BERT/MiniLM vocabularies).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>
    /// "bert": [CLS] q [SEP] p [SEP] with token types 0/1; "roberta" (XLM-R style): &lt;s&gt; q &lt;/s&gt;&lt;/s&gt; p &lt;/s&gt;
    /// without token types. Null: "bert" when the model has a token_type_ids input, else "roberta".
    /// </summary>
    public string? PairLayout { get; init; }

    /// <summary>
    /// The languages the cross-encoder was trained on ("en"; "*" for a multilingual one such as bge-reranker-v2-m3);
    /// the rerank stage skips queries it does not cover. English by default, as the ms-marco cross-encoders are.
    /// </summary>
    public IReadOnlyList<string> Languages { get; init; } = ["en"];

    /// <summary>ONNX Runtime threads per inference call; null: one (the batches of a call run in parallel, one per core).</summary>
    public int? IntraOpThreads { get; init; }
}
