using System.Globalization;

namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>
/// Composes the generated test set from a seed: policy-, manual-, report- and form-like documents in English
/// and Chinese, and short one- or two-page documents that are also printed and scanned. Each document draws its
/// features (numbered or plain headings at three levels, bulleted and numbered lists with several glyphs, bordered
/// and borderless tables that cross pages with their header repeated, header cells over two lines, merged cells,
/// two-column passages, footnotes, figures with captions) from its own seeded <see cref="Random"/>, with the
/// variants spread by index so that every feature occurs in both halves of the split.
/// </summary>
public static class DocumentComposer
{
    private static readonly string[] Kinds = ["policy", "manual", "report", "form"];
    private static readonly string[] Glyphs = ["•", "▪", "–", "◦", "➢"];

    /// <summary>
    /// The whole set: 36 long documents and 12 short scanned ones, with one question per fact. <paramref name="extended"/>
    /// adds 6 reports and manuals with front and back covers (long 36–41) and 12 short scanned pages with a figure beside
    /// the text, on the left or the right, 5 to 9.5 cm wide, busy or plain (short 12–23; five fall in the dev half). The
    /// committed set is the one without them until it is rendered again with LibreOffice.
    /// </summary>
    public static (IReadOnlyList<GeneratedDocument> Documents, IReadOnlyList<GeneratedQuestion> Questions) Compose(int seed, bool extended = false)
    {
        var documents = new List<GeneratedDocument>();
        var questions = new List<GeneratedQuestion>();
        for (var i = 0; i < 36; i++)
        {
            var kind = Kinds[i % Kinds.Length];
            var language = i % 3 == 2 ? "zh" : "en";
            var random = new Random(HashCode(seed, i));
            documents.Add(Long(random, kind, language, i, questions));
        }

        for (var i = 0; i < 12; i++)
        {
            var random = new Random(HashCode(seed, 1000 + i));
            documents.Add(Short(random, i, questions));
        }

        if (extended)
        {
            for (var i = 36; i < 42; i++)
            {
                var random = new Random(HashCode(seed, i));
                var document = Long(random, i % 2 == 0 ? "report" : "manual", i % 3 == 2 ? "zh" : "en", i, questions);
                documents.Add(document with { Cover = Cover(random, new TextBank(document.Language), i) });
            }

            for (var i = 12; i < 24; i++)
            {
                var random = new Random(HashCode(seed, 1000 + i));
                documents.Add(Short(random, i, questions, variant: 2) with
                {
                    FigureOnRight = i % 2 == 1,
                    FigureWidthEmu = 1_800_000 + (i * 1_373_000 % 1_620_000),
                });
            }
        }

        return (documents, questions);
    }

