using RagService.Core.Jobs;
using RagService.TestSupport.Conformance;

namespace RagService.Ingestion.Tests.Jobs;

/// <summary>The job store suite against the in-memory catalog the ingestion tests use.</summary>
public sealed class InMemoryJobStoreConformanceTests : JobStoreConformanceTests
{
    protected override IDocumentCatalog Open() => new InMemoryDocumentCatalog();
}

/// <summary>The chunk store suite against the in-memory catalog.</summary>
public sealed class InMemoryChunkStoreConformanceTests : ChunkStoreConformanceTests
{
    protected override IDocumentCatalog Open() => new InMemoryDocumentCatalog();
}

/// <summary>The duplicate index suite against the in-memory catalog.</summary>
public sealed class InMemoryDuplicateIndexConformanceTests : DuplicateIndexConformanceTests
{
    protected override IDocumentCatalog Open() => new InMemoryDocumentCatalog();
}
