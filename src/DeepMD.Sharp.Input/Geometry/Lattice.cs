namespace DeepMD.Sharp.Input.Geometry;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A LAMMPS <c>lattice</c>: styles sc, bcc, fcc, hcp, diamond (3-d), sq, sq2, hex (2-d), custom (either) and none, with
/// the options <c>origin</c>, <c>orient x|y|z i j k</c>, <c>spacing</c>, and for custom <c>a1 a2 a3 basis</c>. Points are
/// mapped to the box exactly as LAMMPS' lattice2box does (primitive vectors as columns, scale, the rows of the
/// normalised orient vectors, origin times the spacings), so created coordinates are bit-identical to LAMMPS'. The
/// spacings are the extent of the rotated unit cell's bounding box (or <c>spacing</c> times the scale); in lj units the
/// scale comes from the reduced density: (basis atoms / cell volume or area / ρ*)^(1/dimension). Invalid settings are
/// refused with LAMMPS' error texts.
/// </summary>
public sealed class Lattice
{
    private readonly double[,] _primitive = new double[3, 3];
    private readonly double[,] _primInv = new double[3, 3];
    private readonly double[,] _rotateRow = new double[3, 3];
    private readonly double[,] _rotateCol = new double[3, 3];
    private readonly double[] _origin = [0, 0, 0];

    private Lattice(string style, double scale, double[][] basis)
    {
        Style = style;
        Scale = scale;
        Basis = basis;
    }

    public string Style { get; }

    /// <summary>Lattice constant (distance units).</summary>
    public double Scale { get; private set; }

    /// <summary>Basis atoms in lattice (fractional) units.</summary>
    public double[][] Basis { get; }

    /// <summary>Lattice spacings along x, y, z (the extent of one unit cell), distance units.</summary>
    public double XLattice { get; private set; } = 1;

    public double YLattice { get; private set; } = 1;

    public double ZLattice { get; private set; } = 1;

    /// <summary>The <c>lattice none S</c> default: spacing S, no basis.</summary>
    public static Lattice None(double scale) =>
        scale > 0 ? new("none", scale, []) { XLattice = scale, YLattice = scale, ZLattice = scale } : throw Illegal();

    /// <summary>A lattice of a style with the default orientation and origin (<c>lattice STYLE SCALE</c> in 3-d).</summary>
    public static Lattice Create(string style, double scaleOrDensity, bool ljUnits) =>
        Parse([style, scaleOrDensity.ToString("R", System.Globalization.CultureInfo.InvariantCulture)], 3, ljUnits);

    private static UserInputException Illegal() => new("Illegal lattice command");