    private static GeneratedDocument Long(Random random, string kind, string language, int index, List<GeneratedQuestion> questions)
    {
        var bank = new TextBank(language);
        var name = string.Create(CultureInfo.InvariantCulture, $"{kind}-{language}-{index:00}");
        var numbered = index % 2 == 0;
        var blocks = new List<GenBlock> { new GenParagraph(bank.Paragraph(random, 3)) };
        var sections = bank.SectionNames(kind).OrderBy(_ => random.Next()).Take(5 + random.Next(2)).ToList();
        var serial = index * 100;
        for (var s = 0; s < sections.Count; s++)
        {
            var top = Heading(numbered, 1, sections[s], s + 1, 0, 0);
            blocks.Add(new GenHeading(1, top));
            blocks.Add(new GenParagraph(bank.Paragraph(random, 3 + random.Next(3))));
            var subsections = 2 + random.Next(2);
            var usedSub = new HashSet<string>();
            for (var t = 0; t < subsections; t++)
            {
                var subName = Unique(usedSub, () => bank.Subsection(random));
                var sub = Heading(numbered, 2, subName, s + 1, t + 1, 0);
                blocks.Add(new GenHeading(2, sub));
                var fact = bank.Fact(random, ++serial);
                blocks.Add(new GenParagraph(bank.Paragraph(random, 2) + (bank.Chinese ? string.Empty : " ") + fact.Sentence,
                    random.Next(6) == 0 ? bank.Paragraph(random, 1) : null));
                questions.Add(new GeneratedQuestion(string.Create(CultureInfo.InvariantCulture, $"g{serial}"), name + ".pdf", fact.Question, sub, fact.Evidence, "section"));
                AddFeature(random, bank, kind, blocks, (index + s + t) % 6, index);
                if (random.Next(3) == 0)
                {
                    var usedLeaf = new HashSet<string>();
                    for (var u = 0; u < 2; u++)
                    {
                        blocks.Add(new GenHeading(3, Heading(numbered, 3, Unique(usedLeaf, () => bank.Leaf(random)), s + 1, t + 1, u + 1)));
                        blocks.Add(new GenParagraph(bank.Paragraph(random, 2 + random.Next(3))));
                    }
                }
            }

            if (s == 1 && index % 4 == 1)
            {
                // A two-column passage: a continuous section of two columns, back to one after it.
                blocks.Add(new GenColumns(2));
                for (var p = 0; p < 4; p++)
                {
                    blocks.Add(new GenParagraph(bank.Paragraph(random, 4)));
                }

                blocks.Add(new GenColumns(1));
            }

            if (s == sections.Count - 2)
            {
                blocks.Add(LongTable(random, bank, kind, index));
            }
        }

        var title = bank.Chinese ? $"{Company(index)}{KindTitleZh(kind)}" : $"{Company(index)} {KindTitle(kind)}";
        var header = bank.Chinese
            ? $"内部资料 · {KindTitleZh(kind)} v{1 + index % 5}.{index % 10}"
            : $"{Company(index)} — Internal — {KindTitle(kind)} v{1 + index % 5}.{index % 10}";
        var footer = bank.Chinese ? $"{Company(index)} 版权所有" : $"{Company(index)} · Confidential";
        return new GeneratedDocument(name, kind, language, title, header, footer, blocks, Scanned: false) { SmallHeader = index % 3 == 0 };
    }

    /// <summary>
    /// One or two pages that are printed and scanned as well: a lone policy page opening on a numbered section
    /// with a small-type header in the margin, a figure beside the text, place names with diacritics, Chinese pages.
    /// </summary>
    private static GeneratedDocument Short(Random random, int index, List<GeneratedQuestion> questions, int? variant = null)
    {
        variant ??= index % 6;
        var language = variant == 4 ? "zh" : "en";
        var bank = new TextBank(language);
        var name = string.Create(CultureInfo.InvariantCulture, $"scan-{(variant switch { 0 or 1 => "lone", 2 => "figure", 3 => "accents", 4 => "zh", _ => "table" })}-{index:00}");
        var blocks = new List<GenBlock>();
        var number = 2 + random.Next(6);
        var sectionNames = bank.SectionNames("policy");
        var section = sectionNames[random.Next(sectionNames.Count)];
        var heading = $"{number} {section}";
        blocks.Add(new GenHeading(1, heading));
        var serial = 9000 + index * 10;
        var fact = bank.Fact(random, serial);
        blocks.Add(new GenParagraph(bank.Paragraph(random, 2) + (bank.Chinese ? string.Empty : " ") + fact.Sentence));
        questions.Add(new GeneratedQuestion(string.Create(CultureInfo.InvariantCulture, $"s{serial}"), name + ".pdf", fact.Question, heading, fact.Evidence, "section"));
        if (variant == 2)
        {
            blocks.Add(new GenFigure(bank.Chinese ? "图 1 区域分布" : $"Figure {1 + index % 3}: Sites visited in {bank.Place(random)}", random.Next(), Busy: index < 12 || index % 3 != 0));
            blocks.Add(new GenParagraph(bank.Paragraph(random, 4)));
        }

        if (variant == 3)
        {
            blocks.Add(new GenParagraph(string.Join(' ', TextBank.Accented.OrderBy(_ => random.Next()).Take(5).Select(p => $"Trips to {p} need approval.")) + " " + bank.Paragraph(random, 1)));
        }

        var sub = $"{number}.1 {bank.Subsection(random)}";
        blocks.Add(new GenHeading(2, sub));
        blocks.Add(new GenParagraph(bank.Paragraph(random, 2)));
        blocks.Add(WrappedHeaderTable(random, bank, rows: variant == 5 ? 34 : 4 + random.Next(3), bordered: index % 2 == 1, repeat: variant == 5));
        blocks.Add(new GenList(index % 3 == 1, Enumerable.Range(0, 3).Select(_ => bank.ListItem(random)).ToList(), Glyphs[index % Glyphs.Length]));
        blocks.Add(new GenHeading(2, $"{number}.2 {bank.Subsection(random)}"));
        blocks.Add(new GenParagraph(bank.Paragraph(random, 3)));
        var header = bank.Chinese ? $"内部资料 — 差旅政策 v{4 + index % 3}.{index % 10}" : $"{Company(index)} — Internal — Travel Policy v{4 + index % 3}.{index % 10}";
        return new GeneratedDocument(name, "policy", language, variant is 0 or 1 ? null : (bank.Chinese ? "差旅管理规定" : "Travel Policy"), header,
            bank.Chinese ? "第 1 页" : "Travel Policy", blocks, Scanned: true)
        {
            SmallHeader = true,
            FigureBesideText = variant == 2,
        };
    }

