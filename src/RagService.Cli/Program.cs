using RagService.Cli;
using RagService.Cli.Commands;
using RagService.Core.Documents;
using Spectre.Console;

var line = CommandLine.Parse(args);
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

try
{
    return line.Command switch
    {
        "serve" => await ServeCommand.RunAsync(line, args[1..]),
        "ingest" => await IngestCommand.RunAsync(line, cts.Token),
        "search" => await QueryCommands.SearchAsync(line, cts.Token),
        "ask" => await QueryCommands.AskAsync(line, cts.Token),
        "eval" => await EvalCommand.RunAsync(line, cts.Token),
        "parse" => await ParseCommands.ParseAsync(line, cts.Token),
        "eval-parse" => await ParseCommands.EvaluateAsync(line, cts.Token),
        "bench-parse" => await BenchParseCommand.RunAsync(line, cts.Token),
        "bench-ocr" => await BenchOcrCommand.RunAsync(line, cts.Token),
        "eval-chunks" => await EvalChunksCommand.RunAsync(line, cts.Token),
        "models" => await ModelsCommand.RunAsync(line, cts.Token),
        "help" or "--help" or "-h" => Usage(),
        _ => throw new UsageException($"Unknown command '{line.Command}'."),
    };
}
catch (UsageException e)
{
    AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
    Usage();
    return 2;
}
catch (DocumentRejectedException e)
{
    AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
    return 1;
}
catch (OperationCanceledException)
{
    AnsiConsole.MarkupLine("[yellow]Cancelled.[/]");
    return 130;
}

static int Usage()
{
    Console.WriteLine("""
        rag — RagService command line

          rag serve  [--data DIR] [--urls URL]                  run the API (default http://127.0.0.1:8080)
          rag ingest <files or folders...> --index NAME [--tag key:value]... [--model minilm|arctic-xs]
          rag search "query" --index NAME [--mode bm25|dense|hybrid] [--top-k N] [--trace]
          rag ask "question" --index NAME [--top-k N]
          rag parse <file> [--format md|json]                   print the parsed document tree
          rag eval --dataset DIR [--split test] [--mode bm25|dense|hybrid|all] [--model minilm|arctic-xs]
                   [--max-queries N] [--out DIR] [--ablation]  BEIR-format retrieval evaluation (--ablation: stage by stage)
                   [--http | --url http://host:port]            queries over HTTP to POST /v1/indexes/{index}/search:
                                                                --http starts the API over --data on 127.0.0.1, --url uses a running one
          rag eval-parse --dataset DIR [--out FILE.md] [--only NAME] [--timeout S]
                                                                score the parsers against ground truth
          rag eval-chunks --dataset DIR [--questions FILE] [--chunk-tokens N] [--threshold X] [--no-retrieval]
                                                                chunking quality
          rag bench-parse [--pages 500 | --file X.pdf]          text-PDF pages/s and peak memory
          rag bench-ocr [--pages 20 | --file X.pdf] [--dpi 300] [--scan-dpi 300] [--languages auto] [--concurrent-pages N]
                                                                scanned-PDF (OCR) pages/s, CPU s/page and peak memory
          rag models pull <hf-model-id> --manifest FILE [--endpoint URL] [--out DIR]
                                                                download a cross-encoder, SHA-256 verified

        Common: --data DIR (default ./data, or RAG_Rag__DataDirectory), --verbose
        """);
    return 0;
}
