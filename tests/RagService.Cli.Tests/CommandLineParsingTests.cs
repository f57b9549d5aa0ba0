using System.CommandLine;

namespace RagService.Cli.Tests;

/// <summary>
/// The <c>rag</c> parser as a user meets it: generated help, unknown options and commands refused with
/// a suggestion (exit 2) before anything runs, and every invocation the docs show still accepted.
/// </summary>
[Collection(CliConsole.Name)]
public sealed class CommandLineParsingTests
{
    [Fact]
    public async Task An_unknown_option_is_a_usage_error_that_suggests_the_closest_option()
    {
        var run = await RunAsync("search", "backup retention", "--index", "kb", "--top-kk", "5");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("did you mean --top-k?", run.Error, StringComparison.Ordinal);
        Assert.Contains("rag search --help", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error_that_suggests_the_closest_command()
    {
        var run = await RunAsync("serach", "backups");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("did you mean search?", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench-parse", "--page", "3", "--pages")]
    [InlineData("bench-ocr", "--concurent-pages", "2", "--concurrent-pages")]
    [InlineData("eval", "--max-querys", "5", "--max-queries")]
    public async Task A_mistyped_benchmark_flag_stops_before_running_the_defaults(string command, string typo, string value, string meant)
    {
        string[] args = command == "eval" ? [command, "--dataset", "/nonexistent", typo, value] : [command, typo, value];

        var run = await RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"did you mean {meant}?", run.Error, StringComparison.Ordinal);
        // Nothing was measured: the benchmark's report line never appeared.
        Assert.DoesNotContain("pages/s", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command_and_the_exit_codes()
    {
        var run = await RunAsync("--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var command in new[] { "serve", "ingest", "search", "ask", "parse", "eval", "eval-parse", "eval-chunks", "eval-followups", "eval-answers", "bench-parse", "bench-ocr", "gen-docs", "models" })
        {
            Assert.Contains("  " + command + " ", run.Output, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes:", run.Output, StringComparison.Ordinal);
        foreach (var code in new[] { "0 ", "1 ", "2 ", "3 ", "130 " })
        {
            Assert.Contains("    " + code, run.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_as_a_command_prints_that_commands_generated_help()
    {
        var run = await RunAsync("help", "eval");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("--max-queries <N>", run.Output, StringComparison.Ordinal);
        Assert.Contains("--api-key <KEY>", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("search")]
    [InlineData("ask")]
    [InlineData("eval")]
    public void Every_command_that_touches_an_index_takes_data_url_and_api_key(string name)
    {
        var command = RagCommandLine.BuildRoot().Subcommands.Single(c => c.Name == name);

        Assert.Contains(command.Options, o => o.Name == "--data");
        Assert.Contains(command.Options, o => o.Name == "--url");
        Assert.Contains(command.Options, o => o.Name == "--api-key");
    }

    [Fact]
    public async Task A_value_outside_an_options_choices_is_a_usage_error()
    {
        var run = await RunAsync("search", "x", "--index", "kb", "--mode", "semantic");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("semantic", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_number_is_a_usage_error()
    {
        var run = await RunAsync("bench-parse", "--pages", "many");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("many", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The invocations README.md and docs/benchmarks.md show (scripts use them): each still parses.</summary>
    [Theory]
    [InlineData("serve --data DIR --urls http://127.0.0.1:8080")]
    [InlineData("serve --Rag:MaxUploadBytes=1000 --Logging:LogLevel:Default=Debug")]
    [InlineData("ingest policy.pdf handbook --index kb --tag dept:hr --tag year:2024 --model minilm")]
    [InlineData("ingest docs --index kb --model arctic-xs --chunk-tokens 256 --header false --data /tmp/d")]
    [InlineData("ingest docs --url http://127.0.0.1:8080 --index kb --include **/*.pdf --include **/*.docx --exclude **/drafts/** --parallel 8")]
    [InlineData("search backup retention --index kb --mode bm25 --top-k 5 --trace")]
    [InlineData("search backups --index kb --url http://127.0.0.1:8080 --api-key secret")]
    [InlineData("ask how long are backups kept --index kb --top-k 8")]
    [InlineData("parse policy.pdf --format md")]
    [InlineData("parse policy.pdf --format json")]
    [InlineData("parse FILE.pdf --format lines")]
    [InlineData("eval --dataset ../shared/data/retrieval/beir-scifact --split test --mode all --model minilm --ablation --http --data /tmp/evaldata")]
    [InlineData("eval --dataset ../shared/data/retrieval/beir-scifact --split test --mode all --chunk-tokens 512 --data /tmp/evaldata")]
    [InlineData("eval --dataset ../shared/data/retrieval/beir-scifact --split test --mode all --http --rebuild --data /tmp/evaldata")]
    [InlineData("eval --dataset ../shared/data/retrieval/beir-scifact --split train --mode hybrid --dump DIR")]
    [InlineData("eval --dataset ../shared/data/retrieval/zh-cmrc2018-dev-beir --split test --mode bm25 --index zh-smartcn --data /tmp/rq-data")]
    [InlineData("eval --dataset d --max-queries 5 --out eval/runs --url http://127.0.0.1:8080 --header true")]
    [InlineData("eval-parse --dataset ../shared/data/documents --out FILE.md --only docx --timeout 60")]
    [InlineData("eval-chunks --dataset ../shared/data/documents --questions q.jsonl --chunk-tokens 256 --threshold 0.35 --no-retrieval --details")]
    [InlineData("eval-chunks --beir ../shared/data/retrieval/beir-scifact --compare-catalog catalog.db --model minilm")]
    [InlineData("eval-followups --dataset eval/followups --data /tmp/fu-data --out eval/runs --model minilm")]
    [InlineData("bench-parse --pages 500")]
    [InlineData("bench-parse --file X.pdf")]
    [InlineData("bench-ocr --pages 100 --dpi 300 --concurrent-pages 2 --scan-dpi 200 --languages auto")]
    [InlineData("bench-ocr --file X.pdf --write out.pdf")]
    [InlineData("bench-ocr --pages 10 --dpi 300 --languages eng --raw-tesseract")]
    [InlineData("gen-docs --out eval/generated-docs --seed 15 --no-pdf")]
    [InlineData("eval-parse --dataset eval/generated-docs --split test --raw-ocr")]
    [InlineData("models pull cross-encoder/ms-marco-MiniLM-L-6-v2 --manifest models.manifest.json --out data/models/ms-marco-MiniLM-L-6-v2 --endpoint https://huggingface.co")]
    [InlineData("eval --dataset=d --mode=hybrid --max-queries=5")]
    public void A_documented_invocation_parses(string line)
    {
        var result = RagCommandLine.BuildRoot().Parse(line.Split(' '));

        Assert.Empty(result.Errors.Select(e => e.Message));
    }

    [Fact]
    public void Options_read_back_as_the_commands_expect_them()
    {
        var result = RagCommandLine.BuildRoot().Parse(["ingest", "a.md", "b", "--index", "kb", "--tag", "dept:hr", "--tag", "year:2024", "--header", "false", "--chunk-tokens", "256"]);
        var line = new CommandLine(result);

        Assert.Equal(new[] { "a.md", "b" }, line.Positional);
        Assert.Equal("kb", line.Get("index"));
        Assert.Equal(new[] { "dept:hr", "year:2024" }, line.GetAll("tag"));
        Assert.Equal("false", line.Get("header"));
        Assert.False(line.Has("header"));
        Assert.Equal(256, line.GetInt("chunk-tokens", 0));
        Assert.Null(line.Get("url"));
        Assert.Null(line.Get("model"));
        Assert.Equal(7, line.GetInt("top-k", 7));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await RagCommandLine.RunAsync(args, new InvocationConfiguration { Output = output, Error = error }, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }
}
