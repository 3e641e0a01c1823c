namespace DeepMD.Sharp.IO;

using System.Text;

/// <summary>
/// Splits the comment (second) line of an extended XYZ frame into key=value pairs the way ASE does: values may be
/// double-quoted (with backslash escapes) or wrapped in braces, spaces around '=' are allowed, and a bare word is
/// a flag with value "T". Keys are case-insensitive; a later duplicate replaces an earlier one.
/// Text that is not key=value (a plain XYZ title) simply yields flags that nothing looks up.
/// </summary>
internal static class ExtXyzComment
{
    public static Dictionary<string, string> Parse(string line)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var s = line;
        var i = 0;
        while (true)
        {
            SkipSpace(s, ref i);
            if (i >= s.Length) break;
            var key = s[i] == '"' ? ReadQuoted(s, ref i) : ReadBare(s, ref i, stopAtEquals: true);
            var j = i;
            SkipSpace(s, ref j);
            if (j < s.Length && s[j] == '=')
            {
                i = j + 1;
                SkipSpace(s, ref i);
                string value;
                if (i >= s.Length) value = "";
                else if (s[i] == '"') value = ReadQuoted(s, ref i);
                else if (s[i] == '{') value = ReadBraced(s, ref i);
                else value = ReadBare(s, ref i, stopAtEquals: false);
                if (key.Length > 0) result[key] = value;
            }
            else if (key.Length > 0)
            {
                result[key] = "T";
            }
            else
            {
                i++;
            }
        }
        return result;
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
    }

    private static string ReadBare(string s, ref int i, bool stopAtEquals)
    {
        var start = i;
        while (i < s.Length && !char.IsWhiteSpace(s[i]) && !(stopAtEquals && s[i] == '=')) i++;
        return s[start..i];
    }

    private static string ReadQuoted(string s, ref int i)
    {
        var sb = new StringBuilder();
        i++; // opening quote
        while (i < s.Length && s[i] != '"')
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
                sb.Append(s[i] == 'n' ? '\n' : s[i]);
            }
            else
            {
                sb.Append(s[i]);
            }
            i++;
        }
        if (i < s.Length) i++; // closing quote
        return sb.ToString();
    }

    private static string ReadBraced(string s, ref int i)
    {
        var start = i + 1;
        var end = s.IndexOf('}', start);
        if (end < 0)
        {
            i = s.Length;
            return s[start..];
        }
        i = end + 1;
        return s[start..end];
    }
}
