using System.CommandLine;
using RagService.Api.Hosting;
using RagService.Core.Indexes;
using RagService.Indexing;
using RagService.Indexing.Maintenance;

namespace RagService.Cli.Tests;

/// <summary><c>rag restore</c>: a snapshot comes back as a new index that finds what the original found; a taken name is a usage error.</summary>
[Collection(CliConsole.Name)]
public sealed class RestoreCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_snapshot_restores_under_a_new_name_and_a_taken_name_is_refused()
    {
        var data = Path.Combine(_root, "data");
        var docs = Path.Combine(_root, "docs");
        Directory.CreateDirectory(docs);
        await File.WriteAllTextAsync(Path.Combine(docs, "notes.md"), "# Release notes\n\nThe flux capacitor ships with firmware zebraquartz.\n");
        Assert.Equal(ExitCodes.Success, await RunAsync("ingest", docs, "--index", "kb", "--data", data));
        var snapshot = Path.Combine(_root, "snapshot");
        using (var registry = new IndexRegistry(data, EmbeddedBackends.Create()))
        {
            await IndexSnapshots.WriteAsync(registry.Open("kb")!, snapshot, CancellationToken.None);
        }

        Assert.Equal(ExitCodes.Success, await RunAsync("restore", snapshot, "--index", "kb-copy", "--data", data));
        Assert.Equal(ExitCodes.Usage, await RunAsync("restore", snapshot, "--index", "kb-copy", "--data", data));
        Assert.Equal(ExitCodes.Usage, await RunAsync("restore", docs, "--index", "kb-other", "--data", data));

        using (var registry = new IndexRegistry(data, EmbeddedBackends.Create()))
        {
            var original = await registry.Open("kb")!.Lexical.SearchAsync("zebraquartz", 5, SearchFilter.None, CancellationToken.None);
            var copy = await registry.Open("kb-copy")!.Lexical.SearchAsync("zebraquartz", 5, SearchFilter.None, CancellationToken.None);
            Assert.NotEmpty(original);
            Assert.Equal(original, copy);
            Assert.False(registry.Exists("kb-other"));
        }
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
