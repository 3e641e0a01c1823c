namespace DeepMD.Sharp.Electrolytes;

using System.Globalization;
using DeepMD.Sharp.IO;

/// <summary>
/// One molecule (or ion) to pack: element symbols, Cartesian coordinates (Å), partial charges (e), the formal
/// charge of the whole molecule, and its bonds and angles (0-based atom indices), perceived from the geometry.
/// </summary>
public sealed class MoleculeTemplate
{
    /// <summary>A template from its atoms; bonds are perceived from distances, angles from bonds.</summary>
    public MoleculeTemplate(string name, string[] elements, double[] xyz, double[] charges, int formalCharge, string chargeNote)
    {
        if (xyz.Length != 3 * elements.Length || charges.Length != elements.Length)
            throw new ArgumentException($"molecule {name}: {elements.Length} atoms but {xyz.Length / 3} positions and {charges.Length} charges");
        Name = name;
        Elements = elements;
        Positions = xyz;
        Charges = charges;
        FormalCharge = formalCharge;
        ChargeNote = chargeNote;
        Bonds = PerceiveBonds(elements, xyz);
        Angles = AnglesFrom(elements.Length, Bonds);
        Mass = elements.Sum(e => ChemicalElements.Mass(e) ?? throw new ArgumentException($"molecule {name}: unknown element {e}"));
    }

    public string Name { get; }

    public string[] Elements { get; }

    /// <summary>x0, y0, z0, x1, … in Å.</summary>
    public double[] Positions { get; }

    /// <summary>Partial charges (e); they sum to <see cref="FormalCharge"/>.</summary>
    public double[] Charges { get; }

    /// <summary>Net charge of the molecule in units of e (Li+ = 1, PF6- = −1, solvents 0).</summary>
    public int FormalCharge { get; }

    /// <summary>Where the partial charges come from.</summary>
    public string ChargeNote { get; }

    public int AtomCount => Elements.Length;

    /// <summary>Molar mass (g/mol) from IUPAC standard atomic weights.</summary>
    public double Mass { get; }

    public IReadOnlyList<(int I, int J)> Bonds { get; }

    public IReadOnlyList<(int I, int J, int K)> Angles { get; }

    /// <summary>Covalent radii (Å), Cordero et al., Dalton Trans. 2008, 2832.</summary>
    private static double CovalentRadius(string element) => element switch
    {
        "H" => 0.31, "Li" => 1.28, "B" => 0.84, "C" => 0.76, "N" => 0.71, "O" => 0.66, "F" => 0.57, "P" => 1.07, "S" => 1.05,
        _ => 1.0,
    };

    /// <summary>A bond where the distance is below 1.2 × the sum of covalent radii (no bonds to Li+).</summary>
    private static List<(int, int)> PerceiveBonds(string[] el, double[] x)
    {
        var bonds = new List<(int, int)>();
        for (var i = 0; i < el.Length; i++)
            for (var j = i + 1; j < el.Length; j++)
            {
                if (el[i] == "Li" || el[j] == "Li") continue;
                double dx = x[3 * j] - x[3 * i], dy = x[3 * j + 1] - x[3 * i + 1], dz = x[3 * j + 2] - x[3 * i + 2];
                if (Math.Sqrt(dx * dx + dy * dy + dz * dz) < 1.2 * (CovalentRadius(el[i]) + CovalentRadius(el[j]))) bonds.Add((i, j));
            }
        return bonds;
    }

    private static List<(int, int, int)> AnglesFrom(int n, IReadOnlyList<(int I, int J)> bonds)
    {
        var nbr = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        foreach (var (i, j) in bonds)
        {
            nbr[i].Add(j);
            nbr[j].Add(i);
        }
        var angles = new List<(int, int, int)>();
        for (var c = 0; c < n; c++)
            for (var a = 0; a < nbr[c].Count; a++)
                for (var b = a + 1; b < nbr[c].Count; b++)
                    angles.Add((nbr[c][a], c, nbr[c][b]));
        return angles;
    }

    /// <summary>The template as an XYZ file (Packmol's input).</summary>
    public string ToXyz()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new System.Text.StringBuilder();
        sb.Append(AtomCount).Append('\n').Append(Name).Append('\n');
        for (var i = 0; i < AtomCount; i++)
            sb.Append(string.Create(ci, $"{Elements[i]} {Positions[3 * i]:F6} {Positions[3 * i + 1]:F6} {Positions[3 * i + 2]:F6}\n"));
        return sb.ToString();
    }
}

