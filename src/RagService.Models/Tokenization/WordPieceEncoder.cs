using System.Buffers;
using FastBertTokenizer;

namespace RagService.Models.Tokenization;

/// <summary>
/// BERT word-piece encoding with a length limit we enforce ourselves. FastBertTokenizer 1.2.6's
/// <c>Encode(text, maximumTokens)</c> keeps a larger limit once one was used on the instance (it
/// returned 338–803 tokens where 256 was asked, and over 512 crashes the model), so every text is
/// encoded in full into our own buffer and truncated here: the first <c>maxTokens - 1</c> pieces
/// followed by [SEP], as Hugging Face truncates. Calls are serialised because the tokenizer reuses
/// internal buffers.
/// </summary>
public sealed class WordPieceEncoder : ITokenEncoder
{
    private readonly BertTokenizer _tokenizer = new();
    private readonly Lock _gate = new();

    public WordPieceEncoder(string vocabularyPath, bool lowerCase = true)
    {
        using var reader = File.OpenText(vocabularyPath);
        _tokenizer.LoadVocabulary(reader, convertInputToLowercase: lowerCase);
    }

    /// <summary>[PAD] is id 0 in BERT vocabularies.</summary>
    public long PaddingId => 0;

    /// <summary>Number of word pieces the model would see without truncation, including [CLS] and [SEP].</summary>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = ArrayPool<long>.Shared.Rent(InitialCapacity(text));
        try
        {
            return EncodeFull(text, ref buffer);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(buffer);
        }
    }

    /// <summary>Token ids starting with [CLS] and ending with [SEP], never longer than <paramref name="maxTokens"/>.</summary>
    public long[] Encode(string text, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 2);
        var buffer = ArrayPool<long>.Shared.Rent(InitialCapacity(text));
        try
        {
            var count = EncodeFull(text, ref buffer);
            if (count <= maxTokens)
            {
                return buffer.AsSpan(0, count).ToArray();
            }

            var ids = new long[maxTokens];
            buffer.AsSpan(0, maxTokens - 1).CopyTo(ids);
            ids[^1] = buffer[count - 1];
            return ids;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(buffer);
        }
    }

    // One word piece per character is the usual worst case; decomposition (FormD) can split a character, hence the margin.
    private static int InitialCapacity(string text) => (text.Length * 2) + 16;

    private int EncodeFull(string text, ref long[] buffer)
    {
        while (true)
        {
            int count;
            var mask = ArrayPool<long>.Shared.Rent(buffer.Length);
            try
            {
                lock (_gate)
                {
                    count = _tokenizer.Encode(text, buffer.AsSpan(), mask.AsSpan(0, buffer.Length));
                }
            }
            finally
            {
                ArrayPool<long>.Shared.Return(mask);
            }

            // A full buffer may mean the tokenizer truncated; grow and encode again so counts are exact.
            if (count < buffer.Length)
            {
                return count;
            }

            var larger = ArrayPool<long>.Shared.Rent(buffer.Length * 2);
            ArrayPool<long>.Shared.Return(buffer);
            buffer = larger;
        }
    }
}
