using System.CommandLine;
using RagService.Cli;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // Reports piped to a file should not wrap tables at a guessed 80 columns.
    AnsiConsole.Profile.Width = 200;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

return await RagCommandLine.RunAsync(args, new InvocationConfiguration(), cts.Token);
