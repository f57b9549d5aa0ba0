using System.Text.Json;
using RagService.Models.Registry;
using RagService.Models.Reranking;

namespace RagService.Api.Hosting.Validation;

/// <summary>
/// A cross-encoder folder (<c>Retrieval:RerankerModelPath</c>) holds the files the reranker opens on the
/// first search, and its optional <c>cross-encoder.json</c> holds sane <see cref="CrossEncoderOptions"/>:
/// checked at start so a wrong path fails the start, not the first query.
/// </summary>
internal static class CrossEncoderFolderCheck
{
    private static readonly string[] PairLayouts = ["bert", "roberta"];

    public static void Check(string? folder, SettingChecks checks, string setting)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return;
        }

        if (!Directory.Exists(folder))
        {
            checks.Fail(setting, $"must be an existing folder with model.onnx and its tokenizer (was '{folder}', resolved to '{Path.GetFullPath(folder)}')");
            return;
        }

        if (!File.Exists(Path.Combine(folder, "model.onnx")) && !File.Exists(Path.Combine(folder, "onnx", "model.onnx")))
        {
            checks.Fail(setting, $"must hold model.onnx or onnx/model.onnx (was '{folder}')");
        }

        if (!File.Exists(Path.Combine(folder, ModelFiles.VocabularyFileName)) && !File.Exists(Path.Combine(folder, ModelFiles.SentencePieceFileName)))
        {
            checks.Fail(setting, $"must hold {ModelFiles.VocabularyFileName} (word pieces) or {ModelFiles.SentencePieceFileName} (SentencePiece, XLM-R) (was '{folder}')");
        }

        var settingsFile = Path.Combine(folder, "cross-encoder.json");
        if (File.Exists(settingsFile))
        {
            CheckSettingsFile(settingsFile, checks, setting);
        }
    }

    private static void CheckSettingsFile(string path, SettingChecks checks, string setting)
    {
        CrossEncoderOptions? options;
        try
        {
            options = JsonSerializer.Deserialize<CrossEncoderOptions>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        }
        catch (JsonException e)
        {
            checks.Fail(setting, $"has an unreadable {path}: {e.Message}");
            return;
        }

        if (options is null)
        {
            return;
        }

        // Named by the file, since these settings live there and not in the service's configuration.
        var file = new SettingChecks(path);
        file.Positive(options.MaxLength);
        file.Positive(options.MaxQueryTokens);
        if (options.MaxQueryTokens >= options.MaxLength)
        {
            file.Fail(nameof(options.MaxQueryTokens), $"must be below MaxLength {options.MaxLength} (was {options.MaxQueryTokens})");
        }

        file.Positive(options.BatchSize);
        if (options.PairLayout is not null)
        {
            file.OneOf(options.PairLayout, PairLayouts);
        }

        file.PositiveOrUnset(options.IntraOpThreads);
        checks.Include(file);
    }
}
