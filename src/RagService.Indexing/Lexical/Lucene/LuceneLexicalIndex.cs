using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using RagService.Core.Chunks;
using RagService.Core.Indexes;
using RagService.Indexing.Storage;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace RagService.Indexing.Lexical.Lucene;

/// <summary>
/// BM25 over chunk index texts in a Lucene index on disk. English text is stemmed (EnglishAnalyzer);
/// text with Chinese characters is also written to the Chinese fields (<see cref="ChineseAnalysis"/>: SmartCn
/// words, character bigrams or both, normalised for full-width and Traditional forms), because the
/// standard tokenizer would make every Han character its own term. Searches go through a
/// <see cref="SearcherManager"/> opened on the directory (not the writer), so they see only committed
/// data and a document's version swap becomes visible in one step.
/// </summary>
public sealed class LuceneLexicalIndex : ILexicalIndex, IIndexInventory
{
    public const string IdField = "id";
    public const string DocumentIdField = "doc_id";
    public const string VersionField = "version";
    public const string TagField = "tag";
    public const string TextField = "text";
    public const string ChineseTextField = ChineseAnalysis.WordField;

    /// <summary>One term per level of the chunk's section path: <see cref="SearchFilter.SectionKey"/> of that prefix.</summary>
    public const string SectionPrefixField = "section_prefix";

    /// <summary>The document date (Unix milliseconds, UTC) as a numeric field for range filters.</summary>
    public const string DocumentDateField = "doc_date";

    /// <summary>One term per principal of the chunk's document ACL (<c>user:alice</c>, <c>group:finance</c>, <c>tenant</c>).</summary>
    public const string AclField = "acl";

    /// <summary>Present on every chunk indexed with an ACL; a chunk without it predates ACLs and is visible to its tenant.</summary>
    public const string AclSetField = "acl_set";

    private const LuceneVersion Version = LuceneVersion.LUCENE_48;

    private static readonly ISet<string> IdOnly = new HashSet<string> { IdField };

    private readonly string _path;
    private readonly LuceneDirectory _directory;
    private readonly Analyzer _analyzer;
    private readonly IReadOnlyList<string> _chineseFields;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly System.Threading.Lock _commitGate = new();
    private bool _disposed;

    /// <param name="path">Folder of the index; created when missing, reopened when present.</param>
    public LuceneLexicalIndex(string path, LuceneLexicalIndexOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Options = options ?? new LuceneLexicalIndexOptions();
        if (BooleanQuery.MaxClauseCount < Options.MaxClauseCount)
        {
            BooleanQuery.MaxClauseCount = Options.MaxClauseCount;
        }

        _path = path;
        System.IO.Directory.CreateDirectory(path);
        _directory = FSDirectory.Open(path);
        _chineseFields = ChineseAnalysis.FieldsFor(Options.ChineseAnalyzer);
        _analyzer = new PerFieldAnalyzerWrapper(new EnglishAnalyzer(Version), ChineseAnalysis.Analyzers(Version));

        var similarity = new BM25Similarity(Options.K1, Options.B);
        var config = new IndexWriterConfig(Version, _analyzer)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            Similarity = similarity,
        };
        try
        {
            ThrowIfCommitPointLost(path, _directory);
            _writer = new IndexWriter(_directory, config);
        }
        catch
        {
            _analyzer.Dispose();
            _directory.Dispose();
            throw;
        }

        // The directory-based SearcherManager needs a commit point to open on.
        if (!DirectoryReader.IndexExists(_directory))
        {
            _writer.Commit();
        }

