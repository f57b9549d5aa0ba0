namespace RagService.Retrieval.Pipeline;

/// <summary>A candidate in the current order: its current score and the score fusion gave it.</summary>
internal sealed record Candidate(string ChunkId, double Score, double FusedScore)
{
    /// <summary>Candidates below a rescored head keep their order and get scores below the head's lowest.</summary>
    public static void AppendTail(List<Candidate> head, IEnumerable<Candidate> tail)
    {
        var floor = head.Count == 0 ? 0 : head[^1].Score;
        var step = 1e-3;
        foreach (var candidate in tail)
        {
            floor -= step;
            head.Add(candidate with { Score = floor });
        }
    }

    /// <summary>Moves the candidate to the front, scored just above the best; no change when it is absent.</summary>
    public static void KeepFirst(List<Candidate> ranked, string chunkId)
    {
        var at = ranked.FindIndex(c => string.Equals(c.ChunkId, chunkId, StringComparison.Ordinal));
        if (at <= 0)
        {
            return;
        }

        var anchor = ranked[at];
        ranked.RemoveAt(at);
        ranked.Insert(0, anchor with { Score = Math.Max(anchor.Score, ranked[0].Score + 1e-3) });
    }

    /// <summary>Best score first; equal scores by chunk id, so a ranking is reproducible.</summary>
    public static void SortBestFirst(List<Candidate> ranked) =>
        ranked.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : StringComparer.Ordinal.Compare(a.ChunkId, b.ChunkId));
}
