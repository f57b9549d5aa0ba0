namespace RagService.Retrieval.QueryUnderstanding;

/// <summary>What a query looks like, as far as retrieval cares: decides routing and boosts.</summary>
public enum QueryIntent
{
    /// <summary>A few content words and no question form ("backup retention policy").</summary>
    Keyword,

    /// <summary>Contains an identifier: a ticket, part, standard or version number ("RFC 7807", "INC-20431").</summary>
    Identifier,

    /// <summary>Looks like source code or a path ("HttpClient.SendAsync()", "/etc/hosts").</summary>
    Code,

    /// <summary>An open "how / why / what" question.</summary>
    Question,

    /// <summary>A sentence that is not a question (a claim, a description).</summary>
    Statement,
}

/// <summary>The result of query understanding; reported in the trace.</summary>
/// <param name="Text">The normalised query (whitespace collapsed, Unicode NFKC).</param>
/// <param name="Language">The detected language code (<see cref="RagService.Core.Text.LanguageDetector"/>): "en", "zh", a mixed "zh-en" ….</param>
/// <param name="Phrases">Quoted phrases, searched as phrase queries by the lexical index.</param>
/// <param name="SectionReferences">Section numbers or chapter numbers named in the query ("3.1", "2").</param>
/// <param name="Intent">The query's intent, which routing turns into fusion weights.</param>
/// <param name="WordCount">Words (or, for Chinese, Han characters / 2) in the query.</param>
public sealed record QueryAnalysis(
    string Text,
    string Language,
    IReadOnlyList<string> Phrases,
    IReadOnlyList<string> SectionReferences,
    QueryIntent Intent,
    int WordCount)
{
    /// <summary>A date range named in the query ("since March 2024", "2024年3月"), or null; see <see cref="DateHints"/>.</summary>
    public DateHint? Date { get; init; }

    public static QueryAnalysis Plain(string text) => new(text, "en", [], [], QueryIntent.Statement, 0);
}
