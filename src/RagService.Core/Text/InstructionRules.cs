using System.Text.RegularExpressions;

namespace RagService.Core.Text;

/// <summary>
/// The documented rule set that flags text trying to change the rules of the model that reads it
/// (prompt injection). Ingestion runs it over every chunk and records the names of the rules that match
/// in <see cref="Chunks.Chunk.Flags"/> (as <c>instructions:&lt;rule&gt;</c>); the flags travel with the chunk
/// into search results and the ask trace, and the LLM prompt marks a flagged source. Flagging never drops
/// or rewrites text: a security policy may quote an attack on purpose, and retrieval must still find it.
/// The rules, each case-insensitive:
/// <list type="bullet">
/// <item><c>ignore-previous</c>: "ignore / disregard / forget / override (all) (the) previous / prior / above / earlier / system instructions / rules / prompts", and the Chinese "忽略/无视/忘记 (之前/以上/前面/所有)…指令/规则/提示".</item>
/// <item><c>role-change</c>: "you are now …", "from now on you …", "act as …", "pretend to be …", "你现在是".</item>
/// <item><c>fake-role</c>: a line opening with "system:", "assistant:", "developer:", or chat-template tokens ("&lt;|im_start|&gt;", "[INST]", "&lt;system&gt;", "### system").</item>
/// <item><c>fake-delimiter</c>: runs of three or more angle brackets ("&lt;&lt;&lt;", "&gt;&gt;&gt;"), "BEGIN/END SOURCE", "END OF SOURCES", "--- end of document".</item>
/// <item><c>output-control</c>: "reply / respond / answer only with …", "do not cite", "always cite [n]", "CANNOT_ANSWER", "reveal / print your (system) prompt".</item>
/// </list>
/// </summary>
public static partial class InstructionRules
{
    /// <summary>The prefix of every flag these rules raise.</summary>
    public const string FlagPrefix = "instructions:";

    private static readonly (string Name, Regex Pattern)[] Rules =
    [
        ("ignore-previous", IgnorePrevious()),
        ("role-change", RoleChange()),
        ("fake-role", FakeRole()),
        ("fake-delimiter", FakeDelimiter()),
        ("output-control", OutputControl()),
    ];

    /// <summary>The flags the text raises (<see cref="FlagPrefix"/> + rule name), in rule order; empty for ordinary text.</summary>
    public static IReadOnlyList<string> Flags(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Rules.Where(r => r.Pattern.IsMatch(text)).Select(r => FlagPrefix + r.Name).ToList();
    }

    /// <summary>True when any of <paramref name="flags"/> was raised by these rules.</summary>
    public static bool AnyRaised(IReadOnlyList<string> flags) => flags.Any(f => f.StartsWith(FlagPrefix, StringComparison.Ordinal));

    [GeneratedRegex(@"\b(ignore|disregard|forget|override)\s+(all\s+|any\s+)?(of\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|preceding|system|original)\s+(instructions?|rules|prompts?|directions)|(忽略|无视|忘记|忘掉)(之前|以上|前面|上面|所有|全部)?.{0,4}(指令|规则|提示|说明)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IgnorePrevious();

    [GeneratedRegex(@"\byou\s+are\s+now\b|\bfrom\s+now\s+on,?\s+you\b|\bact\s+as\s+(an?\s+|the\s+)?(ai|assistant|system|admin|administrator|developer)\b|\bpretend\s+(to\s+be|you\s+are)\b|你现在是|从现在起你", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RoleChange();

    [GeneratedRegex(@"(^|\n|\|)\s*(system|assistant|developer)\s*:|<\|im_start\|>|<\|im_end\|>|\[/?INST\]|</?system>|###\s*system\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FakeRole();

    [GeneratedRegex(@"<<<|>>>|\b(BEGIN|END)\s+(OF\s+)?SOURCES?\b|-{3,}\s*end\s+of\s+(document|sources?|context)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FakeDelimiter();

    [GeneratedRegex(@"\b(reply|respond|answer)\s+(only\s+)?with\s+(only\s+)?|\bdo\s+not\s+cite\b|\balways\s+cite\b|CANNOT_ANSWER|\b(reveal|print|show|repeat)\s+(your|the)\s+(system\s+)?prompt\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OutputControl();
}
