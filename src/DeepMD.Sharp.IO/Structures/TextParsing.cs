namespace DeepMD.Sharp.IO;

using System.Globalization;

/// <summary>Culture-invariant tokenizing and number parsing shared by the structure readers.</summary>
internal static class TextParsing
{
    private static readonly char[] Whitespace = [' ', '\t', '\r', '\f', '\v'];

    /// <summary>Splits a line on whitespace, dropping empty tokens.</summary>
    public static string[] Tokens(string line) => line.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>True when the line holds only whitespace.</summary>
    public static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line);

    /// <summary>
    /// Parses a real number in invariant culture. Besides the usual forms it accepts <c>nan</c>, <c>inf</c>,
    /// <c>infinity</c> (any case, optional sign) and Fortran <c>D</c> exponents (<c>1.5D-03</c>).
    /// </summary>
    public static bool TryDouble(string s, out double value)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        var t = s.Trim();
        var negative = false;
        if (t.StartsWith('+') || t.StartsWith('-'))
        {
            negative = t[0] == '-';
            t = t[1..];
        }
        if (t.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }
        if (t.Equals("inf", StringComparison.OrdinalIgnoreCase) || t.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }
        if (s.IndexOfAny(['d', 'D']) >= 0)
            return double.TryParse(s.Replace('d', 'e').Replace('D', 'E'), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        value = 0;
        return false;
    }

    /// <summary>Parses a base-10 integer in invariant culture.</summary>
    public static bool TryInt(string s, out int value) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
            CultureInfo.InvariantCulture, out value);

    /// <summary>Formats a number so that it parses back to the same double.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Shortens a line for quoting in an error message.</summary>
    public static string Quote(string text)
    {
        var t = text.Trim();
        return t.Length <= 60 ? $"'{t}'" : $"'{t[..57]}...'";
    }
}
