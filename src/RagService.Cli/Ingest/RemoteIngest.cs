using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using RagService.Api.Contracts;
using RagService.Api.Endpoints;

namespace RagService.Cli.Ingest;

/// <summary>How a batch goes up to the service.</summary>
public sealed record RemoteIngestSettings
{
    /// <summary>Upload requests in flight at once (and files hashed at once).</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>Files read from the walk, hashed and asked about (one hashes request) at a time: the most paths held in memory.</summary>
    public int HashBatch { get; init; } = 1000;

    /// <summary>Most files in one multipart upload; a small file costs one part, not one request.</summary>
    public int FilesPerRequest { get; init; } = 32;

    /// <summary>Most bytes in one upload (a larger file goes alone).</summary>
    public long BytesPerRequest { get; init; } = 16L * 1024 * 1024;

    /// <summary>How often the index's counts by state are asked for while the batch runs.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>A document of the batch that did not become searchable, and why.</summary>
public sealed record IngestFailure(string DocumentId, string FileName, string Step, string Error);

/// <summary>Where a batch stands: the files seen, sent and skipped so far, and the index's documents by state (null before the first poll).</summary>
public sealed record RemoteIngestProgress(int Found, int Uploaded, int Unchanged, int Unreadable, DocumentCountsDto? Index);

/// <summary>The end of a batch: how many files were sent and skipped, how many of its documents are ready, and every failure.</summary>
public sealed record RemoteIngestResult(int Found, int Uploaded, int Unchanged, int Ready, IReadOnlyList<IngestFailure> Failures);

/// <summary>
/// <c>rag ingest --url</c>: a batch of files into an index of a running service, resumable and in bounded memory.
/// The walk is read <see cref="RemoteIngestSettings.HashBatch"/> files at a time; each file's SHA-256 is computed
/// from disk and the batch's hashes asked from the service in one request (<c>POST …/documents/hashes</c>), so a
/// file whose bytes the index already holds is not sent again (an interrupted run, run again, sends only what
/// never arrived). The rest goes up in multipart requests of a few files, <see cref="RemoteIngestSettings.Parallel"/>
/// at a time, through a bounded queue (the walk waits for the uploads). Progress comes from the index's counts by
/// state (<c>GET /v1/indexes/{index}</c>), never from paging statuses; the batch ends when nothing in the index is
/// queued or processing. Its failures are then read in bulk, by hash, with their step and reason. Only the
/// batch's hashes are kept to the end (64 characters a file).
/// </summary>
public sealed class RemoteIngest(HttpClient http, string index, IReadOnlyDictionary<string, string> tags, RemoteIngestSettings settings, Func<string, string> documentIdOf)
{
    private readonly string _documents = $"v1/indexes/{Uri.EscapeDataString(index)}/documents";
    private readonly HashSet<string> _hashes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IngestFailure> _clientFailures = new(StringComparer.Ordinal);
    private DocumentCountsDto? _counts;
    private int _found;
    private int _uploaded;
    private int _unchanged;
    private int _unreadable;

    private sealed record HashedFile(string Path, string DocumentId, string Hash, long Size);

