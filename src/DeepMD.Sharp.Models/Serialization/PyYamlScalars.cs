namespace DeepMD.Sharp.Models.Serialization;

using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

/// <summary>
/// Resolves plain (unquoted) YAML scalars to null, bool, long, double or string with the YAML 1.1 rules of PyYAML's
/// <c>SafeLoader</c>, which is what DeePMD-kit reads its <c>.yaml</c> files with. Notably a float needs a decimal point
/// (<c>1.0e-05</c>; <c>1e-05</c> is a string), <c>yes</c>/<c>off</c> are booleans, hex <c>0x1f</c>, octal <c>017</c>
/// and base-60 <c>1:30</c> are integers, and timestamps stay strings (the tree has no date type).
/// </summary>
internal static partial class PyYamlScalars
{
    [GeneratedRegex("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$", RegexOptions.CultureInvariant)]
    private static partial Regex BoolPattern();

    [GeneratedRegex(@"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();

    /// <summary>Characters a string may consist of to be written plain (unquoted) by our writer.</summary>
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-/]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafePlainPattern();

    /// <summary>The value PyYAML's safe loader gives a plain scalar.</summary>
    public static object? Resolve(string text)
    {
        if (text.Length == 0 || text is "~" or "null" or "Null" or "NULL") return null;
        var c = text[0];
        if (c is (>= '0' and <= '9') or '-' or '+' or '.')
        {
            if (FloatPattern().IsMatch(text)) return ParseFloat(text);
            if (IntPattern().IsMatch(text)) return ParseInt(text);
            return text;
        }
        if (BoolPattern().IsMatch(text)) return c is 'y' or 'Y' or 't' or 'T' || text is "on" or "On" or "ON";
        return text;
    }

    /// <summary>Whether <paramref name="s"/> can be written without quotes and still reads back as the same string.</summary>
    public static bool CanWritePlain(string s) =>
        SafePlainPattern().IsMatch(s) && Resolve(s) is string && s is not ("y" or "Y" or "n" or "N");

    /// <summary>Parses an explicit <c>!!int</c> or a plain integer (PyYAML's <c>construct_yaml_int</c>).</summary>
    public static object? ParseInt(string text)
    {
        var v = text.Replace("_", "", StringComparison.Ordinal);
        var sign = 1;
        if (v.StartsWith('-')) { sign = -1; v = v[1..]; }
        else if (v.StartsWith('+')) v = v[1..];
        if (v.Length == 0) return null;
        BigInteger n;
        if (v == "0") n = 0;
        else if (v.StartsWith("0b", StringComparison.Ordinal)) n = ParseBase(v[2..], 2);
        else if (v.StartsWith("0x", StringComparison.Ordinal)) n = ParseBase(v[2..], 16);
        else if (v[0] == '0') n = ParseBase(v[1..], 8);
        else if (v.Contains(':'))
        {
            n = 0;
            foreach (var part in v.Split(':')) n = n * 60 + BigInteger.Parse(part, CultureInfo.InvariantCulture);
        }
        else n = BigInteger.Parse(v, CultureInfo.InvariantCulture);
        n *= sign;
        return n >= long.MinValue && n <= long.MaxValue ? (object)(long)n : (double)n;
    }

    /// <summary>Parses an explicit <c>!!float</c> or a plain float (PyYAML's <c>construct_yaml_float</c>).</summary>
    public static object? ParseFloat(string text)
    {
        var v = text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        var sign = 1.0;
        if (v.StartsWith('-')) { sign = -1; v = v[1..]; }
        else if (v.StartsWith('+')) v = v[1..];
        if (v == ".inf") return sign * double.PositiveInfinity;
        if (v == ".nan") return double.NaN;
        if (v.Contains(':'))
        {
            var parts = v.Split(':');
            double result = 0, factor = 1;
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) return null;
                result += p * factor;
                factor *= 60;
            }
            return sign * result;
        }
        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? sign * d : null;
    }

    private static BigInteger ParseBase(string digits, int radix)
    {
        BigInteger n = 0;
        foreach (var ch in digits)
        {
            var d = ch switch
            {
                >= '0' and <= '9' => ch - '0',
                >= 'a' and <= 'f' => ch - 'a' + 10,
                >= 'A' and <= 'F' => ch - 'A' + 10,
                _ => radix,
            };
            if (d >= radix) throw new FormatException($"'{digits}' is not a base-{radix} integer");
            n = n * radix + d;
        }
        return n;
    }
}
