using System.Xml.Linq;
using RagService.TestSupport;

namespace RagService.Evaluation.Tests;

/// <summary>Measurement code stays out of what ships: no production project references it, and the image holds the API only.</summary>
public sealed class EvaluationBoundaryTests
{
    private static readonly string[] Production =
        ["RagService.Core", "RagService.Ingestion", "RagService.Models", "RagService.Indexing", "RagService.Retrieval", "RagService.Generation", "RagService.Api", "RagService.Dashboard"];

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
            var references = XDocument.Load(project).Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include") ?? "");
            Assert.DoesNotContain(references, r => r.Contains("RagService.Evaluation", StringComparison.Ordinal));
        }

        Assert.True(checkedProjects >= 7, $"only {checkedProjects} production projects found under {src}");
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
