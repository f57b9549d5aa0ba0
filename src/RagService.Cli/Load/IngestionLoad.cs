using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RagService.Cli.Load;

/// <summary>
/// The ingestion batch that runs beside a search load: documents of a BEIR corpus (title and text as a .txt
/// file, built in memory) uploaded to a scratch index in small batches until the duration is up or the
/// corpus ends. The scratch index is deleted first, so every run ingests for real (the same bytes twice
/// would be skipped). Reads the corpus line by line.
/// </summary>
public static class IngestionLoad
{
    private const int BatchSize = 25;

    public static async Task<int> RunAsync(HttpClient http, string index, string corpusPath, int maxDocuments, TimeSpan duration, CancellationToken ct)
    {
        var indexPath = new Uri($"v1/indexes/{Uri.EscapeDataString(index)}", UriKind.Relative);
        (await http.DeleteAsync(indexPath, ct)).Dispose();
        (await http.PutAsJsonAsync(indexPath, new { }, ct)).EnsureSuccessStatusCode().Dispose();
        var deadline = DateTime.UtcNow + duration;
        var sent = 0;
        var batch = new List<(string Id, string Text)>(BatchSize);
        foreach (var line in File.ReadLines(corpusPath))
        {
            if (sent + batch.Count >= maxDocuments || DateTime.UtcNow >= deadline || ct.IsCancellationRequested)
            {
                break;
            }

            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            batch.Add((root.GetProperty("_id").GetString()!, $"{root.GetProperty("title").GetString()}\n\n{root.GetProperty("text").GetString()}\n"));
            if (batch.Count == BatchSize)
            {
                sent += await UploadAsync(http, index, batch, ct);
            }
        }

        if (batch.Count > 0 && DateTime.UtcNow < deadline)
        {
            sent += await UploadAsync(http, index, batch, ct);
        }

        return sent;
    }

    private static async Task<int> UploadAsync(HttpClient http, string index, List<(string Id, string Text)> batch, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (id, text) in batch)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            form.Add(content, "files", $"load-{id}.txt");
        }

        foreach (var (id, _) in batch)
        {
            form.Add(new StringContent("load-" + id), "documentId");
        }

        using var response = await http.PostAsync(new Uri($"v1/indexes/{Uri.EscapeDataString(index)}/documents", UriKind.Relative), form, ct);
        response.EnsureSuccessStatusCode();
        var count = batch.Count;
        batch.Clear();
        return count;
    }
}
