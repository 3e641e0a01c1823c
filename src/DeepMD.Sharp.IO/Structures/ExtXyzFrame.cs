namespace DeepMD.Sharp.IO;

using System.Globalization;
using DeepMD.Sharp.Core.Atoms;

/// <summary>
/// One frame of an extended XYZ file: the <see cref="Core.Atoms.Structure"/> plus the other information the frame
/// carries (comment-line key=value pairs and numeric per-atom columns such as forces).
/// </summary>
public sealed class ExtXyzFrame
{
    private readonly IReadOnlyDictionary<string, int> _widths;

    internal ExtXyzFrame(Structure structure, IReadOnlyDictionary<string, string> info,
        IReadOnlyDictionary<string, double[]> arrays, IReadOnlyDictionary<string, int> widths, int line)
    {
        _widths = widths;
        Structure = structure;
        Info = info;
        Arrays = arrays;
        Line = line;
    }

    /// <summary>The atoms, positions and box of the frame.</summary>
    public Structure Structure { get; }

    /// <summary>
    /// Comment-line key=value pairs other than Lattice, Properties and pbc (keys case-insensitive, values as
    /// written without quotes; a bare word has value "T").
    /// </summary>
    public IReadOnlyDictionary<string, string> Info { get; }

    /// <summary>
    /// Numeric per-atom columns other than species and pos, keyed by their Properties name (case-insensitive):
    /// row-major, <c>Structure.Count × width</c> values. Integer columns are converted to double, logical ones to 0/1.
    /// </summary>
    public IReadOnlyDictionary<string, double[]> Arrays { get; }

    /// <summary>1-based line of the frame's atom-count line.</summary>
    public int Line { get; }

    /// <summary>The <c>energy</c> value of the comment line, if present and numeric.</summary>
    public double? Energy =>
        Info.TryGetValue("energy", out var s) && TextParsing.TryDouble(s, out var e) ? e : null;

    /// <summary>The <c>forces</c> column (3 per atom, row-major), if present.</summary>
    public double[]? Forces =>
        Arrays.TryGetValue("forces", out var f) && Width("forces") == 3 ? f : null;

    /// <summary>Width (values per atom) of the numeric column <paramref name="name"/>, or 0 when absent.</summary>
    public int Width(string name) => _widths.TryGetValue(name, out var w) ? w : 0;

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"frame at line {Line}: {Structure.Count} atoms");
}
