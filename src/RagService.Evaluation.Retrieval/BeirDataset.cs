using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace RagService.Evaluation.Retrieval;

public sealed record BeirDocument(string Id, string Title, string Text);

public sealed record BeirQuery(string Id, string Text);

/// <summary>
/// A dataset in the BEIR layout: <c>corpus.jsonl</c> (<c>_id</c>, <c>title</c>, <c>text</c>),
/// <c>queries.jsonl</c> (<c>_id</c>, <c>text</c>) and <c>qrels/&lt;split&gt;.tsv</c> with the header
/// <c>query-id corpus-id score</c>. The corpus is streamed because BEIR corpora run to millions of lines.
/// </summary>
public sealed class BeirDataset
{
    public BeirDataset(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
    }

    public string Directory { get; }

    public string CorpusPath => Path.Combine(Directory, "corpus.jsonl");

    public string QueriesPath => Path.Combine(Directory, "queries.jsonl");

    public string QrelsPath(string split) => Path.Combine(Directory, "qrels", split + ".tsv");

    public async IAsyncEnumerable<BeirDocument> ReadCorpusAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (line, root) in ReadJsonLinesAsync(CorpusPath, cancellationToken).ConfigureAwait(false))
        {
            using (root)
            {
                var element = root.RootElement;
                yield return new BeirDocument(
                    RequiredId(element, CorpusPath, line),
                    OptionalString(element, "title"),
                    OptionalString(element, "text"));
            }
        }
    }

    public async Task<IReadOnlyList<BeirQuery>> ReadQueriesAsync(CancellationToken cancellationToken)
    {
        var queries = new List<BeirQuery>();
        await foreach (var (line, root) in ReadJsonLinesAsync(QueriesPath, cancellationToken).ConfigureAwait(false))
        {
            using (root)
            {
                var element = root.RootElement;
                queries.Add(new BeirQuery(RequiredId(element, QueriesPath, line), OptionalString(element, "text")));
            }
        }

        return queries;
    }

    /// <summary>Relevance judgements of a split: query id → (document id → graded relevance).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>> ReadQrelsAsync(string split, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        var path = QrelsPath(split);
        var qrels = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        using var reader = new StreamReader(path);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split('\t');
            if (lineNumber == 1 && fields[0].Trim().Equals("query-id", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (fields.Length < 3 || !int.TryParse(fields[2].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var score))
            {
                throw new FormatException($"{path}:{lineNumber}: expected 'query-id<TAB>corpus-id<TAB>score'.");
            }

            var queryId = fields[0].Trim();
            if (!qrels.TryGetValue(queryId, out var judged))
            {
                judged = new Dictionary<string, int>(StringComparer.Ordinal);
                qrels[queryId] = judged;
            }

            judged[fields[1].Trim()] = score;
        }

        return qrels.ToDictionary(
            pair => pair.Key,
            pair => (IReadOnlyDictionary<string, int>)pair.Value,
            StringComparer.Ordinal);
    }

    private static async IAsyncEnumerable<(int Line, JsonDocument Root)> ReadJsonLinesAsync(
        string path,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument root;
            try
            {
                root = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new FormatException($"{path}:{lineNumber}: {e.Message}", e);
            }

            yield return (lineNumber, root);
        }
    }

    private static string RequiredId(JsonElement element, string path, int line)
    {
        // Some BEIR exports write numeric ids; they are compared as text against the qrels.
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("_id", out var id))
        {
            switch (id.ValueKind)
            {
                case JsonValueKind.String:
                    return id.GetString()!;
                case JsonValueKind.Number:
                    return id.GetRawText();
            }
        }

        throw new FormatException($"{path}:{line}: missing '_id'.");
    }

    private static string OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;
}
