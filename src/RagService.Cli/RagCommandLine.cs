using System.CommandLine;
using System.CommandLine.Invocation;
using RagService.Cli.Commands;
using System.CommandLine.Parsing;
using RagService.Core.Documents;
using RagService.Evaluation.Parsing;
using RagService.Indexing.Storage;

namespace RagService.Cli;

/// <summary>The <c>rag</c> process's exit codes, listed in <c>rag --help</c> and README.md.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command ran and something failed: a rejected document, a file whose ingestion failed, a failed request.</summary>
    public const int Failure = 1;

    /// <summary>Unknown command or option, missing or malformed value: nothing was run.</summary>
    public const int Usage = 2;

    /// <summary><c>rag ask</c>: the indexed documents do not answer the question (the answer is printed all the same).</summary>
    public const int NoAnswer = 3;

    /// <summary>Ctrl+C: the shell convention, 128 + SIGINT.</summary>
    public const int Cancelled = 130;
}

/// <summary>
/// The <c>rag</c> command tree on System.CommandLine: generated help for every command, unknown
/// options and commands rejected with a suggestion, and one exit-code convention (<see cref="ExitCodes"/>).
/// </summary>
public static class RagCommandLine
{
    private const string Description = """
        RagService command line: ingest documents into an index, search and ask it, and measure retrieval,
        parsing and chunking quality.

        Exit codes:
          0    success
          1    failure: a document was rejected, an ingested file failed, a request to the service failed
          2    usage error: unknown command or option (with a suggestion), missing or malformed value
          3    rag ask: the indexed documents do not answer the question (the answer is still printed)
          130  cancelled (Ctrl+C)

        Settings: appsettings.json beside the program, then environment variables prefixed RAG_
        (RAG_Rag__DataDirectory=/srv/rag, RAG_Retrieval__Mmr=true), then --data and --model.
        Commands that touch an index take --data DIR (in process, default ./data) or --url URL (a running
        service over HTTP), and --api-key KEY, sent as X-Api-Key.
        """;

    /// <summary>Parses and runs one command line; every outcome is an exit code, never an exception.</summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration io, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(io);
        io.EnableDefaultExceptionHandler = false;

