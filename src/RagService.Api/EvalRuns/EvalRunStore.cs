using System.Text.Json;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Hosting;

namespace RagService.Api.EvalRuns;

/// <summary>
/// The retrieval evaluation runs <c>rag eval</c> wrote into the runs folder (<c>Rag:Evaluation:RunsDirectory</c>; a
/// relative path resolves against the working directory, as <c>Rag:DataDirectory</c> and <c>rag eval</c>'s own do), read for <c>/v1/eval/runs</c>. A run is <c>{name}.json</c> directly in that
/// folder; a name is a plain file name (letters, digits, '.', '-', '_', not starting with '.'), so no name reaches
/// outside the folder, and the resolved path is checked to lie in it besides. A file that is not a run is listed
/// with its reason and fails only its own requests. Parsed runs are cached by path, size and write time.
/// </summary>
public sealed class EvalRunStore(IOptions<RagOptions> options, ILogger<EvalRunStore> logger)
{
    /// <summary>Largest run file read (an ablation over thousands of queries is a few MB).</summary>
    public const long MaxRunBytes = 64L * 1024 * 1024;

    /// <summary>Parsed runs kept in memory for paging through a drill-down.</summary>
    private const int RunsCached = 4;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string, (FileStamp Stamp, EvalRunSummaryDto Summary)> _summaries = new(StringComparer.Ordinal);
    private readonly LinkedList<(FileStamp Stamp, EvalRunFile Run)> _runs = new();
    private readonly Lock _lock = new();

    /// <summary>The runs folder, resolved.</summary>
    public string Directory => Path.GetFullPath(options.Value.Evaluation.RunsDirectory);

