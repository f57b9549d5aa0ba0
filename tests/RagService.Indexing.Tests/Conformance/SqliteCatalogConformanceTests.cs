using RagService.Core.Jobs;
using RagService.Indexing.Catalog;
using RagService.TestSupport.Conformance;

namespace RagService.Indexing.Tests.Conformance;

/// <summary>The job store suite against the SQLite catalog.</summary>
public sealed class SqliteJobStoreConformanceTests : JobStoreConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new("rag-catalog-");

    protected override IDocumentCatalog Open() => new SqliteDocumentCatalog(Path.Combine(_folder.Path, "catalog.db"));

    public void Dispose() => _folder.Dispose();
}

/// <summary>The chunk store suite against the SQLite catalog.</summary>
public sealed class SqliteChunkStoreConformanceTests : ChunkStoreConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new("rag-catalog-");

    protected override IDocumentCatalog Open() => new SqliteDocumentCatalog(Path.Combine(_folder.Path, "catalog.db"));

    public void Dispose() => _folder.Dispose();
}

/// <summary>The duplicate index suite against the SQLite catalog.</summary>
public sealed class SqliteDuplicateIndexConformanceTests : DuplicateIndexConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new("rag-catalog-");

    protected override IDocumentCatalog Open() => new SqliteDocumentCatalog(Path.Combine(_folder.Path, "catalog.db"));

    public void Dispose() => _folder.Dispose();
}
