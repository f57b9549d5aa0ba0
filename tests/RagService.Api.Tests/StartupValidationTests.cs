using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using RagService.Api.Hosting;

namespace RagService.Api.Tests;

/// <summary>A bad setting stops the service at start with a message that names it; the defaults start.</summary>
public sealed class StartupValidationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Theory]
    [InlineData("Retrieval:Bm25Candidates", "-1", "Retrieval:Bm25Candidates must be > 0 (was -1)")]
    [InlineData("Retrieval:Fusion", "borda", "Retrieval:Fusion must be one of 'rrf', 'weighted', 'zscore' (was 'borda')")]
    [InlineData("Retrieval:MmrLambda", "1.5", "Retrieval:MmrLambda must be between 0 and 1 (was 1.5)")]
    [InlineData("Retrieval:SecondStageModel", "e5-huge", "Retrieval:SecondStageModel must be one of")]
    [InlineData("Retrieval:RerankerModelPath", "/nonexistent/cross-encoder", "Retrieval:RerankerModelPath must be an existing folder")]
    [InlineData("Retrieval:Fuson", "rrf", "Retrieval:Fuson is not a setting of 'Retrieval'; did you mean Retrieval:Fusion?")]
    [InlineData("Retrieval:Bm25Candidates", "many", "Retrieval:Bm25Candidates")]
    [InlineData("Lexical:B", "2", "Lexical:B must be between 0 and 1 (was 2)")]
    [InlineData("Lexical:ChineseAnalyzer", "jieba", "Lexical:ChineseAnalyzer must be one of 'smartcn', 'bigram', 'both' (was 'jieba')")]
    [InlineData("Rag:DefaultEmbeddingModel", "gpt-9", "Rag:DefaultEmbeddingModel must be one of 'minilm', 'arctic-xs', 'bge-small-zh', 'multilingual-e5-small', 'bge-m3' (was 'gpt-9')")]
    [InlineData("Rag:IngestionParallelism", "0", "Rag:IngestionParallelism must be between 1 and 64 (was 0)")]
    [InlineData("Rag:MaxUploadBytes", "-5", "Rag:MaxUploadBytes must be > 0 (was -5)")]
    [InlineData("Rag:MaxAttempts", "0", "Rag:MaxAttempts must be between 1 and 100 (was 0)")]
    [InlineData("Rag:ParseTimeout", "00:00:00", "Rag:ParseTimeout must be a duration > 0")]
    [InlineData("Rag:MaxPagesPerDocument", "0", "Rag:MaxPagesPerDocument must be between 1 and 1000000 (was 0)")]
    [InlineData("Llm:Endpoint", "localhost:8000/v1", "Llm:Endpoint must be an absolute http or https URL (was 'localhost:8000/v1')")]
    [InlineData("Llm:Provider", "bard", "Llm:Provider must be one of 'openai', 'azure', 'openai-compatible' (was 'bard')")]
    [InlineData("Llm:Timeout", "00:00:00", "Llm:Timeout must be a duration > 0")]
    [InlineData("AnswerContext:MaxTokens", "-3", "AnswerContext:MaxTokens must be >= 0 (was -3)")]
    [InlineData("ExtractiveAnswer:MinCoverage", "2", "ExtractiveAnswer:MinCoverage must be between 0 and 1 (was 2)")]
    [InlineData("CitationVerifier:MinSupport", "-0.1", "CitationVerifier:MinSupport must be between 0 and 1 (was -0.1)")]
    [InlineData("Chunking:MaxTokens", "0", "Chunking:MaxTokens must be > 0 (was 0)")]
    [InlineData("Deduplication:NearDuplicateJaccard", "0", "Deduplication:NearDuplicateJaccard must be > 0 and <= 1 (was 0)")]
    [InlineData("Ocr:Dpi", "10", "Ocr:Dpi must be between 50 and 1200 (was 10)")]
    [InlineData("Ocr:Languages", "english please", "Ocr:Languages must be 'auto' or Tesseract language codes")]
    [InlineData("Rag:Auth:Mode", "open", "Rag:Auth:Mode must be one of 'apikey', 'jwt', 'apikey+jwt', 'none' (was 'open')")]
    [InlineData("Rag:Auth:AdminKey", "short", "Rag:Auth:AdminKey must be at least 24 characters")]
    [InlineData("Rag:Auth:Jwt:Dashboard:ClientId", "rag-dashboard", "Rag:Auth:Jwt:Dashboard:ClientId is set but Mode 'apikey' does not accept tokens")]
    [InlineData("Rag:Auth:Mdoe", "none", "Rag:Auth:Mdoe is not a setting of 'Rag:Auth'; did you mean Rag:Auth:Mode?")]
    [InlineData("Rag:Limits:MaxFilesPerRequest", "0", "Rag:Limits:MaxFilesPerRequest must be between 1 and 100000 (was 0)")]
    [InlineData("Rag:Evaluation:RunsDirectory", " ", "Rag:Evaluation:RunsDirectory must be a folder path (was ' ')")]
    [InlineData("Conversations:TimeToLive", "00:00:00", "Conversations:TimeToLive must be a duration > 0")]
    [InlineData("Conversations:MaxTurns", "0", "Conversations:MaxTurns must be > 0 (was 0)")]
    [InlineData("Conversations:Ttl", "1.00:00:00", "Conversations:Ttl is not a setting of 'Conversations'")]
    public async Task A_bad_setting_stops_the_start_with_a_message_naming_it(string key, string value, string expected)
    {
        var failure = await StartFailureAsync(new Dictionary<string, string?> { [key] = value });

        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authentication_off_is_refused_when_the_service_listens_beyond_loopback()
    {
        var failure = await StartFailureAsync(new Dictionary<string, string?>
        {
            ["Rag:Auth:Mode"] = "none",
            ["Kestrel:Endpoints:Public:Url"] = "http://0.0.0.0:0",
        });

        Assert.Contains("Rag:Auth:Mode is 'none' but the service listens on http://0.0.0.0:0", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_the_service_cannot_create_stops_the_start()
    {
        // A file where a parent folder should be: not creatable by anyone, root included.
        var blocker = _dir.File("blocker");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var failure = await StartFailureAsync(new Dictionary<string, string?>(), dataDirectory: Path.Combine(blocker, "data"));

        Assert.Contains("Rag:DataDirectory must be a folder the service can create and write", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bad_setting_is_reported_at_once()
    {
        var failure = await StartFailureAsync(new Dictionary<string, string?>
        {
            ["Retrieval:DenseCandidates"] = "0",
            ["Llm:MaxSources"] = "0",
        });

        Assert.Contains("Retrieval:DenseCandidates must be > 0 (was 0)", failure, StringComparison.Ordinal);
        Assert.Contains("Llm:MaxSources must be > 0 (was 0)", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_defaults_and_good_values_in_every_section_start()
    {
        await using var host = new RagApiHost(_dir.File("data"), new Dictionary<string, string?>
        {
            ["Retrieval:Fusion"] = "RRF",
            ["Retrieval:Bm25Candidates"] = "200",
            ["Retrieval:SecondStageModel"] = "none",
            ["Lexical:ChineseAnalyzer"] = "bigram",
            ["Llm:Endpoint"] = "http://127.0.0.1:9/v1",
            ["AnswerContext:Expansion"] = "Neighbours",
            ["ExtractiveAnswer:MaxSentences"] = "2",
            ["CitationVerifier:MinSupport"] = "0.5",
            ["Chunking:OverlapTokens"] = "32",
            ["Deduplication:Enabled"] = "false",
            ["Ocr:Languages"] = "chi_sim+eng",
        });
        var client = host.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    /// <summary>
    /// Starts the service's composition on a free port with the settings, and returns every message of the
    /// failure the start must end in (startup validation aggregates one per section). Built directly rather
    /// than through WebApplicationFactory, which sometimes reports a failed start as an ObjectDisposedException.
    /// </summary>
    private async Task<string> StartFailureAsync(Dictionary<string, string?> settings, string? dataDirectory = null)
    {
        var exception = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
            {
                ["Rag:DataDirectory"] = dataDirectory ?? _dir.File("data"),
                ["Urls"] = "http://127.0.0.1:0",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.AddRagServiceDefaults();
            builder.AddRagService();
            await using var app = builder.Build();
            app.MapRagService();
            await app.StartAsync();
            await app.StopAsync();
        });
        return string.Join("\n", Flatten(exception).Select(e => e.Message));
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        yield return exception;
        var inner = exception is AggregateException aggregate ? aggregate.InnerExceptions : exception.InnerException is { } one ? [one] : [];
        foreach (var e in inner.SelectMany(Flatten))
        {
            yield return e;
        }
    }

    public void Dispose() => _dir.Dispose();
}
