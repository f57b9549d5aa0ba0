using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RagService.Evaluation.Answers;

/// <summary>
/// One question of the answer-quality set (<c>eval/answers/questions.jsonl</c>). An answerable question
/// has gold answer strings (any one, contained in the answer after <see cref="AnswerScoring.Normalise"/>,
/// counts) and the gold section (the innermost heading that holds the fact). A follow-up carries the
/// question before it (<see cref="Previous"/>) and its <see cref="Standalone"/> form, the question a
/// rewriter should produce from the pair.
/// </summary>
public sealed record AnswerQuestion
{
    public required string Id { get; init; }

    /// <summary>The spec id of the document that answers (or, for an unanswerable question, that it is about).</summary>
    public required string Document { get; init; }

    public required string Question { get; init; }

    public IReadOnlyList<string> Answers { get; init; } = [];

    public string? Section { get; init; }

    public bool Unanswerable { get; init; }

    public string? Previous { get; init; }

    public string? Standalone { get; init; }

    public bool IsFollowUp => Previous is not null;

    /// <summary>"single", "follow-up" or "unanswerable".</summary>
    public string Kind => Unanswerable ? "unanswerable" : IsFollowUp ? "follow-up" : "single";

    /// <summary>The question as asked of <c>/ask</c>, which has no conversation: a follow-up's standalone form.</summary>
    public string Asked => Standalone ?? Question;

    /// <summary>"dev" or "test": the low bit of the SHA-256 of the id, so the halves never change when questions are added.</summary>
    public string Split => (SHA256.HashData(Encoding.UTF8.GetBytes(Id))[^1] & 1) == 1 ? "test" : "dev";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads the JSONL set, checking each line: an answerable question needs answers and a section, a follow-up its standalone form.</summary>
    public static IReadOnlyList<AnswerQuestion> Load(string path)
    {
        var questions = new List<AnswerQuestion>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var question = JsonSerializer.Deserialize<AnswerQuestion>(line, Json)
                ?? throw new InvalidDataException($"{path}:{number}: empty line.");
            if (!question.Unanswerable && (question.Answers.Count == 0 || string.IsNullOrWhiteSpace(question.Section)))
            {
                throw new InvalidDataException($"{path}:{number}: '{question.Id}' is answerable but has no answers or no section.");
            }

            if (question.IsFollowUp && string.IsNullOrWhiteSpace(question.Standalone))
            {
                throw new InvalidDataException($"{path}:{number}: follow-up '{question.Id}' has no standalone form.");
            }

            questions.Add(question);
        }

        return questions;
    }
}
