using RagService.Core.Indexes;
using RagService.TestSupport.Conformance;

namespace RagService.Retrieval.Tests.InMemory;

/// <summary>The lexical index suite against the in-memory fake the retrieval tests use.</summary>
public sealed class InMemoryLexicalIndexConformanceTests : LexicalIndexConformanceTests
{
    protected override ILexicalIndex Open() => new InMemoryLexicalIndex([]);
}

/// <summary>The vector index suite against the in-memory fake the retrieval tests use.</summary>
public sealed class InMemoryVectorIndexConformanceTests : VectorIndexConformanceTests
{
    protected override IVectorIndex Open(int dimensions) => new InMemoryVectorIndex(dimensions);
}
