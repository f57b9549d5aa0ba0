using RagService.Models.Registry;

namespace RagService.Api.Hosting.Validation;

/// <summary>The "Rag" section: limits, the default model, and a data directory the service can write.</summary>
internal sealed class RagOptionsValidator(IConfiguration? configuration = null)
    : SectionValidator<RagOptions>(RagOptions.Section, configuration)
{
    protected override void Check(RagOptions options, SettingChecks checks)
    {
        checks.Positive(options.MaxUploadBytes);
        checks.Positive(options.MaxRequestBytes);
        if (options.MaxUploadBytes > options.MaxRequestBytes)
        {
            checks.Fail(nameof(options.MaxUploadBytes), $"must not exceed {checks.Key(nameof(options.MaxRequestBytes))} ({options.MaxRequestBytes}) (was {options.MaxUploadBytes})");
        }

        checks.OneOf(options.DefaultEmbeddingModel, ModelRegistry.All.Select(m => m.Name).ToArray());
        checks.Between(options.IngestionParallelism, 1, 64);
        checks.Between(options.MaxDocumentsPerCommit, 1, 10_000);
        checks.Between(options.Limits.MaxFilesPerRequest, 1, 100_000, "Limits:MaxFilesPerRequest");
        checks.Between(options.Limits.MaxQueryChars, 1, 100_000, "Limits:MaxQueryChars");
        checks.Between(options.Limits.RequestsPerMinute, 0, 1_000_000, "Limits:RequestsPerMinute");
        checks.Positive(options.Limits.RequestTimeout, "Limits:RequestTimeout");
        checks.Between(options.MaxAttempts, 1, 100);
        checks.Positive(options.ParseTimeout);
        checks.Between(options.MaxPagesPerDocument, 1, 1_000_000);
        if (string.IsNullOrWhiteSpace(options.Evaluation.RunsDirectory) || options.Evaluation.RunsDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            checks.Fail("Evaluation:RunsDirectory", $"must be a folder path (was '{options.Evaluation.RunsDirectory}')");
        }

        foreach (var root in options.Evaluation.DatasetRoots ?? [])
        {
            if (string.IsNullOrWhiteSpace(root) || root.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            {
                checks.Fail("Evaluation:DatasetRoots", $"each must be a folder path (was '{root}')");
            }
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            checks.Fail(nameof(options.DataDirectory), "must be set");
        }
        else if (DataDirectoryProblem(options.DataDirectory) is { } problem)
        {
            checks.Fail(nameof(options.DataDirectory), problem);
        }
    }

    /// <summary>
    /// Creates the folder when missing and writes a probe file: a service that cannot write its data
    /// directory would accept uploads and fail every one of them later.
    /// </summary>
    private static string? DataDirectoryProblem(string directory)
    {
        string full;
        try
        {
            full = Path.GetFullPath(directory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return $"is not a valid path (was '{directory}'): {e.Message}";
        }

        try
        {
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"must be a folder the service can create and write (was '{directory}', resolved to '{full}'): {e.Message}";
        }
    }
}
