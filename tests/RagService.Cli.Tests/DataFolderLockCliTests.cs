using System.CommandLine;
using RagService.Api.Hosting;
using RagService.Indexing;

namespace RagService.Cli.Tests;

/// <summary>The CLI on a data folder another process holds: it says so, says what to use instead, and exits non-zero.</summary>
[Collection(CliConsole.Name)]
public sealed class DataFolderLockCliTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "ragservice-tests", Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("search", "backup retention")]
    [InlineData("ask", "how long are backups kept")]
    [InlineData("ingest", null)]
    public async Task A_command_on_a_held_folder_names_url_and_another_folder_as_the_ways_out(string command, string? argument)
    {
        argument ??= typeof(DataFolderLockCliTests).Assembly.Location;
        using var holder = new IndexRegistry(_data, EmbeddedBackends.Create());
        holder.FolderLock.Describe("http://127.0.0.1:18080");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await RagCommandLine.RunAsync([command, argument, "--index", "kb", "--data", _data], new InvocationConfiguration { Output = output, Error = error }, CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("is in use by another process", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--url http://127.0.0.1:18080", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("--data", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(holder.Names());
    }

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }
}
