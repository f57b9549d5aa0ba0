using RagService.Indexing;
using RagService.Indexing.Lexical.Lucene;
using RagService.Indexing.Vectors.Embedded;

namespace RagService.Api.Hosting;

/// <summary>The embedded defaults: Lucene BM25 and a USearch HNSW index, both on local disk.</summary>
public static class EmbeddedBackends
{
    public static IndexBackends Create(LuceneLexicalIndexOptions? lexical = null) => new(
        folder => new LuceneLexicalIndex(folder, lexical),
        (folder, dimensions) => new USearchVectorIndex(folder, new USearchVectorIndexOptions { Dimensions = dimensions }));
}
