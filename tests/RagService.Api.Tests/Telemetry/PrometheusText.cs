using System.Globalization;

namespace RagService.Api.Tests.Telemetry;

/// <summary>Reads samples out of a Prometheus text exposition: a metric name and the labels a sample must carry.</summary>
internal sealed class PrometheusText(string text)
{
    public string Text { get; } = text;

    /// <summary>The values of every sample of <paramref name="metric"/> whose labels include all of <paramref name="labels"/>.</summary>
    public IReadOnlyList<double> Values(string metric, params (string Name, string Value)[] labels) =>
        Text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Select(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))
            .ToList();

    /// <summary>The sum over matching samples; fails the test when none matches.</summary>
    public double Sum(string metric, params (string Name, string Value)[] labels)
    {
        var values = Values(metric, labels);
        Assert.True(values.Count > 0, $"No sample of {metric} with {string.Join(", ", labels.Select(l => $"{l.Name}={l.Value}"))} in:\n{Text[..Math.Min(Text.Length, 4000)]}");
        return values.Sum();
    }
}
