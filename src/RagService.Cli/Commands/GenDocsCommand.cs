using RagService.Evaluation.Synthetic.Documents;
using Spectre.Console;

namespace RagService.Cli.Commands;

/// <summary>
/// <c>rag gen-docs</c>: writes the generated parse test set (<see cref="GeneratedDocumentSet"/>). The committed copy
/// under <c>eval/generated-docs</c> is this command's output with the default seed; PDFs need LibreOffice
/// (<c>soffice</c>) and scans need pdftoppm.
/// </summary>
public static class GenDocsCommand
{
    public const int DefaultSeed = 15;

    public static async Task<int> RunAsync(CommandLine line, CancellationToken ct)
    {
        var folder = line.Get("out") ?? Path.Combine("eval", "generated-docs");
        var seed = line.GetInt("seed", DefaultSeed);
        var (documents, pages, scanned) = await GeneratedDocumentSet.WriteAsync(folder, seed, !line.Has("no-pdf"), message => Console.Error.WriteLine(message), ct, line.Has("extended"));
        AnsiConsole.MarkupLineInterpolated($"[green]{documents} documents, {pages} PDF pages, {scanned} scanned pages in {folder}[/]");
        return 0;
    }
}
