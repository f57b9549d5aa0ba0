using System.Text.Json;

namespace RagService.Evaluation.Retrieval;

/// <summary>
/// Writes one evaluation run into a runs folder (<c>rag eval --out</c>, by default <c>Rag:Evaluation:RunsDirectory</c>):
/// <c>{time}-{dataset}-{split}-{model}.json</c> (the <see cref="EvalReport"/>, which the API's <c>/v1/eval/runs</c>
/// routes read) and the same stem as <c>.md</c>.
/// </summary>
public static class EvalRunFiles
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Writes the run's JSON and Markdown; returns the path without extension (the run's name is its file name).</summary>
    public static async Task<string> WriteAsync(EvalReport report, string directory, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{report.At.UtcDateTime:yyyyMMdd-HHmmss}-{EvalDocumentIds.Sanitize(report.Dataset)}-{EvalDocumentIds.Sanitize(report.Split)}-{EvalDocumentIds.Sanitize(report.EmbeddingModel)}");
        // Written under a temporary name, then moved: a reader listing the folder never sees half a run.
        var temporary = stem + ".json.tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(report, Json), ct);
        File.Move(temporary, stem + ".json", overwrite: true);
        await File.WriteAllTextAsync(stem + ".md", EvalReportMarkdown.Render(report), ct);
        return stem;
    }
}