    private static double Number(IReadOnlyList<string> w, int i)
    {
        if (i >= w.Count) throw Illegal();
        return double.TryParse(w[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v : throw new UserInputException($"Expected floating point parameter instead of '{w[i]}' in input script or data file");
    }

    private static int Integer(IReadOnlyList<string> w, int i)
    {
        if (i >= w.Count) throw Illegal();
        return int.TryParse(w[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : throw new UserInputException($"Expected integer parameter instead of '{w[i]}' in input script or data file");
    }

    /// <summary>
    /// The lattice of a <c>lattice</c> command's words (style, scale, options) in a <paramref name="dimension"/>-d
    /// simulation, as LAMMPS' Lattice constructor builds and checks it.
    /// </summary>
    public static Lattice Parse(IReadOnlyList<string> w, int dimension, bool ljUnits)
    {
        if (w.Count < 1) throw Illegal();
        var style = w[0];
        if (style is not ("none" or "sc" or "bcc" or "fcc" or "hcp" or "diamond" or "sq" or "sq2" or "hex" or "custom")) throw Illegal();
        if (style == "none")
        {
            if (w.Count != 2) throw Illegal();
            return None(Number(w, 1));
        }
        if (dimension == 2 && style is "sc" or "bcc" or "fcc" or "hcp" or "diamond")
            throw new UserInputException("Lattice style incompatible with simulation dimension");
        if (dimension == 3 && style is "sq" or "sq2" or "hex")
            throw new UserInputException("Lattice style incompatible with simulation dimension");
        if (w.Count < 2) throw Illegal();
        var scale = Number(w, 1);
        if (scale <= 0) throw Illegal();

        var basis = new List<double[]>(style switch
        {
            "sc" or "sq" => [[0, 0, 0]],
            "bcc" => [[0, 0, 0], [0.5, 0.5, 0.5]],
            "fcc" => [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]],
            "hcp" => [[0, 0, 0], [0.5, 0.5, 0], [0.5, 5.0 / 6.0, 0.5], [0, 1.0 / 3.0, 0.5]],
            "sq2" or "hex" => [[0, 0, 0], [0.5, 0.5, 0]],
            "diamond" => [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0], [0.25, 0.25, 0.25], [0.25, 0.75, 0.75], [0.75, 0.25, 0.75], [0.75, 0.75, 0.25]],
            _ => [],
        });
        double[] origin = [0, 0, 0];
        int[][] orient = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
        double[][] a = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
        if (style == "hex") a[1][1] = Math.Sqrt(3.0);
        if (style == "hcp")
        {
            a[1][1] = Math.Sqrt(3.0);
            a[2][2] = Math.Sqrt(8.0 / 3.0);
        }
        var spacing = false;
        double sx = 0, sy = 0, sz = 0;
        var k = 2;
        while (k < w.Count)
        {
            switch (w[k])
            {
                case "origin":
                    if (k + 4 > w.Count) throw Illegal();
                    for (var d = 0; d < 3; d++) origin[d] = Number(w, k + 1 + d);
                    if (origin.Any(o => o < 0.0 || o >= 1.0)) throw Illegal();
                    k += 4;
                    break;
                case "orient":
                    if (k + 5 > w.Count) throw Illegal();
                    var axis = w[k + 1] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw Illegal() };
                    for (var d = 0; d < 3; d++) orient[axis][d] = Integer(w, k + 2 + d);
                    k += 5;
                    break;
                case "spacing":
                    if (k + 4 > w.Count) throw Illegal();
                    spacing = true;
                    (sx, sy, sz) = (Number(w, k + 1), Number(w, k + 2), Number(w, k + 3));
                    k += 4;
                    break;
                case "a1" or "a2" or "a3":
                    if (k + 4 > w.Count) throw Illegal();
                    if (style != "custom") throw new UserInputException("Invalid option in lattice command for non-custom style");
                    var v = a[w[k][1] - '1'];
                    for (var d = 0; d < 3; d++) v[d] = Number(w, k + 1 + d);
                    k += 4;
                    break;
                case "basis":
                    if (k + 4 > w.Count) throw Illegal();
                    if (style != "custom") throw new UserInputException("Invalid option in lattice command for non-custom style");
                    double[] b = [Number(w, k + 1), Number(w, k + 2), Number(w, k + 3)];
                    if (b.Any(x => x < 0.0 || x >= 1.0)) throw Illegal();
                    basis.Add(b);
                    k += 4;
                    break;
                default:
                    throw Illegal();
            }
        }

        if (basis.Count == 0) throw new UserInputException("No basis atoms in lattice");
        static int Dot(int[] p, int[] q) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
        if (Dot(orient[0], orient[1]) != 0 || Dot(orient[1], orient[2]) != 0 || Dot(orient[0], orient[2]) != 0)
            throw new UserInputException("Lattice orient vectors are not orthogonal");
        int[] xy = [orient[0][1] * orient[1][2] - orient[0][2] * orient[1][1], orient[0][2] * orient[1][0] - orient[0][0] * orient[1][2], orient[0][0] * orient[1][1] - orient[0][1] * orient[1][0]];
        if (Dot(xy, orient[2]) <= 0) throw new UserInputException("Lattice orient vectors are not right-handed");
        static double[] Cross(double[] p, double[] q) => [p[1] * q[2] - p[2] * q[1], p[2] * q[0] - p[0] * q[2], p[0] * q[1] - p[1] * q[0]];
        static double DotD(double[] p, double[] q) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
        foreach (var (p, q) in new[] { (a[0], a[1]), (a[1], a[2]), (a[0], a[2]) })
        {
            var c = Cross(p, q);
            if (DotD(c, c) == 0.0) throw new UserInputException("Lattice primitive vectors are collinear");
        }
        if (dimension == 2)
        {
            if (origin[2] != 0.0 || orient[0][2] != 0 || orient[1][2] != 0 || orient[2][0] != 0 || orient[2][1] != 0
                || a[0][2] != 0.0 || a[1][2] != 0.0 || a[2][0] != 0.0 || a[2][1] != 0.0)
                throw new UserInputException("Lattice settings are not compatible with 2d simulation");
        }
        if (spacing && (sx <= 0.0 || sy <= 0.0 || sz <= 0.0)) throw new UserInputException("Lattice spacings are invalid");

        if (ljUnits)
        {
            var volume = DotD(a[0], Cross(a[1], a[2]));
            scale = Math.Pow(basis.Count / volume / scale, 1.0 / dimension);
        }
        var lat = new Lattice(style, scale, [.. basis]);
        origin.CopyTo(lat._origin, 0);
        lat.SetupTransform(a, orient);
        if (!spacing)
        {
            // Extent of the unit cell's 8 corners in box space (the origin offset is left out: spacings are still 0).
            lat.XLattice = lat.YLattice = lat.ZLattice = 0;
            double xmin = 1e30, ymin = 1e30, zmin = 1e30, xmax = -1e30, ymax = -1e30, zmax = -1e30;
            foreach (var (i, j, m) in Corners)
            {
                var (x, y, z) = lat.ToBox(i, j, m);
                (xmin, ymin, zmin) = (Math.Min(x, xmin), Math.Min(y, ymin), Math.Min(z, zmin));
                (xmax, ymax, zmax) = (Math.Max(x, xmax), Math.Max(y, ymax), Math.Max(z, zmax));
            }
            (lat.XLattice, lat.YLattice, lat.ZLattice) = (xmax - xmin, ymax - ymin, zmax - zmin);
        }
        else (lat.XLattice, lat.YLattice, lat.ZLattice) = (sx * scale, sy * scale, sz * scale);
        return lat;
    }

    /// <summary>The unit cell's corners in LAMMPS' order.</summary>
    private static readonly (double, double, double)[] Corners =
        [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0), (0, 0, 1), (1, 0, 1), (0, 1, 1), (1, 1, 1)];

