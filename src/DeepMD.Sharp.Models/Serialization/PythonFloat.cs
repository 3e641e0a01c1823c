namespace DeepMD.Sharp.Models.Serialization;

using System.Globalization;
using System.Text;

/// <summary>
/// Formats doubles exactly as Python 3's <c>repr(float)</c> does (shortest round-trip digits; exponent form when the
/// decimal exponent is below -4 or above 16; at least two exponent digits; <c>.0</c> appended to integral values),
/// so that JSON and YAML written here match what <c>json.dumps</c> / <c>yaml.safe_dump</c> write.
/// </summary>
internal static class PythonFloat
{
    /// <summary>Python's <c>repr(v)</c>: <c>nan</c>, <c>inf</c>, <c>-inf</c>, <c>0.1</c>, <c>1e-05</c>, <c>1e+16</c>, <c>2.0</c>.</summary>
    public static string Repr(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";

        // .NET's "R" is the shortest string that round-trips, like Python's repr; only the layout differs.
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative) r = r[1..];
        var ePos = r.IndexOfAny(['E', 'e']);
        var mantissa = ePos < 0 ? r : r[..ePos];
        var exponent = ePos < 0 ? 0 : int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var decpt = (dot < 0 ? mantissa.Length : dot) + exponent; // value = 0.digits * 10^decpt
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..].TrimEnd('0');
        decpt -= lead;

        var sb = new StringBuilder(digits.Length + 8);
        if (negative) sb.Append('-');
        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            var e = decpt - 1;
            sb.Append(e < 0 ? "e-" : "e+").Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt >= digits.Length)
        {
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        return sb.ToString();
    }

    /// <summary>What Python's <c>json.dumps</c> writes for a float (<c>NaN</c>, <c>Infinity</c>, <c>-Infinity</c>, else repr).</summary>
    public static string Json(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "Infinity" : double.IsNegativeInfinity(v) ? "-Infinity" : Repr(v);

    /// <summary>
    /// What PyYAML's <c>safe_dump</c> writes for a float: <c>.nan</c>, <c>.inf</c>, <c>-.inf</c>, else the lower-case repr
    /// with <c>.0</c> inserted before an exponent that has no decimal point (YAML 1.1 floats need the dot).
    /// </summary>
    public static string Yaml(double v)
    {
        if (double.IsNaN(v)) return ".nan";
        if (double.IsPositiveInfinity(v)) return ".inf";
        if (double.IsNegativeInfinity(v)) return "-.inf";
        var s = Repr(v);
        var e = s.IndexOf('e');
        if (e >= 0 && s.IndexOf('.') < 0) s = s.Insert(e, ".0");
        return s;
    }
}
