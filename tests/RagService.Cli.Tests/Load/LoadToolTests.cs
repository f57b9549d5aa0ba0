using RagService.Cli.Load;

namespace RagService.Cli.Tests.Load;

/// <summary>The load tool targets only loopback, and reports nearest-rank percentiles of the successful searches.</summary>
public sealed class LoadToolTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://127.3.4.5:9000/")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:8080")]
    public void Loopback_urls_are_accepted(string url) => Assert.True(LoopbackTarget.Parse(url).IsAbsoluteUri);

    [Theory]
    [InlineData("http://10.0.0.5:8080")]
    [InlineData("http://192.168.1.5")]
    [InlineData("http://example.com")]
    [InlineData("ftp://127.0.0.1")]
    public void Other_targets_are_refused(string url) => Assert.Throws<UsageException>(() => LoopbackTarget.Parse(url));

    [Fact]
    public void Percentiles_and_rates_count_only_successful_searches_and_errors_by_status()
    {
        var samples = Enumerable.Range(1, 100).Select(i => ("200", (double)i)).Append(("503", 1000.0)).Append(("HttpRequestException", 5.0)).ToList();

        var result = new LoadResult(4, TimeSpan.FromSeconds(10), samples);

        Assert.Equal((50.0, 95.0, 99.0), (result.Percentile(50), result.Percentile(95), result.Percentile(99)));
        Assert.Equal(10.0, result.QueriesPerSecond);
        Assert.Equal(2, result.Errors);
        Assert.Equal(1, result.ByOutcome["503"]);
    }
}
