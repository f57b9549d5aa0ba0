using System.Globalization;

namespace RagService.Evaluation.Synthetic.Documents;

/// <summary>
/// The words generated documents are made of, per language and kind of document: section names, sentence
/// templates with slots, list items, table columns. Every choice goes through the caller's seeded
/// <see cref="Random"/>, so a seed gives the same documents on every machine.
/// </summary>
public sealed class TextBank(string language)
{
    public bool Chinese => language == "zh";

    private static readonly string[] Places =
    [
        "Lisbon", "Porto", "Madrid", "Lyon", "Hamburg", "Vienna", "Prague", "Oslo", "Dublin", "Milan",
        "Zagreb", "Tallinn", "Riga", "Bergen", "Ghent", "Turin", "Seville", "Bremen", "Basel", "Krakow",
    ];

    private static readonly string[] PlacesZh = ["上海", "北京", "广州", "深圳", "成都", "杭州", "南京", "武汉", "西安", "重庆", "天津", "苏州", "厦门", "青岛", "长沙", "郑州"];

    /// <summary>Names whose letters carry diacritics, for the pages that test OCR's script and language choice.</summary>
    public static readonly string[] Accented =
    [
        "São Paulo", "Zürich", "Kraków", "Málaga", "Besançon", "Göteborg", "Łódź", "Coimbra e Évora", "Señor Núñez", "Françoise Lefèvre",
        "Düsseldorf", "Brașov", "Ærøskøbing", "Plzeň", "Jyväskylä", "Córdoba",
    ];

    private static readonly Dictionary<string, string[]> Sections = new()
    {
        ["policy"] = ["Purpose", "Scope", "Definitions", "Booking Travel", "Accommodation", "Meals and Allowances", "Approvals", "Expense Claims", "Exceptions", "Records"],
        ["manual"] = ["Overview", "Safety Notes", "Installation", "Connecting the Unit", "Daily Operation", "Cleaning", "Troubleshooting", "Error Codes", "Spare Parts", "Warranty"],
        ["report"] = ["Summary", "Market Conditions", "Revenue", "Operating Costs", "Regional Results", "Staffing", "Outlook", "Risks", "Methodology"],
        ["form"] = ["Applicant Details", "Request", "Supporting Documents", "Declaration", "Office Use", "Payment Details", "Contact Points"],
    };

    private static readonly Dictionary<string, string[]> SectionsZh = new()
    {
        ["policy"] = ["目的", "适用范围", "术语定义", "差旅预订", "住宿标准", "餐饮与补贴", "审批流程", "费用报销", "例外情况", "档案管理"],
        ["manual"] = ["概述", "安全须知", "安装步骤", "设备连接", "日常操作", "清洁保养", "故障排除", "错误代码", "备件清单", "保修条款"],
        ["report"] = ["摘要", "市场环境", "营业收入", "运营成本", "区域业绩", "人员情况", "未来展望", "风险因素", "统计方法"],
        ["form"] = ["申请人信息", "申请事项", "证明材料", "声明", "办公室填写", "付款信息", "联系方式"],
    };

    private static readonly string[] Subsections = ["General Rules", "Limits", "Responsibilities", "Procedure", "Examples", "Records to Keep", "Deadlines", "Contacts", "Scope of Checks", "Reporting"];
    private static readonly string[] SubsectionsZh = ["一般规定", "限额", "职责分工", "办理程序", "示例说明", "留存记录", "时限要求", "联系人", "检查范围", "报告要求"];
    private static readonly string[] Leaves = ["Domestic Trips", "International Trips", "Short Stays", "Long Stays", "Special Cases", "Night Shifts"];
    private static readonly string[] LeavesZh = ["境内出差", "境外出差", "短期停留", "长期停留", "特殊情况", "夜间值班"];

    private static readonly string[] Subjects =
    [
        "The employee", "The line manager", "The finance team", "Each department", "The operator", "The travel desk", "The site lead",
        "Every contractor", "The service engineer", "The regional office", "The auditor", "The project owner",
    ];

    private static readonly string[] Verbs =
    [
        "checks", "records", "approves", "reviews", "confirms", "submits", "keeps", "updates", "reports", "compares", "signs", "archives",
    ];

    private static readonly string[] Objects =
    [
        "the booking reference", "every receipt", "the monthly summary", "the safety checklist", "the cost estimate", "the signed request",
        "the inventory list", "the maintenance log", "the travel itinerary", "the quarterly forecast", "the access log", "the calibration record",
    ];

