using System.Net.Http.Json;
using RagService.Api.Hosting;
using RagService.Indexing;
using RagService.Indexing.Storage;

namespace RagService.Api.Tests;

/// <summary>One writer per data folder: while the service holds it, a second service or an in-process command is refused at once and changes nothing.</summary>
public sealed class DataFolderLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_second_writer_is_refused_with_the_holder_named_and_nothing_changed()
    {
        var data = _dir.File("data");
        await using var host = new RagApiHost(data);
        var client = host.CreateClient();
        await host.CreateIndexAsync(client, "kb");
        var before = Snapshot(data);

        var refused = Assert.Throws<DataFolderLockedException>(() => new IndexRegistry(data, EmbeddedBackends.Create()));
        Assert.Contains(Path.GetFullPath(data), refused.Message, StringComparison.Ordinal);
        Assert.Contains($"pid {Environment.ProcessId}", refused.Message, StringComparison.Ordinal);

        Assert.Equal(before, Snapshot(data));
        Assert.True((await client.GetAsync("/v1/indexes/kb")).IsSuccessStatusCode, "The service holding the folder serves on.");
    }

    [Fact]
    public async Task The_folder_is_free_again_once_its_holder_stops()
    {
        var data = _dir.File("data");
        await using (var host = new RagApiHost(data))
        {
            (await host.CreateClient().PutAsJsonAsync("/v1/indexes/kb", new { })).EnsureSuccessStatusCode();
        }

        using var registry = new IndexRegistry(data, EmbeddedBackends.Create());
        Assert.NotNull(registry.Open("kb"));
    }

    /// <summary>Every file of the folder with its size and last write, the lock's own files aside.</summary>
    private static string Snapshot(string folder) => string.Join('\n', Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
        .Where(f => Path.GetFileName(f) is not (DataFolderLock.LockFileName or DataFolderLock.OwnerFileName))
        .Order(StringComparer.Ordinal)
        .Select(f => $"{f} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):O}"));

    public void Dispose() => _dir.Dispose();
}
