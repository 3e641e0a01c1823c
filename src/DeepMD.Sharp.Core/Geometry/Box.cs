namespace DeepMD.Sharp.Core.Geometry;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A triclinic simulation cell in DeePMD-kit's row-vector convention: the rows of the 3x3 matrix
/// <see cref="Matrix"/> are the lattice vectors a, b, c (Å), stored row-major as
/// <c>XX XY XZ YX YY YZ ZX ZY ZZ</c>, and Cartesian = fractional · Matrix.
/// Each lattice direction may be periodic or not.
/// </summary>
public sealed class Box
{
    private readonly double[] _h;
    private readonly double[] _inverse;
    private readonly bool[] _periodic;

    /// <summary>Creates a box from 9 row-major numbers (rows are lattice vectors) and periodic flags.</summary>
    public Box(ReadOnlySpan<double> rowMajor, bool periodicA = true, bool periodicB = true, bool periodicC = true)
    {
        if (rowMajor.Length != 9) throw new ArgumentException("a box needs 9 numbers", nameof(rowMajor));
        _h = rowMajor.ToArray();
        foreach (var v in _h)
            if (!double.IsFinite(v)) throw new UserInputException($"cell matrix has a non-finite entry: [{string.Join(" ", _h)}]");
        Volume = Det(_h);
        // Singular relative to the vectors' lengths, so boxes in metres (units si) or centimetres are not refused.
        double Len(int r) => Math.Sqrt(_h[3 * r] * _h[3 * r] + _h[3 * r + 1] * _h[3 * r + 1] + _h[3 * r + 2] * _h[3 * r + 2]);
        if (!(Math.Abs(Volume) > 1e-12 * Len(0) * Len(1) * Len(2)))
            throw new UserInputException($"cell matrix is singular (volume {Volume}): [{string.Join(" ", _h)}]; give three independent lattice vectors");
        _inverse = Invert(_h, Volume);
        _periodic = [periodicA, periodicB, periodicC];
        Volume = Math.Abs(Volume);
    }

    /// <summary>An orthorhombic, fully periodic box with edge lengths lx, ly, lz (Å).</summary>
    public static Box Orthorhombic(double lx, double ly, double lz) => new([lx, 0, 0, 0, ly, 0, 0, 0, lz]);

    /// <summary>Row-major cell matrix (rows = lattice vectors), Å.</summary>
    public ReadOnlySpan<double> Matrix => _h;

    /// <summary>Row-major inverse of <see cref="Matrix"/>: fractional = Cartesian · Inverse.</summary>
    public ReadOnlySpan<double> Inverse => _inverse;

    /// <summary>Cell volume, Å³ (positive).</summary>
    public double Volume { get; }

    /// <summary>Whether lattice direction <paramref name="d"/> (0 = a, 1 = b, 2 = c) is periodic.</summary>
    public bool IsPeriodic(int d) => _periodic[d];

    /// <summary>True when any direction is periodic.</summary>
    public bool AnyPeriodic => _periodic[0] || _periodic[1] || _periodic[2];

    /// <summary>Matrix element: component <paramref name="c"/> of lattice vector <paramref name="row"/>.</summary>
    public double this[int row, int c] => _h[3 * row + c];

    /// <summary>Fractional coordinates of a Cartesian point.</summary>
    public (double A, double B, double C) ToFractional(double x, double y, double z)
    {
        var m = _inverse;
        return (x * m[0] + y * m[3] + z * m[6], x * m[1] + y * m[4] + z * m[7], x * m[2] + y * m[5] + z * m[8]);
    }

    /// <summary>Cartesian coordinates of a fractional point.</summary>
    public (double X, double Y, double Z) ToCartesian(double a, double b, double c)
    {
        var h = _h;
        return (a * h[0] + b * h[3] + c * h[6], a * h[1] + b * h[4] + c * h[7], a * h[2] + b * h[5] + c * h[8]);
    }

    /// <summary>
    /// Distance between the two opposite faces spanned by the other two lattice vectors, for direction
    /// <paramref name="d"/>: V / |a_e × a_f|.
    /// </summary>
    public double FaceDistance(int d)
    {
        int e = (d + 1) % 3, f = (d + 2) % 3;
        var cx = this[e, 1] * this[f, 2] - this[e, 2] * this[f, 1];
        var cy = this[e, 2] * this[f, 0] - this[e, 0] * this[f, 2];
        var cz = this[e, 0] * this[f, 1] - this[e, 1] * this[f, 0];
        return Volume / Math.Sqrt(cx * cx + cy * cy + cz * cz);
    }

    /// <summary>
    /// Wraps a point into the cell along periodic directions (fractional coordinate in [0, 1)).
    /// Non-periodic directions are left as they are.
    /// </summary>
    public (double X, double Y, double Z) Wrap(double x, double y, double z)
    {
        var (a, b, c) = ToFractional(x, y, z);
        if (_periodic[0]) a = WrapUnit(a);
        if (_periodic[1]) b = WrapUnit(b);
        if (_periodic[2]) c = WrapUnit(c);
        return ToCartesian(a, b, c);
    }

    /// <summary>
    /// Coordinates farther than this many box lengths outside a periodic box are refused as input errors: wrapping
    /// them would lose every significant digit (at 1e20 Å an atom lands on 0), so they cannot be a real structure.
    /// </summary>
    public const double MaxBoxLengthsOutside = 1e6;

    /// <summary>
    /// How many box lengths the point lies outside the cell along its periodic directions (0 inside; infinity for a
    /// non-finite point). Compare with <see cref="MaxBoxLengthsOutside"/>.
    /// </summary>
    public double BoxLengthsOutside(double x, double y, double z)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || !double.IsFinite(z)) return double.PositiveInfinity;
        var (a, b, c) = ToFractional(x, y, z);
        var far = 0.0;
        if (_periodic[0]) far = Math.Max(far, Outside(a));
        if (_periodic[1]) far = Math.Max(far, Outside(b));
        if (_periodic[2]) far = Math.Max(far, Outside(c));
        return double.IsNaN(far) ? double.PositiveInfinity : far;

        static double Outside(double f) => double.IsFinite(f) ? Math.Max(0, Math.Max(-f, f - 1)) : double.PositiveInfinity;
    }

    /// <summary>Maps a fractional coordinate into [0, 1).</summary>
    public static double WrapUnit(double f)
    {
        var w = f - Math.Floor(f);
        return w >= 1.0 ? 0.0 : w;
    }

    /// <summary>A copy of this box with every lattice vector scaled by the given affine map (row vectors: h' = h · (I + strain)).</summary>
    public Box Deformed(ReadOnlySpan<double> strain3x3)
    {
        var n = new double[9];
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 3; c++)
            {
                double s = 0;
                for (var k = 0; k < 3; k++) s += _h[3 * r + k] * ((k == c ? 1.0 : 0.0) + strain3x3[3 * k + c]);
                n[3 * r + c] = s;
            }
        return new Box(n, _periodic[0], _periodic[1], _periodic[2]);
    }

    private static double Det(double[] m) =>
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);

    private static double[] Invert(double[] m, double det)
    {
        var inv = new double[9];
        inv[0] = (m[4] * m[8] - m[5] * m[7]) / det;
        inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
        inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
        inv[3] = (m[5] * m[6] - m[3] * m[8]) / det;
        inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
        inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
        inv[6] = (m[3] * m[7] - m[4] * m[6]) / det;
        inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
        inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
        return inv;
    }

    public override string ToString() => $"[{string.Join(" ", _h.Select(v => v.ToString("G10", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
