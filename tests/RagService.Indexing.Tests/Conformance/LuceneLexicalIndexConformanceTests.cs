using RagService.Core.Indexes;
using RagService.Indexing.Lexical.Lucene;
using RagService.TestSupport.Conformance;

namespace RagService.Indexing.Tests.Conformance;

/// <summary>The lexical index suite against the Lucene BM25 index on disk.</summary>
public sealed class LuceneLexicalIndexConformanceTests : LexicalIndexConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new("rag-lucene-");

    protected override ILexicalIndex Open() => new LuceneLexicalIndex(_folder.Path);

    public void Dispose() => _folder.Dispose();
}
