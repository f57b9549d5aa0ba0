namespace RagService.Core.Jobs;

/// <summary>
/// The catalog of one index: its job store, chunk store and duplicate index, opened together on one
/// database (so that a version commit spans all three atomically) and closed together.
/// </summary>
public interface IDocumentCatalog : IDisposable
{
    IJobStore Jobs { get; }

    IChunkStore Chunks { get; }

    IDuplicateIndex Duplicates { get; }
}
