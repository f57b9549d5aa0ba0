namespace RagService.Generation.Text;

/// <summary>
/// What kind of answer a question wants, by its wording alone (English and Chinese): a quantity
/// ("how much", "how many", "how long", "how often", "多少", "多久", "几"). Used to prefer the unit that
/// states a number over a neighbour that only talks about the same topic.
/// </summary>
public static class QuestionShapes
{
    private static readonly string[] EnglishQuantity = ["how much", "how many", "how long", "how often", "how far", "how soon", "how quickly", "what percentage", "what share", "what rate"];

    private static readonly string[] ChineseQuantity = ["多少", "多久", "几", "多长", "多大", "多高"];

    private const string ChineseNumerals = "〇一二三四五六七八九十百千万亿两";

    public static bool AsksForQuantity(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var lower = question.ToLowerInvariant();
        return EnglishQuantity.Any(p => lower.Contains(p, StringComparison.Ordinal)) || ChineseQuantity.Any(p => question.Contains(p, StringComparison.Ordinal));
    }

    /// <summary>True when the text holds a digit or a Chinese numeral.</summary>
    public static bool StatesQuantity(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Any(c => char.IsDigit(c) || ChineseNumerals.Contains(c));
    }
}
