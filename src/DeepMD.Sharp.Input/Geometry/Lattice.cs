namespace DeepMD.Sharp.Input.Geometry;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A LAMMPS <c>lattice</c> (sc, bcc, fcc, hcp, diamond, sq, sq2, hex, none) with the default orientation and origin.
/// Points are mapped to the box exactly as LAMMPS' lattice2box does (primitive vectors, scale, rotation, origin),
/// so created coordinates are bit-identical to LAMMPS'.
/// </summary>
public sealed class Lattice
{
    private readonly double[,] _primitive = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
    private readonly double[,] _rotate = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
    private readonly double[] _origin = [0, 0, 0];

    private Lattice(string style, double scale, double[][] basis)
    {
        Style = style;
        Scale = scale;
        Basis = basis;
    }

    public string Style { get; }

    /// <summary>Lattice constant (distance units).</summary>
    public double Scale { get; }

    /// <summary>Basis atoms in lattice (fractional) units.</summary>
    public double[][] Basis { get; }

    /// <summary>Lattice spacings along x, y, z (the extent of one unit cell), distance units.</summary>
    public double XLattice { get; private set; } = 1;

    public double YLattice { get; private set; } = 1;

    public double ZLattice { get; private set; } = 1;

    /// <summary>The <c>lattice none S</c> default: spacing S, no basis.</summary>
    public static Lattice None(double scale) => new("none", scale, []) { XLattice = scale, YLattice = scale, ZLattice = scale };

    /// <summary>
    /// Creates a lattice. <paramref name="scaleOrDensity"/> is the lattice constant, or in lj units the reduced
    /// density from which LAMMPS derives it: (basis atoms / cell volume / ρ*)^(1/3).
    /// </summary>
    public static Lattice Create(string style, double scaleOrDensity, bool ljUnits)
    {
        double[][] basis = style switch
        {
            "sc" => [[0, 0, 0]],
            "bcc" => [[0, 0, 0], [0.5, 0.5, 0.5]],
            "fcc" => [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]],
            "diamond" => [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0], [0.25, 0.25, 0.25], [0.25, 0.75, 0.75], [0.75, 0.25, 0.75], [0.75, 0.75, 0.25]],
            "hcp" => [[0, 0, 0], [0.5, 0.5, 0], [0.5, 5.0 / 6.0, 0.5], [0, 1.0 / 3.0, 0.5]],
            _ => throw new UserInputException($"lattice style '{style}' is not supported; use sc, bcc, fcc, hcp, diamond or none"),
        };
        if (!(scaleOrDensity > 0)) throw new UserInputException($"lattice scale must be positive, got {scaleOrDensity}");
        var l = new Lattice(style, 0, basis);
        if (style == "hcp")
        {
            l._primitive[1, 1] = Math.Sqrt(3.0);
            l._primitive[2, 2] = Math.Sqrt(8.0 / 3.0);
        }
        var p = l._primitive;
        var volume = p[0, 0] * (p[1, 1] * p[2, 2] - p[1, 2] * p[2, 1]) - p[0, 1] * (p[1, 0] * p[2, 2] - p[1, 2] * p[2, 0]) + p[0, 2] * (p[1, 0] * p[2, 1] - p[1, 1] * p[2, 0]);
        var scale = ljUnits ? Math.Pow(basis.Length / volume / scaleOrDensity, 1.0 / 3.0) : scaleOrDensity;
        var lat = new Lattice(style, scale, basis);
        Array.Copy(l._primitive, lat._primitive, 9);
        lat.ComputeSpacings();
        return lat;
    }

    private void ComputeSpacings()
    {
        double xmin = double.MaxValue, ymin = double.MaxValue, zmin = double.MaxValue;
        double xmax = double.MinValue, ymax = double.MinValue, zmax = double.MinValue;
        XLattice = YLattice = ZLattice = 0;
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 2; j++)
                for (var k = 0; k < 2; k++)
                {
                    var (x, y, z) = ToBox(i, j, k);
                    xmin = Math.Min(xmin, x);
                    ymin = Math.Min(ymin, y);
                    zmin = Math.Min(zmin, z);
                    xmax = Math.Max(xmax, x);
                    ymax = Math.Max(ymax, y);
                    zmax = Math.Max(zmax, z);
                }
        XLattice = xmax - xmin;
        YLattice = ymax - ymin;
        ZLattice = zmax - zmin;
    }

    /// <summary>Lattice coordinates → box coordinates (LAMMPS' lattice2box).</summary>
    public (double X, double Y, double Z) ToBox(double x, double y, double z)
    {
        var p = _primitive;
        var x1 = p[0, 0] * x + p[0, 1] * y + p[0, 2] * z;
        var y1 = p[1, 0] * x + p[1, 1] * y + p[1, 2] * z;
        var z1 = p[2, 0] * x + p[2, 1] * y + p[2, 2] * z;
        x1 *= Scale;
        y1 *= Scale;
        z1 *= Scale;
        var r = _rotate;
        var xn = r[0, 0] * x1 + r[0, 1] * y1 + r[0, 2] * z1;
        var yn = r[1, 0] * x1 + r[1, 1] * y1 + r[1, 2] * z1;
        var zn = r[2, 0] * x1 + r[2, 1] * y1 + r[2, 2] * z1;
        return (xn + XLattice * _origin[0], yn + YLattice * _origin[1], zn + ZLattice * _origin[2]);
    }

    /// <summary>Box coordinates → lattice coordinates (for the loop bounds only; inverse of <see cref="ToBox"/> for the default orientation).</summary>
    public (double X, double Y, double Z) ToLattice(double x, double y, double z) =>
        (x / (Scale * _primitive[0, 0]), y / (Scale * _primitive[1, 1]), z / (Scale * _primitive[2, 2]));
}