    /// <summary>A report's or manual's covers: three marketing lines, an edition line, the company as imprint, a blurb.</summary>
    private static GenCover Cover(Random random, TextBank bank, int index)
    {
        var used = new HashSet<string>();
        var taglines = Enumerable.Range(0, 3).Select(_ => Unique(used, () => bank.Tagline(random))).ToList();
        var edition = bank.Chinese ? $"第 {1 + index % 4} 版 · 内部发行" : $"Edition {1 + index % 4} · For internal use";
        return new GenCover(taglines, edition, Company(index), bank.Paragraph(random, 3));
    }

    /// <summary>Adds one of the section-level features: lists in several styles, a table, a figure.</summary>
    private static void AddFeature(Random random, TextBank bank, string kind, List<GenBlock> blocks, int feature, int index)
    {
        var items = Enumerable.Range(0, 3 + random.Next(3)).Select(_ => bank.ListItem(random)).ToList();
        switch (feature)
        {
            case 0:
                blocks.Add(new GenList(false, items, Glyphs[index % Glyphs.Length]));
                break;
            case 1:
                blocks.Add(new GenList(true, items));
                break;
            case 2:
                blocks.Add(kind == "form" ? FormTable(random, bank) : WrappedHeaderTable(random, bank, 3 + random.Next(4), bordered: random.Next(2) == 0, repeat: false));
                break;
            case 3:
                blocks.Add(new GenFigure(bank.Chinese ? $"图 {1 + random.Next(9)} {bank.Place(random)}的费用构成" : $"Figure {1 + random.Next(9)}: Cost breakdown for {bank.Place(random)}", random.Next(), Busy: random.Next(2) == 0));
                break;
            case 4:
                // Typed glyphs: the author put the bullet into the text of each item as well.
                blocks.Add(new GenList(false, items, Glyphs[(index + 1) % Glyphs.Length], TypedGlyph: true));
                break;
            default:
                blocks.Add(new GenParagraph(bank.Paragraph(random, 2)));
                blocks.Add(new GenList(false, items, "•"));
                break;
        }
    }

    private static GenTable WrappedHeaderTable(Random random, TextBank bank, int rows, bool bordered, bool repeat)
    {
        IReadOnlyList<string> header = bank.Chinese
            ? ["城市", "住宿上限\n（元）", "餐饮补贴\n（元）", "审批级别"]
            : ["City", "Nightly cap\n(EUR)", "Meal allowance\n(EUR)", "Approval level"];
        var levels = bank.Chinese ? new[] { "部门经理", "总监", "副总裁" } : ["Manager", "Director", "Vice president"];
        var body = Enumerable.Range(0, rows).Select(r => (IReadOnlyList<string>)
        [
            bank.Place(random) + (bank.Chinese ? string.Empty : $" {(char)('A' + r % 26)}"),
            (90 + random.Next(120)).ToString(CultureInfo.InvariantCulture),
            (25 + random.Next(40)).ToString(CultureInfo.InvariantCulture),
            TextBank.Pick(random, levels),
        ]).ToList();
        return new GenTable(header, body, bordered, repeat, []);
    }

