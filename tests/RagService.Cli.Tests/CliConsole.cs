namespace RagService.Cli.Tests;

/// <summary>
/// The test classes that run the CLI's commands in process: they share Spectre.Console's one static console,
/// whose live displays (progress bars) refuse to run concurrently, so these classes run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CliConsole
{
    public const string Name = "CLI console";
}
