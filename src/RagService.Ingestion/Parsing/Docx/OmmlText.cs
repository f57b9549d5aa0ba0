using System.Text;
using DocumentFormat.OpenXml;

namespace RagService.Ingestion.Parsing.Docx;

/// <summary>
/// Office Math (OMML) as LaTeX-style linear text: <c>A=\pi r^{2}</c>, <c>\frac{a}{b}</c>,
/// <c>\sum_{n=1}^{\infty}</c>. Dropping equations loses content a question may be about, and the
/// linear form is what both readers and embedders know. Elements are read by their OMML local names,
/// so an unknown construct still contributes its text.
/// </summary>
internal static class OmmlText
{
    public const string MathNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/math";

    private static readonly Dictionary<char, string> Symbols = new()
    {
        ['π'] = @"\pi", ['∞'] = @"\infty", ['×'] = @"\times", ['±'] = @"\pm", ['∓'] = @"\mp", ['·'] = @"\cdot",
        ['≤'] = @"\leq", ['≥'] = @"\geq", ['≠'] = @"\neq", ['≈'] = @"\approx", ['→'] = @"\rightarrow", ['←'] = @"\leftarrow",
        ['∈'] = @"\in", ['∉'] = @"\notin", ['⊂'] = @"\subset", ['∪'] = @"\cup", ['∩'] = @"\cap", ['∂'] = @"\partial",
        ['∇'] = @"\nabla", ['÷'] = @"\div", ['√'] = @"\surd", ['∀'] = @"\forall", ['∃'] = @"\exists", ['…'] = @"\ldots",
        ['α'] = @"\alpha", ['β'] = @"\beta", ['γ'] = @"\gamma", ['δ'] = @"\delta", ['ε'] = @"\epsilon", ['ζ'] = @"\zeta",
        ['η'] = @"\eta", ['θ'] = @"\theta", ['κ'] = @"\kappa", ['λ'] = @"\lambda", ['μ'] = @"\mu", ['ν'] = @"\nu",
        ['ξ'] = @"\xi", ['ρ'] = @"\rho", ['σ'] = @"\sigma", ['τ'] = @"\tau", ['φ'] = @"\phi", ['χ'] = @"\chi",
        ['ψ'] = @"\psi", ['ω'] = @"\omega", ['Γ'] = @"\Gamma", ['Δ'] = @"\Delta", ['Θ'] = @"\Theta", ['Λ'] = @"\Lambda",
        ['Σ'] = @"\Sigma", ['Φ'] = @"\Phi", ['Ψ'] = @"\Psi", ['Ω'] = @"\Omega",
    };

    private static readonly Dictionary<string, string> LargeOperators = new()
    {
        ["∑"] = @"\sum", ["∏"] = @"\prod", ["∐"] = @"\coprod", ["∫"] = @"\int", ["∬"] = @"\iint", ["∭"] = @"\iiint",
        ["∮"] = @"\oint", ["⋃"] = @"\bigcup", ["⋂"] = @"\bigcap",
    };

    private static readonly HashSet<string> Functions =
    [
        "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "log", "ln", "lg", "exp", "lim", "max", "min", "sup", "inf", "det", "dim", "gcd", "deg", "arg",
    ];

    public static bool IsMath(OpenXmlElement element) =>
        element.NamespaceUri == MathNamespace && element.LocalName is "oMath" or "oMathPara";

    public static string ToLinearText(OpenXmlElement element)
    {
        var sb = new StringBuilder();
        Append(element, sb);
        return sb.ToString().Trim();
    }