    /// <summary>A long table (30 to 55 rows, so it crosses at least one page) with its header repeated on every page.</summary>
    private static GenTable LongTable(Random random, TextBank bank, string kind, int index)
    {
        var rows = 30 + random.Next(26);
        var bordered = index % 2 == 1;
        IReadOnlyList<string> header = (kind, bank.Chinese) switch
        {
            ("report", false) => ["Region", "Q1\nrevenue", "Q2\nrevenue", "Change (%)"],
            ("report", true) => ["区域", "一季度\n收入", "二季度\n收入", "变化（%）"],
            ("manual", false) => ["Code", "Meaning", "Action", "Level"],
            ("manual", true) => ["代码", "含义", "处理方法", "级别"],
            (_, false) => ["Item", "Limit (EUR)", "Approver", "Notes"],
            (_, true) => ["项目", "限额（元）", "审批人", "备注"],
        };
        var body = new List<IReadOnlyList<string>>();
        for (var r = 0; r < rows; r++)
        {
            body.Add(
            [
                kind == "manual" ? string.Create(CultureInfo.InvariantCulture, $"E{100 + r * 3}") : bank.Place(random) + string.Create(CultureInfo.InvariantCulture, $" {r + 1}"),
                (100 + random.Next(900)).ToString(CultureInfo.InvariantCulture),
                bank.Chinese ? TextBank.Pick(random, ["部门经理", "总监", "财务部"]) : TextBank.Pick(random, ["Manager", "Director", "Finance"]),
                bank.Chinese ? TextBank.Pick(random, ["无", "需附发票", "季度复核"]) : TextBank.Pick(random, ["None", "Receipt needed", "Reviewed quarterly"]),
            ]);
        }

        // Every third long table merges the last two cells of its final row (a closing remark across columns).
        var merges = index % 3 == 0 ? new[] { new GenMerge(rows - 1, 2, 2) } : [];
        foreach (var m in merges)
        {
            var row = body[m.Row].ToArray();
            for (var c = m.Column + 1; c < m.Column + m.Span; c++)
            {
                row[c] = row[m.Column];
            }

            body[m.Row] = row;
        }

        return new GenTable(header, body, bordered, RepeatHeader: true, merges);
    }

    /// <summary>A form's field table: labels on the left, entries (or blank lines to fill) on the right, no borders.</summary>
    private static GenTable FormTable(Random random, TextBank bank)
    {
        IReadOnlyList<string> header = bank.Chinese ? ["栏目", "填写内容"] : ["Field", "Entry"];
        var fields = bank.Chinese ? new[] { "姓名", "部门", "员工编号", "出发城市", "到达城市", "日期" } : ["Full name", "Department", "Employee number", "From", "To", "Date"];
        var body = fields.Select(f => (IReadOnlyList<string>)[f, f.Length % 2 == 0 ? bank.Place(random) : (1000 + random.Next(9000)).ToString(CultureInfo.InvariantCulture)]).ToList();
        return new GenTable(header, body, Bordered: random.Next(2) == 0, RepeatHeader: false, []);
    }

    private static string Heading(bool numbered, int level, string text, int a, int b, int c)
    {
        if (!numbered)
        {
            return text;
        }

        var number = level switch
        {
            1 => a.ToString(CultureInfo.InvariantCulture),
            2 => string.Create(CultureInfo.InvariantCulture, $"{a}.{b}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{a}.{b}.{c}"),
        };
        return $"{number} {text}";
    }

    private static string Unique(HashSet<string> used, Func<string> next)
    {
        for (var i = 0; i < 20; i++)
        {
            var candidate = next();
            if (used.Add(candidate))
            {
                return candidate;
            }
        }

        var fallback = next() + " " + used.Count.ToString(CultureInfo.InvariantCulture);
        used.Add(fallback);
        return fallback;
    }

    private static string Company(int index) => new[] { "Contoso", "Fabrikam", "Northwind", "Tailspin", "Adatum", "Litware" }[index % 6];

    private static string KindTitle(string kind) => kind switch
    {
        "policy" => "Travel Policy",
        "manual" => "Operating Manual",
        "report" => "Quarterly Report",
        _ => "Request Form",
    };

    private static string KindTitleZh(string kind) => kind switch
    {
        "policy" => "差旅管理规定",
        "manual" => "设备操作手册",
        "report" => "季度经营报告",
        _ => "申请表",
    };

    private static int HashCode(int seed, int index) => unchecked((seed * 7919) + (index * 104729) + 17);
}
