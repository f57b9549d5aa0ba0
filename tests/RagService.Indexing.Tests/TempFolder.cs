namespace RagService.Indexing.Tests;

/// <summary>A real folder under the system temp directory, deleted with the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "rag-index-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
