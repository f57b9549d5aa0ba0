using System.CommandLine;
using RagService.Api.Hosting;
using RagService.Api.Security;
using RagService.Core.Indexes;
using RagService.Indexing;
using RagService.Indexing.Maintenance;

namespace RagService.Cli.Tests;

/// <summary>
/// <c>rag restore</c>: a snapshot comes back as a new index that finds what the original found; a taken name is a
/// usage error. With --tenant it comes back into that tenant's folder, where <c>rag doctor --tenant</c> checks and repairs it.
/// </summary>
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

    [Fact]
    public async Task A_snapshot_restores_into_a_tenants_folder_where_doctor_checks_and_repairs_it()
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

        // A tenant the service does not know (a typo) is refused before anything is written.
        Assert.Equal(ExitCodes.Usage, await RunAsync("restore", snapshot, "--index", "kb", "--tenant", "acme", "--data", data));
        Assert.False(Directory.Exists(Path.Combine(data, "tenants", "acme")));
        new ApiKeyStore(Path.Combine(data, "secrets")).AddTenant("acme", DateTimeOffset.UtcNow);

        Assert.Equal(ExitCodes.Success, await RunAsync("restore", snapshot, "--index", "kb", "--tenant", "acme", "--data", data));
        Assert.Equal(ExitCodes.Usage, await RunAsync("restore", snapshot, "--index", "kb", "--tenant", "acme", "--data", data));
        var folder = Path.Combine(data, "tenants", "acme", "indexes", "kb");
        Assert.True(File.Exists(Path.Combine(folder, "index.json")));
        Assert.Equal(ExitCodes.Success, await RunAsync("doctor", "--data", data));

        // Break the tenant's copy only: doctor over every tenant and over that tenant fails; the default tenant's 'kb' is fine.
        Directory.Delete(Path.Combine(folder, "vectors"), recursive: true);
        Assert.Equal(ExitCodes.Failure, await RunAsync("doctor", "--data", data));
        Assert.Equal(ExitCodes.Failure, await RunAsync("doctor", "--tenant", "acme", "--index", "kb", "--data", data));
        Assert.Equal(ExitCodes.Success, await RunAsync("doctor", "--index", "kb", "--data", data));
        Assert.Equal(ExitCodes.Usage, await RunAsync("doctor", "--tenant", "globex", "--index", "kb", "--data", data));

        Assert.Equal(ExitCodes.Success, await RunAsync("doctor", "--tenant", "acme", "--repair", "--data", data));
        Assert.Equal(ExitCodes.Success, await RunAsync("doctor", "--data", data));
        using (var registry = new IndexRegistry(data, EmbeddedBackends.Create()))
        {
            var report = await IndexDoctor.CheckAsync(registry, "kb", "acme", CancellationToken.None);
            Assert.True(report.Consistent);
            Assert.True(report.CatalogChunks >= 1);
            var store = registry.Open("kb", "acme")!;
            Assert.Equal(report.CatalogChunks, store.Vectors.Count);
            var original = await registry.Open("kb")!.Lexical.SearchAsync("zebraquartz", 5, SearchFilter.None, CancellationToken.None);
            Assert.Equal(original, await store.Lexical.SearchAsync("zebraquartz", 5, SearchFilter.None, CancellationToken.None));
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
