using System.Text.RegularExpressions;

namespace RagService.Ingestion.Parsing;

/// <summary>
/// A heading that opens with a section number ("4 Accommodation", "2.1 Scope", "IV. Costs", "第三章 总则") is a
/// section of a larger document, never that document's title, even when it is the only top-level heading
/// (a single page of a policy). A year ("2024 Annual Report") is not a section number.
/// </summary>
public static partial class NumberedHeading
{
    public static bool IsNumbered(string text) => Number().IsMatch(text);

    [GeneratedRegex(@"^\s*(?:\d{1,2}(?:\.\d{1,2}){0,4}\.?|[IVX]{1,5}\.|第[一二三四五六七八九十百\d]{1,4}[章节条部分])\s+\S")]
    private static partial Regex Number();
}
