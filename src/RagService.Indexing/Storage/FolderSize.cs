namespace RagService.Indexing.Storage;

/// <summary>Measures an index folder while its writer may be replacing files in it.</summary>
public static class FolderSize
{
    public static long Of(string path)
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
                // Deleted between listing and measuring: a merged Lucene segment or an old vector generation.
            }
        }

        return total;
    }
}