    public async Task<RemoteIngestResult> RunAsync(IEnumerable<string> files, IProgress<RemoteIngestProgress>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        await RemoteService.EnsureIndexAsync(http, index, ct);

        var queue = Channel.CreateBounded<List<HashedFile>>(new BoundedChannelOptions(Math.Max(1, settings.Parallel) * 2) { SingleWriter = true });
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var poller = PollWhileUploadingAsync(progress, run.Token);
        var producer = Task.Run(async () =>
        {
            try
            {
                await ProduceAsync(files, queue.Writer, progress, run.Token);
                queue.Writer.TryComplete();
            }
            catch (Exception e)
            {
                queue.Writer.TryComplete(e);
                throw;
            }
        }, run.Token);
        var uploaders = Enumerable.Range(0, Math.Max(1, settings.Parallel)).Select(_ => Task.Run(async () =>
        {
            await foreach (var group in queue.Reader.ReadAllAsync(run.Token))
            {
                await UploadAsync(group, run.Token);
                progress?.Report(Snapshot());
            }
        }, run.Token)).ToList();

        var sending = Task.WhenAll([producer, .. uploaders]);
        try
        {
            await sending;
        }
        catch
        {
            // One failure stops the batch; the cause is the first exception that is not the others' cancellation.
            await run.CancelAsync();
            await Task.WhenAll(uploaders.Append(producer).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
            if (!ct.IsCancellationRequested && sending.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException) is { } cause)
            {
                ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
        finally
        {
            await run.CancelAsync();
            await poller.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        await WaitUntilSettledAsync(progress, ct);
        return await ResultAsync(ct);
    }

    private RemoteIngestProgress Snapshot() => new(_found, _uploaded, _unchanged, _unreadable, _counts);

    /// <summary>Walks, hashes and asks: the files the index does not hold go to the upload queue in groups.</summary>
    private async Task ProduceAsync(IEnumerable<string> files, ChannelWriter<List<HashedFile>> queue, IProgress<RemoteIngestProgress>? progress, CancellationToken ct)
    {
        foreach (var slice in files.Chunk(Math.Clamp(settings.HashBatch, 1, DocumentsApi.MaxHashesPerQuery)))
        {
            Interlocked.Add(ref _found, slice.Length);
            var hashed = new HashedFile?[slice.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, slice.Length), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.Parallel), CancellationToken = ct }, async (i, token) =>
            {
                hashed[i] = await HashAsync(slice[i], token);
            });

            var present = hashed.OfType<HashedFile>().ToList();
            var known = await KnownAsync(present.Select(f => f.Hash).Distinct(StringComparer.Ordinal).ToList(), ct);
            var group = new List<HashedFile>();
            long groupBytes = 0;
            foreach (var file in present)
            {
                _hashes.Add(file.Hash);
                if (known.ContainsKey(file.Hash))
                {
                    Interlocked.Increment(ref _unchanged);
                    continue;
                }

                if (group.Count > 0 && (group.Count >= settings.FilesPerRequest || groupBytes + file.Size > settings.BytesPerRequest))
                {
                    await queue.WriteAsync(group, ct);
                    group = [];
                    groupBytes = 0;
                }

                group.Add(file);
                groupBytes += file.Size;
            }

            if (group.Count > 0)
            {
                await queue.WriteAsync(group, ct);
            }

            progress?.Report(Snapshot());
        }
    }

    /// <summary>The file's SHA-256 from disk, or null (recorded as a failure at step "read") when it cannot be read.</summary>
    private async Task<HashedFile?> HashAsync(string path, CancellationToken ct)
    {
        var documentId = documentIdOf(path);
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
            return new HashedFile(path, documentId, hash, stream.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _unreadable);
            _clientFailures[documentId] = new IngestFailure(documentId, Path.GetFileName(path), "read", e.Message);
            return null;
        }
    }