/// <summary>
/// Builds a geometry atom by atom from internal coordinates (a Z-matrix: bond length, bond angle, dihedral, each
/// relative to atoms already placed; the natural-extension reference frame construction) or from Cartesian points.
/// </summary>
internal sealed class GeometryBuilder
{
    private readonly List<string> _el = [];
    private readonly List<(double X, double Y, double Z)> _x = [];

    public int Count => _el.Count;

    public (double X, double Y, double Z) this[int i] => _x[i];

    public int AddCartesian(string element, double x, double y, double z)
    {
        _el.Add(element);
        _x.Add((x, y, z));
        return _el.Count - 1;
    }

    /// <summary>
    /// Places a new atom bonded to <paramref name="c"/> at <paramref name="r"/> Å, with angle (new, c, b) =
    /// <paramref name="theta"/>° and dihedral (new, c, b, a) = <paramref name="phi"/>°.
    /// </summary>
    public int Add(string element, int c, double r, int b, double theta, int a, double phi)
    {
        var (pa, pb, pc) = (_x[a], _x[b], _x[c]);
        var bc = Unit(Sub(pc, pb));
        var n = Unit(Cross(Sub(pb, pa), bc));
        var m = Cross(n, bc);
        double t = theta * Math.PI / 180, p = phi * Math.PI / 180;
        var (d1, d2, d3) = (-r * Math.Cos(t), r * Math.Sin(t) * Math.Cos(p), r * Math.Sin(t) * Math.Sin(p));
        return AddCartesian(element, pc.X + d1 * bc.X + d2 * m.X + d3 * n.X, pc.Y + d1 * bc.Y + d2 * m.Y + d3 * n.Y, pc.Z + d1 * bc.Z + d2 * m.Z + d3 * n.Z);
    }

    /// <summary>
    /// Two atoms on <paramref name="c"/> (a CH2 group on an atom with neighbours a and b) at <paramref name="r"/> Å,
    /// in the plane bisecting a–c–b, making the tetrahedral angle 109.47° with each other.
    /// </summary>
    public (int, int) AddPair(string e1, string e2, int c, int a, int b, double r)
    {
        var pc = _x[c];
        var u = Unit(Add(Unit(Sub(pc, _x[a])), Unit(Sub(pc, _x[b]))));
        var n = Unit(Cross(Sub(_x[a], pc), Sub(_x[b], pc)));
        var half = 109.47 / 2 * Math.PI / 180;
        double cu = r * Math.Cos(half), sn = r * Math.Sin(half);
        var i = AddCartesian(e1, pc.X + cu * u.X + sn * n.X, pc.Y + cu * u.Y + sn * n.Y, pc.Z + cu * u.Z + sn * n.Z);
        var j = AddCartesian(e2, pc.X + cu * u.X - sn * n.X, pc.Y + cu * u.Y - sn * n.Y, pc.Z + cu * u.Z - sn * n.Z);
        return (i, j);
    }

    /// <summary>Moves atom <paramref name="i"/> along its bond from <paramref name="c"/> to length <paramref name="r"/> and renames it.</summary>
    public void Replace(int i, string element, int c, double r)
    {
        var d = Unit(Sub(_x[i], _x[c]));
        _el[i] = element;
        _x[i] = (_x[c].X + r * d.X, _x[c].Y + r * d.Y, _x[c].Z + r * d.Z);
    }

    /// <summary>The template, centred at its centre of geometry.</summary>
    public MoleculeTemplate Build(string name, double[] charges, int formal, string note)
    {
        double cx = _x.Average(p => p.X), cy = _x.Average(p => p.Y), cz = _x.Average(p => p.Z);
        var xyz = _x.SelectMany(p => new[] { p.X - cx, p.Y - cy, p.Z - cz }).ToArray();
        return new MoleculeTemplate(name, [.. _el], xyz, charges, formal, note);
    }

    public string[] Elements => [.. _el];

    private static (double X, double Y, double Z) Sub((double X, double Y, double Z) a, (double X, double Y, double Z) b) => (a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    private static (double X, double Y, double Z) Add((double X, double Y, double Z) a, (double X, double Y, double Z) b) => (a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    private static (double X, double Y, double Z) Cross((double X, double Y, double Z) a, (double X, double Y, double Z) b) =>
        (a.Y * b.Z - a.Z * b.Y, a.Z * b.X - a.X * b.Z, a.X * b.Y - a.Y * b.X);

    private static (double X, double Y, double Z) Unit((double X, double Y, double Z) a)
    {
        var n = Math.Sqrt(a.X * a.X + a.Y * a.Y + a.Z * a.Z);
        return (a.X / n, a.Y / n, a.Z / n);
    }
}