    /// <summary>Whether <paramref name="name"/> can name a run: a plain file name, nothing that leaves the folder.</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 200 } && name[0] != '.' && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>Every run in the folder, newest first (by the run's own time, then name); empty when the folder does not exist.</summary>
    public IReadOnlyList<EvalRunSummaryDto> List()
    {
        var folder = Directory;
        if (!System.IO.Directory.Exists(folder))
        {
            return [];
        }

        var summaries = new List<EvalRunSummaryDto>();
        foreach (var path in System.IO.Directory.EnumerateFiles(folder, "*.json"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (IsValidName(name))
            {
                summaries.Add(Summary(name, path));
            }
        }

        return summaries.OrderByDescending(s => s.At ?? DateTimeOffset.MinValue).ThenByDescending(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The run called <paramref name="name"/>; null when there is none. Throws <see cref="EvalRunException"/> when its file is not a readable run.</summary>
    public EvalRunFile? Find(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a run name.", nameof(name));
        }

        var folder = Directory;
        var path = Path.GetFullPath(Path.Combine(folder, name + ".json"));
        if (!string.Equals(Path.GetDirectoryName(path), folder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal) || !File.Exists(path))
        {
            return null;
        }

        var stamp = FileStamp.Of(path);
        lock (_lock)
        {
            for (var node = _runs.First; node is not null; node = node.Next)
            {
                if (node.Value.Stamp == stamp)
                {
                    _runs.Remove(node);
                    _runs.AddFirst(node);
                    return node.Value.Run;
                }
            }
        }

        var run = Read(path, stamp);
        lock (_lock)
        {
            _runs.AddFirst((stamp, run));
            while (_runs.Count > RunsCached)
            {
                _runs.RemoveLast();
            }
        }

        return run;
    }

    private EvalRunSummaryDto Summary(string name, string path)
    {
        var stamp = FileStamp.Of(path);
        lock (_lock)
        {
            if (_summaries.TryGetValue(path, out var cached) && cached.Stamp == stamp)
            {
                return cached.Summary;
            }
        }

        EvalRunSummaryDto summary;
        try
        {
            var run = Read(path, stamp);
            var best = run.Modes.Select(m => (m.Mode, Ndcg: m.At(10)?.Ndcg)).Where(m => m.Ndcg is not null).MaxBy(m => m.Ndcg);
            summary = new EvalRunSummaryDto(name, run.Dataset, run.Split, run.Queries, run.EmbeddingModel, run.At, run.Modes.Count,
                best.Mode, best.Ndcg, run.Modes.Count > 0 && run.Modes.All(m => m.PerQuery is not null), null);
        }
        catch (EvalRunException e)
        {
            summary = new EvalRunSummaryDto(name, null, null, 0, null, null, 0, null, null, false, e.Message);
        }

        lock (_lock)
        {
            _summaries[path] = (stamp, summary);
        }

        return summary;
    }

    private EvalRunFile Read(string path, FileStamp stamp)
    {
        if (stamp.Length > MaxRunBytes)
        {
            throw Unreadable(path, $"it is {stamp.Length} bytes, more than the {MaxRunBytes} read");
        }

        EvalRunFile? run;
        try
        {
            using var stream = File.OpenRead(path);
            run = JsonSerializer.Deserialize<EvalRunFile>(stream, Json);
        }
        catch (JsonException e)
        {
            throw Unreadable(path, $"it is not a run's JSON ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, e.Message);
        }

        if (run?.Modes is null || run.Dataset is null || run.Modes.Any(m => m.Mode is null || m.Metrics?.Metrics is null || m.Latency is null))
        {
            throw Unreadable(path, "it has no dataset, or a row without mode, metrics or latency (not written by rag eval)");
        }

        return run;
    }

    private EvalRunException Unreadable(string path, string reason)
    {
        logger.LogWarning("Evaluation run {Path} cannot be read: {Reason}", path, reason);
        return new EvalRunException($"The file {Path.GetFileName(path)} cannot be read as a run: {reason}.");
    }

    private readonly record struct FileStamp(string Path, long Length, DateTime Written)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return new FileStamp(path, info.Exists ? info.Length : -1, info.Exists ? info.LastWriteTimeUtc : default);
        }
    }
}

/// <summary>A run file that is not a readable run (the reason says why).</summary>
public sealed class EvalRunException(string message) : Exception(message);

/// <summary>
/// The part of <c>rag eval</c>'s JSON report (<c>RagService.Evaluation.Retrieval.EvalReport</c>, which this project
/// cannot reference: Evaluation references the API) that the runs routes show. Property names are the report's;
/// <c>EvaluationApiTests</c> writes a run with the real writer and reads it back through the routes.
/// </summary>
public sealed record EvalRunFile(
    string? Dataset, string? DatasetPath, string? Split, int Queries, string? Index, string? EmbeddingModel, int ChunkMaxTokens,
    bool ContextualHeader, string? Transport, long Vectors, long IndexBytes, IReadOnlyList<EvalRunFileMode> Modes, DateTimeOffset At, int Cores,
    IReadOnlyDictionary<string, string>? QueryTexts);

/// <summary>A row of the report.</summary>
public sealed record EvalRunFileMode(string Mode, EvalRunFileMetrics Metrics, EvalLatencyDto Latency, IReadOnlyDictionary<string, string>? Settings, IReadOnlyList<EvalRunFileQuery>? PerQuery)
{
    public EvalCutoffDto? At(int k) => Metrics.Metrics.FirstOrDefault(m => m.K == k);
}

/// <summary>A row's means (<c>RetrievalEvaluation</c>).</summary>
public sealed record EvalRunFileMetrics(int QueryCount, IReadOnlyList<EvalCutoffDto> Metrics);

/// <summary>A query's outcome in a row (<c>QueryOutcome</c>).</summary>
public sealed record EvalRunFileQuery(string Id, double Ndcg10, double ReciprocalRank10, int Retrieved, IReadOnlyList<EvalRunFileRelevant>? Relevant, IReadOnlyList<string>? Top);

/// <summary>A relevant document and its rank (<c>RelevantRank</c>).</summary>
public sealed record EvalRunFileRelevant(string DocumentId, int Grade, int? Rank);
