using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Core.Answers;

namespace RagService.Evaluation.Answers;

/// <summary>A chunk as the documents endpoint lists it: what the scorer needs to judge a citation.</summary>
public sealed record RemoteChunk(string ChunkId, string DocumentId, string Text, IReadOnlyList<string> SectionPath, int PageStart, int PageEnd, string? DuplicateOf);

/// <summary>An answer as <c>/ask</c> returns it, with the time the client waited for it.</summary>
public sealed record RemoteAnswer(string Answer, bool NoAnswer, IReadOnlyList<Citation> Citations, string GeneratedBy, double ElapsedMs, double ClientMs);

/// <summary>
/// The REST calls the answer evaluation makes, exactly as any client of the service: create the index,
/// upload the files (multipart), wait for each to be ready, list a document's chunks, and ask.
/// </summary>
public sealed class AnswerApiClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task CreateIndexAsync(string index, CancellationToken ct)
    {
        using var response = await http.PutAsJsonAsync(Path(index), new { }, Json, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
    }

    public async Task UploadAsync(string index, IReadOnlyList<AnswerCorpusFile> files, CancellationToken ct)
    {
        using var form = new MultipartFormDataContent();
        foreach (var file in files)
        {
            var content = new ByteArrayContent(await File.ReadAllBytesAsync(file.Path, ct).ConfigureAwait(false));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "files", System.IO.Path.GetFileName(file.Path));
        }

        foreach (var file in files)
        {
            form.Add(new StringContent(file.DocumentId), "documentId");
        }

        using var response = await http.PostAsync(Path(index, "/documents"), form, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
    }

    /// <summary>Polls the document's status until it is ready; a failed document is an error (the set must ingest whole).</summary>
    public async Task WaitReadyAsync(string index, string documentId, CancellationToken ct)
    {
        while (true)
        {
            using var response = await http.GetAsync(Path(index, $"/documents/{Uri.EscapeDataString(documentId)}"), ct).ConfigureAwait(false);
            await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
            var status = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct).ConfigureAwait(false);
            switch (status.GetProperty("status").GetString())
            {
                case "ready":
                    return;
                case "failed":
                    throw new InvalidOperationException($"Document '{documentId}' failed to ingest: {status}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<RemoteChunk>> GetChunksAsync(string index, string documentId, CancellationToken ct)
    {
        using var response = await http.GetAsync(Path(index, $"/documents/{Uri.EscapeDataString(documentId)}/chunks"), ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        var list = await response.Content.ReadFromJsonAsync<ChunkList>(Json, ct).ConfigureAwait(false);
        return list?.Chunks ?? [];
    }

    public async Task<RemoteAnswer> AskAsync(string index, string question, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync(Path(index, "/ask"), new { question }, Json, ct).ConfigureAwait(false);
        await EnsureSuccessAsync(response, ct).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<AskBody>(Json, ct).ConfigureAwait(false)
            ?? throw new HttpRequestException("The ask endpoint returned an empty body.");
        return new RemoteAnswer(body.Answer, body.NoAnswer, body.Citations, body.GeneratedBy, body.ElapsedMs, clock.Elapsed.TotalMilliseconds);
    }

    private static Uri Path(string index, string rest = "") => new($"v1/indexes/{Uri.EscapeDataString(index)}{rest}", UriKind.Relative);

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri}: {detail}", null, response.StatusCode);
        }
    }

    private sealed record ChunkList(IReadOnlyList<RemoteChunk> Chunks);

    private sealed record AskBody(string Answer, bool NoAnswer, IReadOnlyList<Citation> Citations, string GeneratedBy, double ElapsedMs);
}
