using System.CommandLine;
using RagService.Api.Hosting;
using RagService.Core.Indexes;
using RagService.Core.Security;
using RagService.Indexing;
using RagService.Indexing.Maintenance;

namespace RagService.Cli.Tests;

/// <summary><c>rag doctor</c> on an index broken on disk for real: it finds what is missing, and --repair rebuilds it from the catalog.</summary>
[Collection(CliConsole.Name)]
public sealed class DoctorCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Doctor_finds_lost_index_files_and_repair_rebuilds_them_from_the_catalog()
    {
        var data = Path.Combine(_root, "data");
        var docs = Path.Combine(_root, "docs");
        Directory.CreateDirectory(docs);
        await File.WriteAllTextAsync(Path.Combine(docs, "notes.md"), "# Release notes\n\nThe flux capacitor ships with firmware zebraquartz.\n");
        await File.WriteAllTextAsync(Path.Combine(docs, "field.md"), "# Field report\n\nThe walrus migration passed the northern station in March.\n");
        Assert.Equal(ExitCodes.Success, await RunAsync("ingest", docs, "--index", "kb", "--data", data));
        Assert.Equal(ExitCodes.Success, await RunAsync("doctor", "--data", data));

        var folder = Path.Combine(data, "indexes", "kb");
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "lexical")))
        {
            File.Delete(file);
        }

        Directory.Delete(Path.Combine(folder, "vectors"), recursive: true);

        Assert.Equal(ExitCodes.Failure, await RunAsync("search", "zebraquartz", "--index", "kb", "--data", data));
        Assert.Equal(ExitCodes.Failure, await RunAsync("doctor", "--index", "kb", "--data", data));
        using (var registry = new IndexRegistry(data, EmbeddedBackends.Create()))
        {
            var report = await IndexDoctor.CheckAsync(registry, "kb", AccessScope.DefaultTenant, CancellationToken.None);
            Assert.True(report.CatalogChunks >= 2);
            Assert.Equal(report.CatalogChunks, report.Lexical.Missing);
            Assert.Equal(report.CatalogChunks, report.Vectors.Missing);
        }

        Assert.Equal(ExitCodes.Success, await RunAsync("doctor", "--index", "kb", "--repair", "--data", data));

        using (var registry = new IndexRegistry(data, EmbeddedBackends.Create()))
        {
            var report = await IndexDoctor.CheckAsync(registry, "kb", AccessScope.DefaultTenant, CancellationToken.None);
            Assert.True(report.Consistent);
            var store = registry.Open("kb")!;
            var hits = await store.Lexical.SearchAsync("zebraquartz", 5, SearchFilter.None, CancellationToken.None);
            var chunks = await store.Chunks.GetChunksByIdsAsync([hits[0].ChunkId], CancellationToken.None);
            Assert.Equal("notes.md", chunks[0].FileName);
            Assert.Equal(report.CatalogChunks, store.Vectors.Count);
        }

        Assert.Equal(ExitCodes.Success, await RunAsync("search", "zebraquartz", "--index", "kb", "--data", data));
    }

    private static async Task<int> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        return await RagCommandLine.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, CancellationToken.None);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
