namespace RagService.Core.Search;

/// <summary>What one search stage did, for the trace: whether it changed anything and a short note.</summary>
public sealed record StageOutcome(bool Applied, string Detail)
{
    /// <summary>The stage did not run; <paramref name="why"/> says why ("off", "no reranker configured").</summary>
    public static StageOutcome Off(string why) => new(false, why);
}

/// <summary>
/// One stage of a search pipeline (query understanding, a retrieval leg, fusion, a reranker, hygiene …).
/// The pipeline runs its stages in the order its definition gives, times each one and records the
/// outcome as a <see cref="SearchTraceStep"/> named <see cref="Name"/>: a stage only does its work on the
/// search's context and says what it did.
/// </summary>
/// <typeparam name="TContext">The state one search carries from stage to stage.</typeparam>
public interface ISearchStage<in TContext>
{
    /// <summary>The stage's trace step name, e.g. "fusion" or "dedup".</summary>
    string Name { get; }

    Task<StageOutcome> RunAsync(TContext context, CancellationToken cancellationToken);
}
