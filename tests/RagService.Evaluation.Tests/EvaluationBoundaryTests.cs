using System.Xml.Linq;
using RagService.TestSupport;

namespace RagService.Evaluation.Tests;

/// <summary>
/// Measurement code stays out of what ships: no production project references RagService.Evaluation (generators,
/// parse, chunk and answer scorers, benchmarks, load tools), and the image holds the API only. The retrieval harness
/// the service runs itself (POST /v1/eval/runs: BEIR loading, metrics, the query loop, run files) is
/// RagService.Evaluation.Retrieval, a production project below the API that references neither RagService.Evaluation
/// nor the API.
/// </summary>
public sealed class EvaluationBoundaryTests
{
    private const string ShippedHarness = "RagService.Evaluation.Retrieval";

    private static readonly string[] Production =
        ["RagService.Core", "RagService.Ingestion", "RagService.Models", "RagService.Indexing", "RagService.Retrieval", "RagService.Generation", "RagService.Api", "RagService.Dashboard", ShippedHarness];

    [Fact]
    public void No_production_project_references_the_evaluation_project()
    {
        var src = Path.Combine(RepositoryFiles.Root(), "src");
        var checkedProjects = 0;
        foreach (var name in Production)
        {
            var project = Path.Combine(src, name, name + ".csproj");
            if (!File.Exists(project))
            {
                continue;
            }

            checkedProjects++;
            var references = XDocument.Load(project).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(((string?)r.Attribute("Include") ?? "").Replace('\\', '/'))).ToList();
            Assert.DoesNotContain("RagService.Evaluation", references);
            Assert.DoesNotContain("RagService.Cli", references);
            if (name == ShippedHarness)
            {
                Assert.DoesNotContain("RagService.Api", references); // below the API, so the service and the CLI share it
            }
        }

        Assert.True(checkedProjects >= 8, $"only {checkedProjects} production projects found under {src}");
    }

    [Fact]
    public void The_container_image_publishes_the_api_only()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(RepositoryFiles.Root(), "deploy", "Dockerfile"));

        var publish = Assert.Single(dockerfile, l => l.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains("src/RagService.Api", publish, StringComparison.Ordinal);
        Assert.DoesNotContain(dockerfile, l => l.Contains("RagService.Cli", StringComparison.Ordinal) || l.Contains("RagService.Evaluation", StringComparison.Ordinal) || l.Contains("rag.dll", StringComparison.Ordinal));
    }
}
