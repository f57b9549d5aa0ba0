using System.Diagnostics;
using RagService.Core.Answers;
using RagService.Core.Chunks;
using RagService.Generation.Citations;

namespace RagService.Evaluation.Answers;

/// <summary>
/// Runs the answer-quality set against a service through its REST API: renders the corpus, creates the
/// index, uploads every file and waits until each is ready, reads back every chunk, asks each question
/// of the split through <c>/ask</c> (a follow-up in its standalone form: <c>/ask</c> has no
/// conversation), and scores the answers (<see cref="AnswerScoring"/>, <see cref="AnswerMetrics"/>).
/// Faithfulness comes from the <see cref="CitationVerifier"/> over the cited chunks.
/// </summary>
public sealed class AnswerEvaluator(HttpClient http, string index)
{
    private readonly AnswerApiClient client = new(http);
    private readonly CitationVerifier verifier = new();

    /// <summary>Renders and ingests the corpus; returns the files and the seconds ingestion took.</summary>
    public async Task<(IReadOnlyList<AnswerCorpusFile> Files, double Seconds)> IngestAsync(IReadOnlyList<AnswerDocumentSpec> documents, string folder, CancellationToken ct)
    {
        var files = await AnswerCorpus.WriteAsync(documents, folder, ct).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await client.CreateIndexAsync(index, ct).ConfigureAwait(false);
        // One upload per file, in order, so a near-duplicate pair links the later copy to the earlier one.
        foreach (var file in files)
        {
            await client.UploadAsync(index, [file], ct).ConfigureAwait(false);
            await client.WaitReadyAsync(index, file.DocumentId, ct).ConfigureAwait(false);
        }

        return (files, clock.Elapsed.TotalSeconds);
    }

    public async Task<IReadOnlyList<AnswerOutcome>> AskAllAsync(
        IReadOnlyList<AnswerDocumentSpec> documents, IReadOnlyList<AnswerCorpusFile> files, IReadOnlyList<AnswerQuestion> questions,
        IProgress<int>? progress, CancellationToken ct)
    {
        var chunks = new Dictionary<string, RemoteChunk>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            foreach (var chunk in await client.GetChunksAsync(index, file.DocumentId, ct).ConfigureAwait(false))
            {
                chunks[chunk.ChunkId] = chunk;
            }
        }

        var languages = documents.ToDictionary(d => d.Id, d => d.Language, StringComparer.Ordinal);
        var outcomes = new List<AnswerOutcome>(questions.Count);
        foreach (var question in questions)
        {
            var answer = await client.AskAsync(index, question.Asked, ct).ConfigureAwait(false);
            outcomes.Add(Score(question, languages.GetValueOrDefault(question.Document, "?"), answer, chunks));
            progress?.Report(outcomes.Count);
        }

        return outcomes;
    }

    private AnswerOutcome Score(AnswerQuestion question, string language, RemoteAnswer answer, Dictionary<string, RemoteChunk> chunks)
    {
        string ChunkText(Citation c) => chunks.TryGetValue(c.ChunkId, out var chunk) ? chunk.Text : c.Snippet;
        var gold = question.Answers;
        var answered = !answer.NoAnswer;
        var precise = question.Unanswerable ? 0 : answer.Citations.Count(c => AnswerScoring.ContainsAny(ChunkText(c), gold));
        double? faithfulness = null;
        if (answered)
        {
            var sources = answer.Citations.ToDictionary(c => c.Marker, c => new Chunk
            {
                Id = c.ChunkId, DocumentId = c.DocumentId, DocumentVersion = 1, Ordinal = 0, Text = ChunkText(c), IndexText = ChunkText(c), ContentHash = string.Empty,
            });
            faithfulness = verifier.Faithfulness(answer.Answer, sources);
        }

        return new AnswerOutcome(
            question.Id,
            question.Kind,
            question.Split,
            language,
            question.Question,
            question.Asked,
            question.Unanswerable,
            answer.NoAnswer,
            !question.Unanswerable && answered && AnswerScoring.ContainsAny(answer.Answer, gold),
            answer.Citations.Count,
            precise,
            precise > 0,
            !question.Unanswerable && answer.Citations.Any(c => AnswerScoring.InSection(c.SectionPath, question.Section!)),
            answered ? answer.Answer.Length : 0,
            answer.ClientMs,
            answer.ElapsedMs,
            faithfulness,
            answer.Answer,
            answer.GeneratedBy);
    }
}