    private static void Append(OpenXmlElement element, StringBuilder sb)
    {
        if (element.NamespaceUri != MathNamespace)
        {
            // Ordinary Word runs inside an equation carry plain text.
            if (element.LocalName == "t")
            {
                sb.Append(element.InnerText);
            }
            else if (!element.LocalName.EndsWith("Pr", StringComparison.Ordinal))
            {
                Children(element, sb);
            }

            return;
        }

        switch (element.LocalName)
        {
            case "t":
                AppendSymbols(element.InnerText, sb);
                break;
            case "oMathPara":
                sb.Append(string.Join(" ", element.ChildElements.Where(c => c.LocalName == "oMath").Select(ToLinearText)));
                break;
            case "sSup":
                Part(element, "e", sb);
                sb.Append("^{").Append(Text(element, "sup")).Append('}');
                break;
            case "sSub":
                Part(element, "e", sb);
                sb.Append("_{").Append(Text(element, "sub")).Append('}');
                break;
            case "sSubSup":
                Part(element, "e", sb);
                sb.Append("_{").Append(Text(element, "sub")).Append("}^{").Append(Text(element, "sup")).Append('}');
                break;
            case "sPre":
                sb.Append("{}_{").Append(Text(element, "sub")).Append("}^{").Append(Text(element, "sup")).Append('}');
                Part(element, "e", sb);
                break;
            case "f":
                sb.Append(@"\frac{").Append(Text(element, "num")).Append("}{").Append(Text(element, "den")).Append('}');
                break;
            case "rad":
                var degree = Text(element, "deg");
                sb.Append(degree.Length == 0 ? @"\sqrt{" : $@"\sqrt[{degree}]{{").Append(Text(element, "e")).Append('}');
                break;
            case "nary":
                var chr = Property(element, "naryPr", "chr") ?? "∫";
                sb.Append(LargeOperators.TryGetValue(chr, out var op) ? op : chr);
                if (Text(element, "sub") is { Length: > 0 } lower)
                {
                    sb.Append("_{").Append(lower).Append('}');
                }

                if (Text(element, "sup") is { Length: > 0 } upper)
                {
                    sb.Append("^{").Append(upper).Append('}');
                }

                sb.Append(' ');
                Part(element, "e", sb);
                break;
            case "d":
                var open = Property(element, "dPr", "begChr") ?? "(";
                var close = Property(element, "dPr", "endChr") ?? ")";
                var separator = Property(element, "dPr", "sepChr") ?? "|";
                sb.Append(open.Length == 0 ? string.Empty : @"\left" + Delimiter(open))
                    .Append(string.Join(separator, element.ChildElements.Where(c => c.LocalName == "e").Select(ToLinearText)))
                    .Append(close.Length == 0 ? string.Empty : @"\right" + Delimiter(close));
                break;
            case "func":
                var name = Text(element, "fName");
                sb.Append(Functions.Contains(name) ? "\\" + name : name).Append('(').Append(Text(element, "e")).Append(')');
                break;
            case "acc":
                sb.Append(@"\hat{").Append(Text(element, "e")).Append('}');
                break;
            case "bar":
                sb.Append(@"\overline{").Append(Text(element, "e")).Append('}');
                break;
            case "limLow":
                Part(element, "e", sb);
                sb.Append("_{").Append(Text(element, "lim")).Append('}');
                break;
            case "limUpp":
                Part(element, "e", sb);
                sb.Append("^{").Append(Text(element, "lim")).Append('}');
                break;
            case "m":
                sb.Append(@"\begin{matrix}")
                    .Append(string.Join(@" \\ ", element.ChildElements.Where(r => r.LocalName == "mr")
                        .Select(r => string.Join(" & ", r.ChildElements.Where(c => c.LocalName == "e").Select(ToLinearText)))))
                    .Append(@"\end{matrix}");
                break;
            case "eqArr":
                sb.Append(string.Join(@" \\ ", element.ChildElements.Where(c => c.LocalName == "e").Select(ToLinearText)));
                break;
            default:
                if (!element.LocalName.EndsWith("Pr", StringComparison.Ordinal))
                {
                    Children(element, sb);
                }

                break;
        }
    }

    private static void Children(OpenXmlElement element, StringBuilder sb)
    {
        foreach (var child in element.ChildElements)
        {
            Append(child, sb);
        }
    }

    private static void Part(OpenXmlElement element, string localName, StringBuilder sb)
    {
        foreach (var child in element.ChildElements.Where(c => c.LocalName == localName && c.NamespaceUri == MathNamespace))
        {
            Children(child, sb);
        }
    }

    private static string Text(OpenXmlElement element, string localName)
    {
        var sb = new StringBuilder();
        Part(element, localName, sb);
        return sb.ToString().Trim();
    }

    /// <summary>The w:val / m:val of a property such as naryPr/chr; an empty value is meaningful (no delimiter).</summary>
    private static string? Property(OpenXmlElement element, string propertiesName, string name)
    {
        var property = element.ChildElements.FirstOrDefault(c => c.LocalName == propertiesName)?
            .ChildElements.FirstOrDefault(c => c.LocalName == name);
        return property?.GetAttributes().FirstOrDefault(a => a.LocalName == "val").Value;
    }

    private static string Delimiter(string chr) => chr switch
    {
        "{" => @"\{",
        "}" => @"\}",
        "⟨" => @"\langle",
        "⟩" => @"\rangle",
        "‖" => @"\|",
        _ => chr,
    };

    private static void AppendSymbols(string text, StringBuilder sb)
    {
        foreach (var c in text)
        {
            if (Symbols.TryGetValue(c, out var command))
            {
                sb.Append(' ').Append(command).Append(' ');
            }
            else
            {
                sb.Append(c);
            }
        }
    }
}
