using Xunit;

namespace RagService.TestSupport;

/// <summary>
/// Where the team's public evaluation data lives (<c>../shared/data</c> beside the repository, or
/// <c>RAG_SHARED_DATA</c>). CI and developers have it; a user's fresh clone does not.
/// </summary>
public static class SharedData
{
    public static string? Root { get; } = Find();

    public static bool Available => Root is not null;

    /// <summary>The path of a file or folder under the shared data, or null when it is not there.</summary>
    public static string? PathOf(string relative) =>
        Root is { } root && (File.Exists(Path.Combine(root, relative)) || Directory.Exists(Path.Combine(root, relative)))
            ? Path.Combine(root, relative)
            : null;

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("RAG_SHARED_DATA") is { Length: > 0 } configured && Directory.Exists(configured))
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate) && dir.GetDirectories(".git").Length == 0 && File.Exists(Path.Combine(candidate, "README.md")))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>
/// A fact that scores against <c>../shared/data</c>: it runs where the data is (CI, developers) and is
/// reported as skipped, saying why, where it is not (a user's clone).
/// </summary>
public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relativePath)
    {
        if (SharedData.PathOf(relativePath) is null)
        {
            Skip = $"needs ../shared/data/{relativePath}, which is not present on this machine (it is in CI and on developer machines)";
        }
    }
}
