namespace DeepMD.Sharp.IO;

using System.Globalization;

/// <summary>
/// The few C printf conversions LAMMPS output uses (<c>%g</c>, <c>%e</c>, <c>%f</c>, <c>%d</c> with width and
/// precision), so thermo and dump text matches LAMMPS character for character.
/// </summary>
public static class CFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary><c>%W.Pg</c>: shortest of fixed/scientific with P significant digits, trailing zeros removed; width W right-aligned (negative W: left).</summary>
    public static string G(double v, int precision = 6, int width = 0)
    {
        string s;
        if (double.IsNaN(v)) s = v < 0 || double.IsNegative(v) ? "-nan" : "nan";
        else if (double.IsInfinity(v)) s = v > 0 ? "inf" : "-inf";
        else
        {
            var p = precision == 0 ? 1 : precision;
            if (v == 0) s = double.IsNegative(v) ? "-0" : "0";
            else
            {
                var e = v.ToString("E" + (p - 1), Inv);
                var exp = int.Parse(e[(e.IndexOf('E') + 1)..], Inv);
                if (exp < -4 || exp >= p)
                {
                    var mant = e[..e.IndexOf('E')];
                    if (mant.Contains('.')) mant = mant.TrimEnd('0').TrimEnd('.');
                    s = mant + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", Inv);
                }
                else
                {
                    s = v.ToString("F" + (p - 1 - exp), Inv);
                    if (s.Contains('.')) s = s.TrimEnd('0').TrimEnd('.');
                }
            }
        }
        return Pad(s, width);
    }

    /// <summary><c>%W.Pe</c>.</summary>
    public static string E(double v, int precision = 6, int width = 0)
    {
        if (!double.IsFinite(v)) return G(v, precision, width);
        // .NET's standard "E" format gives correctly rounded digits at any precision (a custom "0.000e+00" pattern stops
        // at 15 significant digits); C writes the exponent with at least two digits, lower-case e.
        var s = v.ToString("E" + precision.ToString(Inv), Inv);
        var k = s.IndexOf('E');
        var exponent = s[(k + 2)..].TrimStart('0').PadLeft(2, '0');
        return Pad(string.Concat(s.AsSpan(0, k), "e", s.AsSpan(k + 1, 1), exponent), width);
    }

    /// <summary><c>%W.Pf</c>.</summary>
    public static string F(double v, int precision = 6, int width = 0)
    {
        if (!double.IsFinite(v)) return G(v, precision, width);
        return Pad(v.ToString("F" + precision, Inv), width);
    }

    /// <summary><c>%Wd</c>.</summary>
    public static string D(long v, int width = 0) => Pad(v.ToString(Inv), width);

    /// <summary>Formats one number with a single printf conversion: <c>%[-][W][.P](g|e|f|d)</c>.</summary>
    public static string Printf(string format, double v)
    {
        var m = System.Text.RegularExpressions.Regex.Match(format, @"^%(-?)(\d*)(?:\.(\d+))?(l?[gefdi])$");
        if (!m.Success) throw new Core.Errors.UserInputException($"number format '{format}' is not supported; use %W.Pg, %W.Pe, %W.Pf or %Wd");
        var width = m.Groups[2].Value.Length > 0 ? int.Parse(m.Groups[2].Value, Inv) : 0;
        if (m.Groups[1].Value == "-") width = -width;
        var prec = m.Groups[3].Value.Length > 0 ? int.Parse(m.Groups[3].Value, Inv) : 6;
        return m.Groups[4].Value.TrimStart('l') switch
        {
            "g" => G(v, prec, width),
            "e" => E(v, prec, width),
            "f" => F(v, prec, width),
            _ => D((long)v, width),
        };
    }

    private static string Pad(string s, int width) =>
        width > 0 ? s.PadLeft(width) : width < 0 ? s.PadRight(-width) : s;
}