    /// <summary>Which of the hashes the index already holds (hash to its document), in requests of at most the route's limit.</summary>
    private async Task<Dictionary<string, List<KnownContent>>> KnownAsync(IReadOnlyList<string> hashes, CancellationToken ct)
    {
        var known = new Dictionary<string, List<KnownContent>>(StringComparer.Ordinal);
        foreach (var slice in hashes.Chunk(DocumentsApi.MaxHashesPerQuery))
        {
            using var response = await RemoteService.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Post, _documents + "/hashes")
            {
                Content = JsonContent.Create(new ContentHashQuery { Hashes = slice }),
            }, ct);
            var answer = (await RemoteService.ReadAsync(response, ct)).Deserialize<ContentHashAnswer>(RemoteJson.Options)!;
            foreach (var entry in answer.Known)
            {
                (known.TryGetValue(entry.ContentHash, out var list) ? list : known[entry.ContentHash] = []).Add(entry);
            }
        }

        return known;
    }

    /// <summary>
    /// One multipart request for the group. A refusal of the whole request (400, 413) fails its files with the
    /// service's reason; a file the service admitted as failed (over the size limit) is a failure at once.
    /// </summary>
    private async Task UploadAsync(List<HashedFile> group, CancellationToken ct)
    {
        using var response = await RemoteService.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Post, _documents + "/") { Content = Form(group) }, ct);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge)
        {
            var reason = await ProblemDetailAsync(response, ct);
            foreach (var file in group)
            {
                _clientFailures[file.DocumentId] = new IngestFailure(file.DocumentId, Path.GetFileName(file.Path), "upload", reason);
            }

            return;
        }

        var accepted = (await RemoteService.ReadAsync(response, ct)).Deserialize<UploadResponse>(RemoteJson.Options)!;
        foreach (var document in accepted.Documents.Where(d => d.Status.Status == "failed"))
        {
            _clientFailures[document.DocumentId] = new IngestFailure(document.DocumentId, document.Status.FileName, document.Status.FailedStep ?? "upload", document.Status.Error ?? "");
        }

        Interlocked.Add(ref _uploaded, group.Count);
    }

    private MultipartFormDataContent Form(List<HashedFile> group)
    {
        var form = new MultipartFormDataContent();
        foreach (var file in group)
        {
            // Opened when the request is built and closed with it: at most one group's files are open per upload.
            var content = new StreamContent(new FileStream(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, "files", Path.GetFileName(file.Path));
        }

        foreach (var file in group)
        {
            form.Add(new StringContent(file.DocumentId), "documentId");
        }

        foreach (var (key, value) in tags)
        {
            form.Add(new StringContent($"{key}:{value}"), "tags");
        }

        return form;
    }

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            return JsonDocument.Parse(text).RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            return $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
    }

    private async Task<DocumentCountsDto> CountsAsync(CancellationToken ct)
    {
        using var response = await RemoteService.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Get, $"v1/indexes/{Uri.EscapeDataString(index)}"), ct);
        var info = await RemoteService.ReadAsync(response, ct);
        return info.GetProperty("documents").Deserialize<DocumentCountsDto>(RemoteJson.Options)!;
    }

    /// <summary>The index's counts while the files go up, for the progress display; a failed poll is skipped (the uploads report real trouble).</summary>
    private async Task PollWhileUploadingAsync(IProgress<RemoteIngestProgress>? progress, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                _counts = await CountsAsync(ct);
                progress?.Report(Snapshot());
            }
            catch (HttpRequestException)
            {
                // The next poll tries again.
            }

            await Task.Delay(settings.PollInterval, ct);
        }
    }

    /// <summary>Polls the counts until nothing in the index is queued or processing: every document of the batch is ready or failed.</summary>
    private async Task WaitUntilSettledAsync(IProgress<RemoteIngestProgress>? progress, CancellationToken ct)
    {
        while (true)
        {
            _counts = await CountsAsync(ct);
            progress?.Report(Snapshot());
            if (_counts.Queued + _counts.Processing == 0)
            {
                return;
            }

            await Task.Delay(settings.PollInterval, ct);
        }
    }

    /// <summary>The batch's documents by hash, in bulk: how many are ready, and each failure with its step and reason.</summary>
    private async Task<RemoteIngestResult> ResultAsync(CancellationToken ct)
    {
        var ready = new HashSet<string>(StringComparer.Ordinal);
        var failures = new Dictionary<string, IngestFailure>(_clientFailures, StringComparer.Ordinal);
        foreach (var entry in (await KnownAsync([.. _hashes], ct)).Values.SelectMany(v => v))
        {
            if (entry.Status == "ready")
            {
                ready.Add(entry.DocumentId);
            }
            else if (entry.Status == "failed")
            {
                failures.TryAdd(entry.DocumentId, new IngestFailure(entry.DocumentId, entry.FileName ?? "", entry.FailedStep ?? "", entry.Error ?? ""));
            }
        }

        return new RemoteIngestResult(_found, _uploaded, _unchanged, ready.Count, [.. failures.Values.OrderBy(f => f.DocumentId, StringComparer.Ordinal)]);
    }
}

/// <summary>The service's JSON: camelCase names, as <c>System.Text.Json</c>'s web defaults.</summary>
internal static class RemoteJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
