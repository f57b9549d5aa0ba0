using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml.Wordprocessing;

namespace RagService.Ingestion.Parsing.Docx;

/// <summary>
/// Word's automatic numbering (numbering.xml), replayed in document order so a numbered heading reads
/// "2.1 Scope" as it does in Word. Counters live per abstract definition (instances of one definition
/// continue each other's count, as Word does) unless an instance restarts a level with a start override.
/// </summary>
internal sealed class ListNumbering
{
    private readonly Dictionary<int, NumberingInstance> _instances = [];
    private readonly Dictionary<int, AbstractNum> _abstracts = [];
    private readonly Dictionary<string, Dictionary<int, int>> _counters = [];

    public ListNumbering(Numbering? numbering)
    {
        if (numbering is null)
        {
            return;
        }

        foreach (var abstractNum in numbering.Elements<AbstractNum>())
        {
            if (abstractNum.AbstractNumberId?.Value is { } id)
            {
                _abstracts.TryAdd(id, abstractNum);
            }
        }

        foreach (var instance in numbering.Elements<NumberingInstance>())
        {
            if (instance.NumberID?.Value is { } id)
            {
                _instances.TryAdd(id, instance);
            }
        }
    }

    /// <summary>Advances the count for a numbered paragraph and returns its label ("2.1", "b)"), or null for bullets and unknown lists.</summary>
    public string? Next(int numId, int level)
    {
        if (!_instances.TryGetValue(numId, out var instance) ||
            instance.AbstractNumId?.Val?.Value is not { } abstractId ||
            !_abstracts.TryGetValue(abstractId, out var abstractNum))
        {
            return null;
        }

        var overrides = instance.Elements<LevelOverride>()
            .Where(o => o.LevelIndex?.Value is not null)
            .ToDictionary(o => o.LevelIndex!.Value!, o => o);
        var key = overrides.Values.Any(o => o.StartOverrideNumberingValue is not null) ? $"num{numId}" : $"abs{abstractId}";
        if (!_counters.TryGetValue(key, out var counters))
        {
            _counters[key] = counters = [];
        }

        int Start(int lvl) =>
            overrides.TryGetValue(lvl, out var o) && o.StartOverrideNumberingValue?.Val?.Value is { } s ? s
            : LevelOf(abstractNum, lvl)?.StartNumberingValue?.Val?.Value ?? 1;

        // A deeper level used before its parents counts those parents as started (Word shows "2.1.1" after "2").
        for (var l = 0; l < level; l++)
        {
            counters.TryAdd(l, Start(l));
        }

        counters[level] = counters.TryGetValue(level, out var current) ? current + 1 : Start(level);
        foreach (var deeper in counters.Keys.Where(k => k > level).ToList())
        {
            counters.Remove(deeper);
        }

        var definition = LevelOf(abstractNum, level);
        var format = definition?.NumberingFormat?.Val?.Value;
        if (definition?.LevelText?.Val?.Value is not { } template || format == NumberFormatValues.Bullet || format == NumberFormatValues.None)
        {
            return null;
        }

        var label = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '%' && i + 1 < template.Length && char.IsDigit(template[i + 1]))
            {
                var referenced = template[i + 1] - '1';
                var value = counters.TryGetValue(referenced, out var v) ? v : Start(referenced);
                var referencedFormat = LevelOf(abstractNum, referenced)?.NumberingFormat?.Val?.Value;
                // "Legal" numbering shows every level in decimal (1.1.1 under a roman chapter).
                var legal = definition.IsLegalNumberingStyle is not null;
                label.Append(Format(value, legal ? NumberFormatValues.Decimal : referencedFormat));
                i++;
            }
            else
            {
                label.Append(template[i]);
            }
        }

        return label.ToString().Trim();
    }

    private static Level? LevelOf(AbstractNum abstractNum, int level) =>
        abstractNum.Elements<Level>().FirstOrDefault(l => l.LevelIndex?.Value == level);

    private static string Format(int value, NumberFormatValues? format)
    {
        if (format == NumberFormatValues.LowerLetter || format == NumberFormatValues.UpperLetter)
        {
            var letters = new StringBuilder();
            for (var n = value; n > 0; n = (n - 1) / 26)
            {
                letters.Insert(0, (char)('a' + ((n - 1) % 26)));
            }

            return format == NumberFormatValues.UpperLetter ? letters.ToString().ToUpperInvariant() : letters.ToString();
        }

        if (format == NumberFormatValues.LowerRoman || format == NumberFormatValues.UpperRoman)
        {
            var roman = Roman(value);
            return format == NumberFormatValues.LowerRoman ? roman.ToLowerInvariant() : roman;
        }

        if (format == NumberFormatValues.DecimalZero)
        {
            return value.ToString("00", CultureInfo.InvariantCulture);
        }

        return value.ToString(CultureInfo.InvariantCulture);
    }

    private static string Roman(int value)
    {
        if (value <= 0 || value >= 4000)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        (int, string)[] numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
        var sb = new StringBuilder();
        foreach (var (n, s) in numerals)
        {
            for (; value >= n; value -= n)
            {
                sb.Append(s);
            }
        }

        return sb.ToString();
    }
}
