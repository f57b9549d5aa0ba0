using static RagService.TestSupport.Onnx.TinyOnnx;

namespace RagService.TestSupport.Onnx;

/// <summary>
/// A tiny multilingual model in the XLM-RoBERTa layout, standing in for multilingual-e5 or bge-m3: a real
/// SentencePiece Unigram model file (<c>sentencepiece.bpe.model</c>, the ModelProto of sentencepiece_model.proto
/// written by hand: pieces with scores and types, trainer spec, normaliser spec) with Chinese and English pieces,
/// and an ONNX bag-of-pieces encoder (<see cref="TinyOnnx.BagOfPiecesEmbedding"/>) over XLM-R's ids without a
/// token_type_ids input. Whole words score higher than their characters, so Unigram picks the words.
/// </summary>
public static class TinySentencePieceModel
{
    /// <summary>The SentencePiece pieces in id order: &lt;unk&gt; 0, &lt;s&gt; 1, &lt;/s&gt; 2, then the normal pieces.</summary>
    public static readonly string[] Pieces =
    [
        "<unk>", "<s>", "</s>",
        "▁", ":", "▁query", "▁passage", "▁backup", "▁database", "▁retention", "▁days", "▁gateway", "▁API", "▁the", "▁of", "▁keeps", "▁checks",
        "数据库", "备份", "保留", "网关", "鉴权", "负责", "天", "九十",
        "数", "据", "库", "备", "份", "保", "留", "网", "关", "鉴", "权", "负", "责", "九", "十", "的", "。",
        .. "abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString()),
        .. "ABCDEFGHIJKLMNOPQRSTUVWXYZ".Select(c => c.ToString()),
    ];

    /// <summary>Ids the model reads: XLM-R's fairseq dictionary (&lt;s&gt; 0, &lt;pad&gt; 1, &lt;/s&gt; 2, &lt;unk&gt; 3, piece i → i + 1).</summary>
    public static int VocabularySize => Pieces.Length + 1;

    /// <summary>The piece a model id stands for.</summary>
    public static string PieceOf(long id) => id switch
    {
        0 => "<s>",
        1 => "<pad>",
        2 => "</s>",
        3 => "<unk>",
        _ => Pieces[id - 1],
    };

    /// <param name="folder">Where model.onnx and sentencepiece.bpe.model are written.</param>
    /// <param name="width">The hidden size; at least the vocabulary's size (one-hot rows).</param>
    public static void Write(string folder, int? width = null)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "sentencepiece.bpe.model"), SentencePieceModel());
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), BagOfPiecesEmbedding("tiny-xlmr-embedding", VocabularySize, width ?? VocabularySize, tokenTypes: false));
    }

    /// <summary>The ModelProto: field 1 pieces, 2 trainer spec, 3 normaliser spec (sentencepiece_model.proto).</summary>
    public static byte[] SentencePieceModel()
    {
        var model = new Proto();
        for (var i = 0; i < Pieces.Length; i++)
        {
            var piece = new Proto();
            piece.String(1, Pieces[i]);
            // Unigram scores are log probabilities: longer pieces cost less than their characters together.
            piece.Float(2, i < 3 ? 0f : -1f - (1f / Pieces[i].Length));
            piece.Int(3, i switch { 0 => 2, 1 or 2 => 3, _ => 1 }); // UNKNOWN, CONTROL, NORMAL
            model.Message(1, piece);
        }

        var trainer = new Proto();
        trainer.Int(3, 1); // model_type UNIGRAM
        trainer.Int(4, Pieces.Length); // vocab_size
        trainer.Int(40, 0); // unk_id
        trainer.Int(41, 1); // bos_id
        trainer.Int(42, 2); // eos_id
        trainer.Int(43, -1); // pad_id: none in the SentencePiece model (XLM-R adds its own)
        model.Message(2, trainer);

        var normalizer = new Proto();
        normalizer.String(1, "identity");
        normalizer.Int(3, 1); // add_dummy_prefix
        normalizer.Int(4, 1); // remove_extra_whitespaces
        normalizer.Int(5, 1); // escape_whitespaces
        model.Message(3, normalizer);
        return model.ToArray();
    }
}
