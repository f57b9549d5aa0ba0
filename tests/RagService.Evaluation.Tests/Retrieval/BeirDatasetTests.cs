using RagService.Evaluation.Retrieval;

namespace RagService.Evaluation.Tests.Retrieval;

public sealed class BeirDatasetTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "beir-" + Guid.NewGuid().ToString("N"));

    public BeirDatasetTests()
    {
        Directory.CreateDirectory(Path.Combine(directory, "qrels"));
        File.WriteAllText(Path.Combine(directory, "corpus.jsonl"),
            """
            {"_id": "4983", "title": "Microstructural development", "text": "Alterations of the architecture.", "metadata": {}}

            {"_id": 5836, "text": "No title here \"quoted\"."}
            """);
        File.WriteAllText(Path.Combine(directory, "queries.jsonl"),
            """
            {"_id": "1", "text": "0-dimensional biomaterials show inductive properties.", "metadata": {}}
            {"_id": "3", "text": "1,000 genomes project."}
            """);
        File.WriteAllText(Path.Combine(directory, "qrels", "test.tsv"),
            "query-id\tcorpus-id\tscore\n1\t31715818\t1\n3\t14717500\t1\n3\t4983\t2\n");
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task The_corpus_streams_documents_with_missing_titles_as_empty_and_numeric_ids_as_text()
    {
        var documents = new List<BeirDocument>();
        await foreach (var document in new BeirDataset(directory).ReadCorpusAsync(CancellationToken.None))
        {
            documents.Add(document);
        }

        Assert.Equal(
            [new BeirDocument("4983", "Microstructural development", "Alterations of the architecture."), new BeirDocument("5836", "", "No title here \"quoted\".")],
            documents);
    }

    [Fact]
    public async Task Queries_and_qrels_are_read_and_the_qrels_header_is_skipped()
    {
        var dataset = new BeirDataset(directory);

        var queries = await dataset.ReadQueriesAsync(CancellationToken.None);
        var qrels = await dataset.ReadQrelsAsync("test", CancellationToken.None);

        Assert.Equal(["1", "3"], queries.Select(q => q.Id));
        Assert.Equal("1,000 genomes project.", queries[1].Text);
        Assert.Equal(2, qrels.Count);
        Assert.Equal(1, qrels["1"]["31715818"]);
        Assert.Equal(2, qrels["3"]["4983"]);
        Assert.Equal(2, qrels["3"].Count);
    }

    [Fact]
    public async Task A_malformed_qrels_line_names_the_file_and_line()
    {
        File.WriteAllText(Path.Combine(directory, "qrels", "dev.tsv"), "query-id\tcorpus-id\tscore\n1\t2\n");

        var error = await Assert.ThrowsAsync<FormatException>(() => new BeirDataset(directory).ReadQrelsAsync("dev", CancellationToken.None));

        Assert.Contains("dev.tsv:2", error.Message);
    }
}
