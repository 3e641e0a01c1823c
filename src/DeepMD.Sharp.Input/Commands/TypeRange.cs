namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;

/// <summary>LAMMPS type ranges: <c>3</c>, <c>*</c>, <c>2*</c>, <c>*4</c>, <c>2*4</c> (1-based, inclusive).</summary>
public static class TypeRange
{
    public static (int Lo, int Hi) Parse(DeckArguments args, string text, int count)
    {
        int P(string s, int dflt) => s.Length == 0 ? dflt
            : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw args.Error($"'{text}' is not a type or type range (e.g. 1, *, 2*3)");
        int lo, hi;
        var star = text.IndexOf('*');
        if (star < 0) lo = hi = P(text, 0);
        else
        {
            lo = P(text[..star], 1);
            hi = P(text[(star + 1)..], count);
        }
        if (lo < 1 || hi > count || lo > hi) throw args.Error($"type range '{text}' is outside 1..{count}");
        return (lo, hi);
    }
}
