namespace DeepMD.Sharp.Input.Parsing;

using System.Text;

/// <summary>
/// Splits deck text into logical lines like LAMMPS: a line ending in <c>&amp;</c> continues on the next one,
/// <c>#</c> starts a comment unless inside quotes, and triple-quoted text may span lines.
/// </summary>
public static class DeckLineReader
{
    /// <summary>Logical lines of <paramref name="text"/>; line numbers are those of each logical line's first physical line.</summary>
    public static List<DeckLine> Split(string file, string text)
    {
        var physical = text.Replace("\r\n", "\n").Split('\n');
        var result = new List<DeckLine>();
        var sb = new StringBuilder();
        var start = 0;
        var inTriple = false;
        for (var k = 0; k < physical.Length; k++)
        {
            var p = physical[k];
            if (sb.Length == 0 && !inTriple) start = k + 1;
            if (inTriple)
            {
                sb.Append('\n').Append(p);
                if (CountTriple(p) % 2 == 1) inTriple = false;
                if (inTriple) continue;
            }
            else
            {
                var t = p.TrimEnd();
                if (t.EndsWith('&'))
                {
                    sb.Append(t[..^1]).Append(' ');
                    continue;
                }
                sb.Append(p);
                if (CountTriple(p) % 2 == 1)
                {
                    inTriple = true;
                    continue;
                }
            }
            result.Add(new DeckLine(file, start, StripComment(sb.ToString()).Trim()));
            sb.Clear();
        }
        if (sb.Length > 0) result.Add(new DeckLine(file, start, StripComment(sb.ToString()).Trim()));
        return result;
    }

    private static int CountTriple(string s)
    {
        var n = 0;
        for (var i = s.IndexOf("\"\"\"", StringComparison.Ordinal); i >= 0; i = s.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>Removes a <c>#</c> comment that is not inside single, double or triple quotes.</summary>
    public static string StripComment(string s)
    {
        char quote = '\0';
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote == '\0')
            {
                if (c == '#') return s[..i];
                if (c == '"' && i + 2 < s.Length && s[i + 1] == '"' && s[i + 2] == '"')
                {
                    var end = s.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) return s;
                    i = end + 2;
                    continue;
                }
                if (c is '"' or '\'') quote = c;
            }
            else if (c == quote) quote = '\0';
        }
        return s;
    }
}
