namespace RagService.TestSupport;

/// <summary>Files committed to the repository (the generated parse test set, deploy files), found from the test binaries.</summary>
public static class RepositoryFiles
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RagService.sln not found above the test binaries.");
    }

    public static string PathOf(params string[] parts) => Path.Combine([Root(), .. parts]);
}
