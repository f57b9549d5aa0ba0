using System.Globalization;

namespace RagService.Cli.Load;

/// <summary>What one load run measured: every search's outcome and latency, and the ingestion that ran beside it.</summary>
public sealed class LoadResult(int clients, TimeSpan elapsed, IReadOnlyList<(string Outcome, double Ms)> samples)
{
    public int Clients { get; } = clients;

    public TimeSpan Elapsed { get; } = elapsed;

    public int Requests => samples.Count;

    public int Errors => samples.Count(s => s.Outcome != "200");

    public double QueriesPerSecond => Elapsed.TotalSeconds > 0 ? samples.Count(s => s.Outcome == "200") / Elapsed.TotalSeconds : 0;

    /// <summary>Requests by outcome: the HTTP status, or the exception's name when no answer came.</summary>
    public IReadOnlyDictionary<string, int> ByOutcome => samples.GroupBy(s => s.Outcome).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Latency of the successful searches at <paramref name="p"/> (0–100), nearest rank; 0 when none succeeded.</summary>
    public double Percentile(double p)
    {
        var ok = samples.Where(s => s.Outcome == "200").Select(s => s.Ms).Order().ToList();
        return ok.Count == 0 ? 0 : ok[Math.Clamp((int)Math.Ceiling(p / 100 * ok.Count) - 1, 0, ok.Count - 1)];
    }

    /// <summary>One Markdown table row: clients, requests, QPS, p50, p95, p99, errors.</summary>
    public string MarkdownRow(string ingestion) => string.Create(CultureInfo.InvariantCulture,
        $"| {Clients} | {ingestion} | {Elapsed.TotalSeconds:0} | {Requests} | {QueriesPerSecond:0.0} | {Percentile(50):0} | {Percentile(95):0} | {Percentile(99):0} | {Errors} |");
}
