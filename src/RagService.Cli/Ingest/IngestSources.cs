using Microsoft.Extensions.FileSystemGlobbing;

namespace RagService.Cli.Ingest;

/// <summary>
/// The files <c>rag ingest</c> was given: a named file as it is, a folder walked lazily (one entry at a time, so
/// a folder of 10,000 files is never listed in memory; hidden files and folders skipped) and filtered by
/// <c>--include</c> and <c>--exclude</c> globs (Microsoft.Extensions.FileSystemGlobbing, case-insensitive),
/// matched against each file's path relative to the folder: <c>**/*.pdf</c> is every PDF at any depth,
/// <c>**/drafts/**</c> everything under any folder named drafts. Without <c>--include</c> every file is included.
/// </summary>
public sealed class IngestSources
{
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        // On Linux and macOS a name starting with '.' is Hidden: .git, .DS_Store and the like are not documents.
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        IgnoreInaccessible = true,
    };

    private readonly IReadOnlyList<string> _paths;
    private readonly Matcher _matcher = new(StringComparison.OrdinalIgnoreCase);

    /// <exception cref="UsageException">A path is neither a file nor a folder, or a glob is empty or absolute.</exception>
    public IngestSources(IReadOnlyList<string> paths, IReadOnlyList<string> include, IReadOnlyList<string> exclude)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(include);
        ArgumentNullException.ThrowIfNull(exclude);
        if (paths.Count == 0)
        {
            throw new UsageException("Name at least one file or folder to ingest.");
        }

        foreach (var path in paths.Where(p => !File.Exists(p) && !Directory.Exists(p)))
        {
            throw new UsageException($"'{path}' is neither a file nor a folder.");
        }

        foreach (var glob in include.Concat(exclude).Where(g => string.IsNullOrWhiteSpace(g) || Path.IsPathRooted(g)))
        {
            throw new UsageException($"'{glob}' is not a glob relative to the folder (e.g. '**/*.pdf', '**/drafts/**').");
        }

        _paths = paths;
        _matcher.AddIncludePatterns(include.Count == 0 ? ["**/*"] : include);
        _matcher.AddExcludePatterns(exclude);
    }

    /// <summary>The files, lazily: a named file always (it was asked for by name), a folder's files that pass the globs.</summary>
    public IEnumerable<string> Enumerate()
    {
        foreach (var path in _paths)
        {
            if (File.Exists(path))
            {
                yield return path;
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(path, "*", Walk))
            {
                if (Matches(path, file))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>Whether the file (under <paramref name="folder"/>) passes the include and exclude globs.</summary>
    public bool Matches(string folder, string file) =>
        _matcher.Match(Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/')).HasMatches;
}