    private void SetupTransform(double[][] a, int[][] orient)
    {
        var p = _primitive;
        for (var d = 0; d < 3; d++)
        {
            p[d, 0] = a[0][d];
            p[d, 1] = a[1][d];
            p[d, 2] = a[2][d];
        }
        var det = p[0, 0] * p[1, 1] * p[2, 2] + p[0, 1] * p[1, 2] * p[2, 0] + p[0, 2] * p[1, 0] * p[2, 1]
            - p[0, 0] * p[1, 2] * p[2, 1] - p[0, 1] * p[1, 0] * p[2, 2] - p[0, 2] * p[1, 1] * p[2, 0];
        if (det == 0.0) throw new UserInputException("Degenerate lattice primitive vectors");
        var q = _primInv;
        q[0, 0] = (p[1, 1] * p[2, 2] - p[1, 2] * p[2, 1]) / det;
        q[1, 0] = (p[1, 2] * p[2, 0] - p[1, 0] * p[2, 2]) / det;
        q[2, 0] = (p[1, 0] * p[2, 1] - p[1, 1] * p[2, 0]) / det;
        q[0, 1] = (p[0, 2] * p[2, 1] - p[0, 1] * p[2, 2]) / det;
        q[1, 1] = (p[0, 0] * p[2, 2] - p[0, 2] * p[2, 0]) / det;
        q[2, 1] = (p[0, 1] * p[2, 0] - p[0, 0] * p[2, 1]) / det;
        q[0, 2] = (p[0, 1] * p[1, 2] - p[0, 2] * p[1, 1]) / det;
        q[1, 2] = (p[0, 2] * p[1, 0] - p[0, 0] * p[1, 2]) / det;
        q[2, 2] = (p[0, 0] * p[1, 1] - p[0, 1] * p[1, 0]) / det;
        for (var r = 0; r < 3; r++)
        {
            var o = orient[r];
            var length = Math.Sqrt((double)(o[0] * o[0] + o[1] * o[1] + o[2] * o[2]));
            if (length == 0.0) throw new UserInputException("Zero-length lattice orient vector");
            for (var d = 0; d < 3; d++)
            {
                _rotateRow[r, d] = o[d] / length;
                _rotateCol[d, r] = _rotateRow[r, d];
            }
        }
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
        var r = _rotateRow;
        var xn = r[0, 0] * x1 + r[0, 1] * y1 + r[0, 2] * z1;
        var yn = r[1, 0] * x1 + r[1, 1] * y1 + r[1, 2] * z1;
        var zn = r[2, 0] * x1 + r[2, 1] * y1 + r[2, 2] * z1;
        return (xn + XLattice * _origin[0], yn + YLattice * _origin[1], zn + ZLattice * _origin[2]);
    }

    /// <summary>Box coordinates → lattice coordinates (LAMMPS' box2lattice; used for the create_atoms loop bounds).</summary>
    public (double X, double Y, double Z) ToLattice(double x, double y, double z)
    {
        x -= XLattice * _origin[0];
        y -= YLattice * _origin[1];
        z -= ZLattice * _origin[2];
        var r = _rotateCol;
        var x1 = r[0, 0] * x + r[0, 1] * y + r[0, 2] * z;
        var y1 = r[1, 0] * x + r[1, 1] * y + r[1, 2] * z;
        var z1 = r[2, 0] * x + r[2, 1] * y + r[2, 2] * z;
        x1 /= Scale;
        y1 /= Scale;
        z1 /= Scale;
        var q = _primInv;
        return (q[0, 0] * x1 + q[0, 1] * y1 + q[0, 2] * z1, q[1, 0] * x1 + q[1, 1] * y1 + q[1, 2] * z1, q[2, 0] * x1 + q[2, 1] * y1 + q[2, 2] * z1);
    }
}