        _searchers = new SearcherManager(_directory, new Bm25SearcherFactory(similarity));
    }

    public LuceneLexicalIndexOptions Options { get; }

    /// <summary>Bytes of the index folder; files a concurrent commit deletes meanwhile count as zero.</summary>
    public long SizeOnDiskBytes => FolderSize.Of(_path);

    /// <summary>Chunks in the last commit: the searchers only ever see committed data.</summary>
    public long CommittedCount
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var searcher = _searchers.Acquire();
            try
            {
                return searcher.IndexReader.NumDocs;
            }
            finally
            {
                _searchers.Release(searcher);
            }
        }
    }

    public Task<IReadOnlyList<IndexEntry>> EntriesAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        var fields = new HashSet<string> { IdField, DocumentIdField, VersionField };
        var searcher = _searchers.Acquire();
        try
        {
            var reader = searcher.IndexReader;
            var liveDocs = MultiFields.GetLiveDocs(reader);
            var entries = new List<IndexEntry>(reader.NumDocs);
            for (var i = 0; i < reader.MaxDoc; i++)
            {
                if (liveDocs is not null && !liveDocs.Get(i))
                {
                    continue;
                }

                var doc = reader.Document(i, fields);
                var version = int.TryParse(doc.Get(VersionField), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (int?)null;
                entries.Add(new IndexEntry(doc.Get(IdField), doc.Get(DocumentIdField), version));
            }

            return Task.FromResult<IReadOnlyList<IndexEntry>>(entries);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>
    /// Segment files without a <c>segments_N</c> commit point are an index that lost its commit: opening a
    /// writer would start an empty index over them and serve "no hits" as if nothing were wrong.
    /// </summary>
    private static void ThrowIfCommitPointLost(string path, LuceneDirectory directory)
    {
        if (DirectoryReader.IndexExists(directory))
        {
            return;
        }

        var segmentFiles = directory.ListAll().Where(f => f.StartsWith('_')).ToList();
        if (segmentFiles.Count > 0)
        {
            throw new FileNotFoundException($"The BM25 index at '{path}' has {segmentFiles.Count} segment files but no commit point (segments_N is missing).");
        }
    }

    // Lucene.NET is synchronous: each call does its work inline and returns a completed task; the token is
    // honoured before the work starts (a buffered write is cheap, and a search cannot be interrupted).
    public Task ReplaceDocumentAsync(string documentId, int version, IReadOnlyList<Chunk> chunks, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(chunks);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        var versionText = version.ToString(CultureInfo.InvariantCulture);

        // A re-ingest of the same version replaces its earlier copy; buffered deletes only touch
        // documents added before them, so this must precede the adds.
        _writer.DeleteDocuments(DocumentVersionQuery(documentId, versionText, sameVersion: true));
        _writer.AddDocuments(chunks.Select(c => ToDocument(c, documentId, versionText)));
        _writer.DeleteDocuments(DocumentVersionQuery(documentId, versionText, sameVersion: false));
        return Task.CompletedTask;
    }

    public Task DeleteDocumentAsync(string documentId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        _writer.DeleteDocuments(new Term(DocumentIdField, documentId));
        return Task.CompletedTask;
    }

    public Task CommitAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        lock (_commitGate)
        {
            _writer.Commit();
            _searchers.MaybeRefreshBlocking();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScoredChunkId>> SearchAsync(string query, int topK, SearchFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(filter);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(Search(query, topK, filter));
    }

    private IReadOnlyList<ScoredChunkId> Search(string query, int topK, SearchFilter filter)
    {
        if (topK <= 0)
        {
            return [];
        }

        // A query with Chinese characters searches every Chinese field; their BM25 scores add up.
        IReadOnlyList<string> fields = ContainsHan(query) ? _chineseFields : [TextField];
        var textQuery = new BooleanQuery();
        foreach (var field in fields)
        {
            AddFieldClauses(textQuery, field, query);
        }

        if (textQuery.Clauses.Count == 0)
        {
            return [];
        }

        var searcher = _searchers.Acquire();
        try
        {
            var hits = searcher.Search(textQuery, ToLuceneFilter(filter), topK);
            var results = new List<ScoredChunkId>(hits.ScoreDocs.Length);
            foreach (var hit in hits.ScoreDocs)
            {
                var id = searcher.Doc(hit.Doc, IdOnly).Get(IdField);
                results.Add(new ScoredChunkId(id, hit.Score));
            }

            return results;
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    public Task<QueryTermStatistics> TermStatisticsAsync(string query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        IReadOnlyList<string> fields = ContainsHan(query) ? _chineseFields : [TextField];
        var searcher = _searchers.Acquire();
        try
        {
            var reader = searcher.IndexReader;
            var terms = new List<QueryTermFrequency>();
            foreach (var field in fields)
            {
                foreach (var (surface, term) in AnalyzeWithSurface(field, query))
                {
                    terms.Add(new QueryTermFrequency(surface, term, reader.DocFreq(new Term(field, term))));
                }
            }

            return Task.FromResult(new QueryTermStatistics(terms, reader.NumDocs));
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>The query's terms in one field, and its quoted phrases as phrase queries (the bag of words still ranks everything else).</summary>
    private void AddFieldClauses(BooleanQuery textQuery, string field, string query)
    {
        foreach (var term in Analyze(field, query))
        {
            textQuery.Add(new TermQuery(new Term(field, term)), Occur.SHOULD);
        }

        foreach (var phrase in QuotedPhrases(query))
        {
            var words = Analyze(field, phrase, distinct: false);
            if (words.Count > 1)
            {
                var phraseQuery = new PhraseQuery { Boost = Options.PhraseBoost };
                foreach (var word in words)
                {
                    phraseQuery.Add(new Term(field, word));
                }

                textQuery.Add(phraseQuery, Occur.SHOULD);
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _searchers.Dispose();

        // Uncommitted changes are dropped on purpose: only Commit publishes.
        _writer.Rollback();
        _writer.Dispose();
        _analyzer.Dispose();
        _directory.Dispose();
    }

    /// <summary>True for Han ideographs (CJK Unified, Extension A, compatibility, and the supplementary planes).</summary>
    public static bool ContainsHan(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            int c = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                c = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            if (c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF or >= 0x20000 and <= 0x3134F)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Text between straight or curly double quotes, or Chinese corner brackets.</summary>
    private static IEnumerable<string> QuotedPhrases(string query)
    {
        var open = -1;
        for (var i = 0; i < query.Length; i++)
        {
            if (query[i] is '"' or '“' or '”' or '「' or '」' or '『' or '』')
            {
                if (open < 0)
                {
                    open = i;
                }
                else
                {
                    if (i - open > 1)
                    {
                        yield return query[(open + 1)..i];
                    }

                    open = -1;
                }
            }
        }
    }

    private static Query DocumentVersionQuery(string documentId, string version, bool sameVersion) => new BooleanQuery
    {
        { new TermQuery(new Term(DocumentIdField, documentId)), Occur.MUST },
        { new TermQuery(new Term(VersionField, version)), sameVersion ? Occur.MUST : Occur.MUST_NOT },
    };

    /// <summary>
    /// Lucene 4.8 has no FILTER occur; a <see cref="QueryWrapperFilter"/> passed to the search restricts
    /// matches before ranking and truncation and adds nothing to the score, which is what FILTER does.
    /// </summary>
    private static Filter? ToLuceneFilter(SearchFilter filter)
    {
        if (filter.IsEmpty)
        {
            return null;
        }

        var conditions = new BooleanQuery();
        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            var anyDocument = new BooleanQuery();
            foreach (var id in ids.Distinct(StringComparer.Ordinal))
            {
                anyDocument.Add(new TermQuery(new Term(DocumentIdField, id)), Occur.SHOULD);
            }

            conditions.Add(anyDocument, Occur.MUST);
        }

        if (filter.Tags is { Count: > 0 } tags)
        {
            foreach (var (key, value) in tags)
            {
                conditions.Add(new TermQuery(new Term(TagField, TagTerm(key, value))), Occur.MUST);
            }
        }

        // Chunks indexed before these fields existed have neither term: a section or date filter excludes
        // them until their document is re-ingested (see README, "Filters").
        if (filter.SectionPathPrefix is { Count: > 0 } prefix)
        {
            conditions.Add(new TermQuery(new Term(SectionPrefixField, SearchFilter.SectionKey(prefix))), Occur.MUST);
        }

        if (filter.Principals is { } principals)
        {
            conditions.Add(AclCondition(principals), Occur.MUST);
        }

        if (filter.HasDateRange)
        {
            long? min = filter.ModifiedAfter?.ToUnixTimeMilliseconds();
            long? max = filter.ModifiedBefore?.ToUnixTimeMilliseconds();
            conditions.Add(NumericRangeQuery.NewInt64Range(DocumentDateField, min, max, minInclusive: true, maxInclusive: false), Occur.MUST);
        }

        return new QueryWrapperFilter(conditions);
    }

    private static string TagTerm(string key, string value) => key + "=" + value;

    /// <summary>The chunk's ACL holds one of the principals; a chunk indexed without an ACL counts as <c>tenant</c>.</summary>
    private static BooleanQuery AclCondition(IReadOnlySet<string> principals)
    {
        var any = new BooleanQuery();
        foreach (var principal in principals)
        {
            any.Add(new TermQuery(new Term(AclField, principal)), Occur.SHOULD);
        }

        if (principals.Contains(Core.Security.AccessScope.TenantPrincipal))
        {
            any.Add(new BooleanQuery
            {
                { new MatchAllDocsQuery(), Occur.MUST },
                { new TermQuery(new Term(AclSetField, "1")), Occur.MUST_NOT },
            }, Occur.SHOULD);
        }

        return any;
    }

    private Document ToDocument(Chunk chunk, string documentId, string version)
    {
        if (!string.Equals(chunk.DocumentId, documentId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Chunk {chunk.Id} belongs to document '{chunk.DocumentId}', not '{documentId}'.", nameof(chunk));
        }

        var document = new Document
        {
            new StringField(IdField, chunk.Id, Field.Store.YES),
            new StringField(DocumentIdField, documentId, Field.Store.YES),
            new StringField(VersionField, version, Field.Store.YES),
            new TextField(TextField, chunk.IndexText, Field.Store.NO),
        };
        foreach (var (key, value) in chunk.Tags)
        {
            document.Add(new StringField(TagField, TagTerm(key, value), Field.Store.YES));
        }

        document.Add(new StringField(AclSetField, "1", Field.Store.NO));
        foreach (var principal in chunk.Acl)
        {
            document.Add(new StringField(AclField, principal, Field.Store.NO));
        }

        for (var level = 1; level <= chunk.SectionPath.Count; level++)
        {
            document.Add(new StringField(SectionPrefixField, SearchFilter.SectionKey(chunk.SectionPath.Take(level)), Field.Store.NO));
        }

        if ((chunk.DocumentDate ?? SearchFilter.DateTag(chunk.Tags)) is { } date)
        {
            document.Add(new Int64Field(DocumentDateField, date.ToUnixTimeMilliseconds(), Field.Store.NO));
        }

        if (ContainsHan(chunk.IndexText))
        {
            foreach (var field in _chineseFields)
            {
                document.Add(new TextField(field, chunk.IndexText, Field.Store.NO));
            }
        }

        return document;
    }

    /// <summary>Analyzed, de-duplicated terms; user text never reaches a query parser, so no syntax can throw.</summary>
    private List<string> Analyze(string field, string text, bool distinct = true)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var stream = _analyzer.GetTokenStream(field, new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var value = term.ToString();
            if (value.Length > 0 && (!distinct || seen.Add(value)))
            {
                terms.Add(value);
            }
        }

        stream.End();
        return terms;
    }

    /// <summary>Distinct analysed terms, each with the stretch of the text it came from (the token's offsets).</summary>
    private List<(string Surface, string Term)> AnalyzeWithSurface(string field, string text)
    {
        var terms = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var stream = _analyzer.GetTokenStream(field, new StringReader(text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            var value = term.ToString();
            var start = Math.Clamp(offset.StartOffset, 0, text.Length);
            var end = Math.Clamp(offset.EndOffset, start, text.Length);
            if (value.Length > 0 && end > start && seen.Add(value))
            {
                terms.Add((text[start..end], value));
            }
        }

        stream.End();
        return terms;
    }

    /// <summary>Searchers must score with the same BM25 parameters the writer stored norms for.</summary>
    private sealed class Bm25SearcherFactory(Similarity similarity) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = similarity };
    }
}