        // Ctrl+C is handled by the caller's token (exit 130), not by System.CommandLine's own handler.
        io.ProcessTerminationTimeout = null;
        var result = BuildRoot().Parse(HelpCommandAsOption(args));
        if (result.Errors.Count > 0 && result.Action is ParseErrorAction)
        {
            foreach (var error in result.Errors)
            {
                await io.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            foreach (var suggestion in Suggestions(result))
            {
                await io.Error.WriteLineAsync(suggestion).ConfigureAwait(false);
            }

            await io.Error.WriteLineAsync($"Run '{CommandPath(result.CommandResult.Command)} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            return await result.InvokeAsync(io, ct).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await io.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await io.Error.WriteLineAsync($"Run '{CommandPath(result.CommandResult.Command)} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (DataFolderLockedException e)
        {
            // One writer per data folder: say which way works instead (the service's own address when it recorded one).
            var url = e.ServingUrl ?? "URL";
            await io.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            await io.Error.WriteLineAsync($"Use --url {url} to work through the running service, or --data with a folder no other process uses.").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (RagService.Indexing.IndexUnavailableException e)
        {
            await io.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (DocumentRejectedException e)
        {
            await io.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (HttpRequestException e)
        {
            await io.Error.WriteLineAsync($"The service answered: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await io.Error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>The whole command tree: every command, option and argument, with its help text.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(Description)
        {
            Serve(), Ingest(), Search(), Ask(), Parse(), Eval(), EvalParse(), EvalChunks(), EvalFollowUps(), EvalAnswers(), BenchParse(), BenchOcr(), GenDocs(), Load(), Models(), Doctor(), Restore(),
        };

        // A bare `rag` prints the help, as it always has.
        root.SetAction(result => root.Parse(["--help"]).Invoke(result.InvocationConfiguration));
        return root;
    }

    private static Command Serve()
    {
        var command = new Command("serve", "Run the API on its embedded defaults (http://127.0.0.1:8080). Host settings pass through: --Rag:MaxUploadBytes=1000")
        {
            Data(),
            new Option<string>("--urls") { Description = "Where to listen, e.g. http://0.0.0.0:8080", HelpName = "URL" },
        };

        // Any other token is an ASP.NET Core host setting (--Logging:LogLevel:Default=Debug), handed to the host as given.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, ct) => ServeCommand.RunAsync(new CommandLine(result), [.. result.UnmatchedTokens]));
        return command;
    }

    private static Command Ingest()
    {
        var command = new Command("ingest", "Ingest files and folders into an index (created on first use), with a progress bar and a summary. Exit 1 when a file failed. With --url: uploads to the service, skipping files whose bytes the index already holds, and waits for every document (interrupted, run it again).")
        {
            FreeText("paths", "Files or folders (recursed; hidden files skipped)"),
            Index(required: true),
            new Option<string[]>("--tag") { Description = "A key:value tag for every document (repeatable)", HelpName = "key:value" },
            new Option<string[]>("--include") { Description = "Only a folder's files matching this glob, relative to the folder, e.g. '**/*.pdf' (repeatable; default all)", HelpName = "GLOB" },
            new Option<string[]>("--exclude") { Description = "Leave out a folder's files matching this glob, e.g. '**/drafts/**' (repeatable)", HelpName = "GLOB" },
            new Option<int>("--parallel") { Description = "With --url: upload requests in flight at once (default 4)", HelpName = "N" },
            Model(), ChunkTokens(), Header(),
        };
        AddIndexAccess(command);
        command.SetAction((result, ct) => IngestCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Load()
    {
        var command = new Command("load", "Load-test a running service on loopback: N clients search for D seconds (queries from a BEIR queries file), optionally while a corpus is ingested; prints QPS, p50/p95/p99 and errors. Exit 1 on any error.")
        {
            new Option<string>("--url") { Description = "The service, on loopback only (e.g. http://127.0.0.1:8080)", HelpName = "URL", Required = true },
            new Option<string>("--api-key") { Description = "Sent as X-Api-Key with every request", HelpName = "KEY" },
            Index(required: true),
            new Option<string>("--queries") { Description = "A BEIR queries.jsonl", HelpName = "FILE", Required = true },
            new Option<int>("--clients") { Description = "Concurrent clients, 1–64 (default 1)", HelpName = "N" },
            new Option<int>("--duration") { Description = "Seconds to run, 1–600 (default 30)", HelpName = "S" },
            Mode(all: false),
            new Option<string>("--ingest-corpus") { Description = "A BEIR corpus.jsonl to ingest beside the searches", HelpName = "FILE" },
            new Option<string>("--ingest-index") { Description = "Scratch index for that ingestion, deleted first (default load-ingest)", HelpName = "NAME" },
            new Option<int>("--ingest-docs") { Description = "Most documents to upload (default 1000)", HelpName = "N" },
        };
        command.SetAction((result, ct) => LoadCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Search()
    {
        var command = new Command("search", "Search an index and print the ranked chunks.")
        {
            FreeText("query", "The query (several words are joined)"),
            Index(required: true),
            Mode(all: false),
            TopK(10),
            new Option<bool>("--trace") { Description = "Have the search record its stage-by-stage trace" },
        };
        AddIndexAccess(command);
        command.SetAction((result, ct) => QueryCommands.SearchAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Ask()
    {
        var command = new Command("ask", "Answer a question from an index, every sentence cited [n]. Exit 3 when the documents do not answer it.")
        {
            FreeText("question", "The question (several words are joined)"),
            Index(required: true),
            Mode(all: false),
            TopK(8),
        };
        AddIndexAccess(command);
        command.SetAction((result, ct) => QueryCommands.AskAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Doctor()
    {
        var command = new Command("doctor", "Check each index's BM25 and vector index against its catalog (missing, extra, stale chunks); --repair rebuilds them from the catalog and the embedding cache. Exit 1 while inconsistent.")
        {
            new Option<string>("--index") { Description = "Only this index (of --tenant, or of the default tenant)", HelpName = "NAME" },
            Tenant("Only this tenant's indexes (default: every tenant's)"),
            new Option<bool>("--repair") { Description = "Rebuild the derived indexes of every inconsistent index (no re-parsing; cached texts are not embedded again)" },
            Data(),
            Verbose(),
        };
        command.SetAction((result, ct) => DoctorCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Restore()
    {
        var command = new Command("restore", "Bring back an index snapshot (POST /v1/indexes/{index}/snapshot) as a new index in the data folder.")
        {
            new Argument<string>("snapshot") { Description = "The snapshot folder" },
            Index(required: true),
            Tenant("The tenant the restored index belongs to (default: default); it must exist"),
            Data(),
            Verbose(),
        };
        command.SetAction((result, ct) => RestoreCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Parse()
    {
        var format = new Option<string>("--format") { Description = "md (the document tree as Markdown), json, or lines (the PDF layout's raw lines)", HelpName = "md|json|lines" };
        format.AcceptOnlyFromAmong("md", "json", "lines");
        var command = new Command("parse", "Print the parsed document tree of one file.")
        {
            new Argument<string>("file") { Description = "The file to parse" },
            format,
            Verbose(),
        };
        command.SetAction((result, ct) => ParseCommands.ParseAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Eval()
    {
        var command = new Command("eval", "BEIR-format retrieval evaluation: ingests the corpus once, runs the queries, reports nDCG@10, MRR@10, recall and latency (table, JSON, Markdown, chart).")
        {
            Dataset(required: true, "A BEIR folder: corpus.jsonl, queries.jsonl, qrels/<split>.tsv"),
            new Option<string>("--split") { Description = "The qrels split (default test)", HelpName = "NAME" },
            Mode(all: true),
            Model(),
            new Option<int>("--max-queries") { Description = "Only the first N queries of the split", HelpName = "N" },
            Out("Folder for the run's JSON, Markdown and PNG (default Rag:Evaluation:RunsDirectory, eval/runs)"),
            new Option<bool>("--ablation") { Description = "Switch the search stages on one by one and report each" },
            new Option<bool>("--http") { Description = "Start the API over --data on 127.0.0.1 and send the queries over HTTP" },
            new Option<bool>("--rebuild") { Description = "Delete and rebuild the evaluation index" },
            new Option<string>("--dump") { Description = "Write every query's candidates and stage scores to PREFIX.<stage>.tsv", HelpName = "PREFIX" },
            Index(required: false),
            ChunkTokens(),
            Header(),
        };
        AddIndexAccess(command);
        command.SetAction((result, ct) => EvalCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command EvalParse()
    {
        var command = new Command("eval-parse", "Score the parsers against the ground truth of a documents folder.")
        {
            Dataset(required: true, "A documents folder with ground truth (docling/pdf, docling/docx, ...)"),
            Out("Write the Markdown report to FILE instead of the console"),
            new Option<string>("--only") { Description = "Only documents or categories whose name contains TEXT", HelpName = "TEXT" },
            new Option<int>("--timeout") { Description = "Seconds allowed per document (default 120)", HelpName = "S" },
            new Option<string>("--split") { Description = "dev (decide layout rules on it), test (report it) or all (default); the half follows from each file's name", HelpName = "HALF" },
            new Option<bool>("--raw-ocr") { Description = "Also read each scanned PDF with the tesseract command alone (same DPI) and report CER, pages/s and OCR'd chunks' section paths side by side" },
            Verbose(),
        };
        command.SetAction((result, ct) => ParseCommands.EvaluateAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command EvalChunks()
    {
        var command = new Command("eval-chunks", "Chunking quality: structure against ground truth and section hits on a question set.")
        {
            Dataset(required: false, "A documents folder with docling ground truth (required unless --beir)"),
            new Option<string>("--questions") { Description = "The question set (default eval/chunking-questions.jsonl)", HelpName = "FILE" },
            ChunkTokens(),
            new Option<double>("--threshold") { Description = "Semantic split threshold", HelpName = "X" },
            new Option<bool>("--no-retrieval") { Description = "Structure only: skip the question set" },
            new Option<bool>("--details") { Description = "Print every document's figures" },
            new Option<string>("--beir") { Description = "Summarise the chunks of a BEIR corpus instead", HelpName = "DIR" },
            new Option<string>("--compare-catalog") { Description = "With --beir: compare with the chunks of an existing catalog", HelpName = "FILE" },
            Model(),
            Out("Folder for the run's report (default eval/runs)"),
            Data(),
            Verbose(),
        };
        command.SetAction((result, ct) => EvalChunksCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command EvalFollowUps()
    {
        var command = new Command("eval-followups", "Follow-up retrieval hit@5 with and without rewriting, on a two-turn follow-up set over its own documents.")
        {
            Dataset(required: false, "A folder with followups.jsonl and docs/ (default eval/followups)"),
            Model(),
            Out("Folder for the run's report (default eval/runs)"),
            Data(),
            Verbose(),
        };
        command.SetAction((result, ct) => EvalFollowUpsCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command EvalAnswers()
    {
        var command = new Command("eval-answers", "Answer quality through the API on the team's generated set: accuracy, citation precision and recall, noAnswer detection, answer length, latency (JSON, Markdown, chart).")
        {
            Dataset(required: false, "A folder with documents.json and questions.jsonl (default eval/answers)"),
            new Option<string>("--split") { Description = "dev, test (default) or all", HelpName = "NAME" },
            Model(),
            Out("Folder for the run's JSON, Markdown and PNG (default eval/runs)"),
            Verbose(),
        };
        command.SetAction((result, ct) => EvalAnswersCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command BenchParse()
    {
        var command = new Command("bench-parse", "Text-PDF parsing pages/s and peak memory, on a synthetic policy PDF or --file.")
        {
            new Option<int>("--pages") { Description = "Pages of the synthetic PDF (default 500)", HelpName = "N" },
            new Option<string>("--file") { Description = "Parse this PDF instead", HelpName = "FILE" },
        };
        command.SetAction((result, ct) => BenchParseCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command BenchOcr()
    {
        var command = new Command("bench-ocr", "Scanned-PDF (OCR) pages/s, CPU seconds per page and peak memory, on synthetic scans or --file.")
        {
            new Option<int>("--pages") { Description = "Pages of the synthetic scan (default 20)", HelpName = "N" },
            new Option<int>("--dpi") { Description = "OCR rasterisation resolution (default 300)", HelpName = "N" },
            new Option<int>("--scan-dpi") { Description = "Resolution of the synthetic scans (default --dpi)", HelpName = "N" },
            new Option<string>("--languages") { Description = "Tesseract languages, or auto (default)", HelpName = "LANGS" },
            new Option<int>("--concurrent-pages") { Description = "Pages recognised at a time (default one per core)", HelpName = "N" },
            new Option<string>("--write") { Description = "Only write the synthetic scan to FILE", HelpName = "FILE" },
            new Option<string>("--file") { Description = "Recognise this PDF instead", HelpName = "FILE" },
            new Option<bool>("--raw-tesseract") { Description = "Also read the same pages with pdftoppm and the tesseract command alone, same DPI, and compare pages/s" },
        };
        command.SetAction((result, ct) => BenchOcrCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command GenDocs()
    {
        var command = new Command("gen-docs", "Write the generated parse test set: DOCX, LibreOffice PDFs, scans and ground-truth Markdown.")
        {
            new Option<string>("--out") { Description = "Folder for the set (default eval/generated-docs)", HelpName = "DIR" },
            new Option<int>("--seed") { Description = "Seed of the set (default 15)", HelpName = "N" },
            new Option<bool>("--no-pdf") { Description = "Only DOCX and ground truth (no LibreOffice, no scans)" },
            new Option<bool>("--extended") { Description = "Add reports and manuals with covers and scanned pages with figures beside the text (not yet in the committed set)" },
        };
        command.SetAction((result, ct) => GenDocsCommand.RunAsync(new CommandLine(result), ct));
        return command;
    }

    private static Command Models()
    {
        var pull = new Command("pull", "Download a cross-encoder from a Hugging Face-style hub, each file verified against the manifest's SHA-256.")
        {
            new Argument<string>("model-id") { Description = "The hub's model id, e.g. cross-encoder/ms-marco-MiniLM-L-6-v2" },
            new Option<string>("--manifest") { Description = "Manifest with the SHA-256 of every file (default models.manifest.json beside the program)", HelpName = "FILE" },
            new Option<string>("--endpoint") { Description = "The hub (default https://huggingface.co)", HelpName = "URL" },
            Out("Folder for the model (default <data>/models/<id>)"),
            Data(),
        };
        pull.SetAction((result, ct) => ModelsCommand.RunAsync(new CommandLine(result), ct));
        return new Command("models", "Model files: rag models pull <hf-model-id> --manifest FILE") { pull };
    }

    /// <summary>--data, --url, --api-key and --verbose: the same on every command that touches an index.</summary>
    private static void AddIndexAccess(Command command)
    {
        command.Add(Data());
        command.Add(new Option<string>("--url") { Description = "A running service to talk to over HTTP instead of --data", HelpName = "URL" });
        command.Add(new Option<string>("--api-key") { Description = "Sent as X-Api-Key with every request to --url", HelpName = "KEY" });
        command.Add(Verbose());
    }

    private static Option<string> Data() =>
        new("--data") { Description = "Data folder (default ./data, or RAG_Rag__DataDirectory)", HelpName = "DIR" };

    private static Option<bool> Verbose() => new("--verbose") { Description = "Log at Information level" };

    private static Option<string> Tenant(string description) =>
        new("--tenant") { Description = description, HelpName = "TENANT" };

    private static Option<string> Index(bool required) =>
        new("--index") { Description = required ? "The index" : "The index to use (default derived from dataset, model and chunk budget)", HelpName = "NAME", Required = required };

    private static Option<string> Dataset(bool required, string description) =>
        new("--dataset") { Description = description, HelpName = "DIR", Required = required };

    private static Option<string> Model() =>
        new("--model") { Description = "Embedding model of a new index: minilm or arctic-xs (default from settings)", HelpName = "NAME" };

    private static Option<int> ChunkTokens() =>
        new("--chunk-tokens") { Description = "Chunk budget in tokens of a new index (default per model)", HelpName = "N" };

    private static Option<bool> Header() =>
        new("--header") { Description = "Contextual header (title and section path) in each chunk of a new index: true or false" };

    private static Option<int> TopK(int fallback) =>
        new("--top-k") { Description = $"How many hits (default {fallback})", HelpName = "N" };

    private static Option<string> Out(string description) => new("--out") { Description = description, HelpName = "PATH" };

    private static Option<string> Mode(bool all)
    {
        var option = new Option<string>("--mode")
        {
            Description = all ? "bm25, dense, hybrid, or all three (default all)" : "bm25, dense or hybrid (default hybrid)",
            HelpName = all ? "bm25|dense|hybrid|all" : "bm25|dense|hybrid",
        };
        option.AcceptOnlyFromAmong(all ? ["bm25", "dense", "hybrid", "all"] : ["bm25", "dense", "hybrid"]);
        return option;
    }

    /// <summary>"'--top-kk': did you mean --top-k?" for each unknown option or command close to a known one.</summary>
    internal static IEnumerable<string> Suggestions(ParseResult result)
    {
        var command = result.CommandResult.Command;
        var options = command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToList();
        var commands = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
        var misplaced = result.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value).Where(LooksLikeOption);
        foreach (var token in result.UnmatchedTokens.Concat(misplaced).Distinct(StringComparer.Ordinal))
        {
            var name = token.Split('=', ':')[0];
            var candidates = name.StartsWith('-') ? options : commands;
            var best = candidates.Select(c => (Name: c, Distance: EditDistance.Between(name, c))).OrderBy(c => c.Distance).FirstOrDefault();
            if (best.Name is not null && best.Distance <= Math.Max(2, name.Length / 3))
            {
                yield return $"'{token}': did you mean {best.Name}?";
            }
        }
    }

    private static bool LooksLikeOption(string token) => token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2;

    /// <summary>
    /// Free-text arguments (a query, a question, paths) take every token they can, an unknown option
    /// included: a token that starts with "--" is refused, so a mistyped option is an error, never a word
    /// of the query.
    /// </summary>
    private static Argument<string[]> FreeText(string name, string description)
    {
        var argument = new Argument<string[]>(name) { Description = description, Arity = ArgumentArity.OneOrMore };
        argument.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => LooksLikeOption(t.Value)))
            {
                result.AddError($"Unknown option '{token.Value}'.");
            }
        });
        return argument;
    }

    /// <summary><c>rag help [command]</c> is <c>rag [command] --help</c>.</summary>
    private static string[] HelpCommandAsOption(string[] args) =>
        args is ["help", .. var rest] ? [.. rest, "--help"] : args;

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c is RootCommand ? "rag" : c.Name);
        }

        return string.Join(' ', names);
    }
}