    private static readonly string[] Tails =
    [
        "before the end of the month", "within five working days", "in the shared register", "before any payment is made",
        "at the start of each shift", "after every change", "with the original documents", "according to the current rules",
        "unless an exception was granted", "as part of the annual review",
    ];

    private static readonly string[] ZhSubjects = ["员工", "部门经理", "财务部门", "各部门", "操作人员", "差旅服务台", "现场负责人", "承包商", "维修工程师", "区域办公室"];
    private static readonly string[] ZhVerbs = ["核对", "登记", "审批", "复核", "确认", "提交", "保存", "更新", "报告", "签署"];
    private static readonly string[] ZhObjects = ["预订编号", "全部票据", "月度汇总", "安全检查表", "费用预算", "书面申请", "库存清单", "维护日志", "行程安排", "季度预测"];
    private static readonly string[] ZhTails = ["应在月底前完成", "须在五个工作日内办理", "并录入共享台账", "方可办理付款", "须在每班开始时进行", "每次变更后均须执行", "并附原始凭证", "按照现行规定执行"];

    private static readonly string[] Attributes = ["nightly cap", "daily allowance", "approval limit", "service interval", "response time", "retention period", "inspection fee", "deposit"];
    private static readonly string[] AttributesZh = ["住宿上限", "每日补贴", "审批限额", "保养周期", "响应时间", "保存期限", "检验费用", "押金"];

    public string Sentence(Random random) => Chinese
        ? $"{Pick(random, ZhSubjects)}{Pick(random, ZhVerbs)}{Pick(random, ZhObjects)}，{Pick(random, ZhTails)}。"
        : $"{Pick(random, Subjects)} {Pick(random, Verbs)} {Pick(random, Objects)} {Pick(random, Tails)}.";

    public string Paragraph(Random random, int sentences) =>
        string.Join(Chinese ? string.Empty : " ", Enumerable.Range(0, sentences).Select(_ => Sentence(random)));

    /// <summary>A sentence stating one fact (attribute of a place, with a value), and the question that asks for it.</summary>
    public (string Sentence, string Question, string Evidence) Fact(Random random, int serial)
    {
        var value = (120 + serial * 7 + random.Next(5)).ToString(CultureInfo.InvariantCulture);
        if (Chinese)
        {
            var place = Pick(random, PlacesZh);
            var attribute = Pick(random, AttributesZh);
            return ($"{place}的{attribute}为{value}元，编号{serial}。", $"{place}的{attribute}是多少（编号{serial}）？", $"{attribute}为{value}元");
        }

        var city = Pick(random, Places);
        var attr = Pick(random, Attributes);
        return ($"The {attr} for {city} under rule {serial} is {value} EUR.", $"What is the {attr} for {city} under rule {serial}?", $"under rule {serial} is {value} EUR");
    }

    public IReadOnlyList<string> SectionNames(string kind) => Chinese ? SectionsZh[kind] : Sections[kind];

    public string Subsection(Random random) => Pick(random, Chinese ? SubsectionsZh : Subsections);

    public string Leaf(Random random) => Pick(random, Chinese ? LeavesZh : Leaves);

    public string ListItem(Random random) => Chinese
        ? $"{Pick(random, ZhVerbs)}{Pick(random, ZhObjects)}"
        : $"{Capital(Pick(random, Verbs)[..^1])} {Pick(random, Objects)} {Pick(random, Tails)}.";

    /// <summary>A cover's marketing line ("Plan every trip a season ahead").</summary>
    public string Tagline(Random random) => Pick(random, Chinese ? TaglinesZh : Taglines);

    private static readonly string[] Taglines =
    [
        "Plan every trip a season ahead", "Cut approval time in half", "One process for every site", "Know your costs before you travel",
        "Keep every unit running", "Fewer faults, faster repairs", "Results you can compare", "Clear figures for every region",
    ];

    private static readonly string[] TaglinesZh = ["提前一季规划每次出行", "审批时间缩短一半", "所有站点统一流程", "出发前掌握费用", "设备持续稳定运行", "故障更少，维修更快"];

    public string Place(Random random) => Pick(random, Chinese ? PlacesZh : Places);

    public static string Pick(Random random, IReadOnlyList<string> items) => items[random.Next(items.Count)];

    private static string Capital(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
