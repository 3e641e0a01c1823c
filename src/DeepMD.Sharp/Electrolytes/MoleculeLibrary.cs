namespace DeepMD.Sharp.Electrolytes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Templates of common battery-electrolyte species. Geometries are built from standard bond lengths and angles
/// (typical gas-phase / crystal values rounded to 0.01 Å and 1°; not optimised by any method):
/// C–H 1.09, C–C 1.52, C–O (ether/ester) 1.43, carbonate C–O 1.34, C=O 1.21, C–F 1.33 (CF3) / 1.36 (FEC),
/// S=O 1.43, S–N 1.58, S–F 1.58, S–C 1.83, P–F 1.60 (octahedral), B–F 1.40 (tetrahedral), water O–H 0.9572 Å
/// and H–O–H 104.52° (TIP3P); sp3 angles 109.47°, ester C–O–C 116°, ether C–O–C 112°, carbonate O=C–O 125°,
/// sulfonyl N–S–O 108°, N–S–X 103°, S–N–S 125°. Chains are all-trans with the methyl groups of the linear
/// carbonates cis to C=O (their lowest conformer); EC's ring is a planar regular pentagon of side 1.41 Å (the mean
/// of its C–O and C–C bonds; real EC is slightly twisted), PC and FEC are EC with one ring H replaced.
/// Charges: Li+ +1; water TIP3P (Jorgensen et al., J. Chem. Phys. 79, 926 (1983)); anions carry their −1 spread
/// evenly over their atoms and neutral solvents zero. These are not force-field charges: a DeePMD model does not use
/// them; they only make each molecule's charge its formal charge in the data file (the conductivities use the formal
/// charges).
/// </summary>
public static class MoleculeLibrary
{
    /// <summary>The names understood by <see cref="Get"/> (aliases: H2O for water, Li for Li+, PF6 for PF6-, …).</summary>
    public static readonly string[] Names = ["Li+", "PF6-", "FSI-", "TFSI-", "BF4-", "EC", "PC", "DMC", "EMC", "DEC", "FEC", "DME", "water"];

    private static readonly Dictionary<string, MoleculeTemplate> Cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The template called <paramref name="name"/> (case-insensitive; the trailing charge sign is optional).</summary>
    public static MoleculeTemplate Get(string name)
    {
        var key = Canonical(name) ?? throw new UserInputException($"unknown molecule '{name}'; known: {string.Join(", ", Names)}");
        lock (Cache)
        {
            if (!Cache.TryGetValue(key, out var t)) Cache[key] = t = Make(key);
            return t;
        }
    }

    /// <summary>The canonical name of <paramref name="name"/>, or null.</summary>
    public static string? Canonical(string name)
    {
        var n = name.Trim();
        if (n.Equals("H2O", StringComparison.OrdinalIgnoreCase)) return "water";
        foreach (var k in Names)
            if (k.Equals(n, StringComparison.OrdinalIgnoreCase) || k.TrimEnd('+', '-').Equals(n, StringComparison.OrdinalIgnoreCase)) return k;
        return null;
    }

    /// <summary>The ions of a salt name (LiPF6, LiFSI, LiTFSI, LiBF4): cation and anion.</summary>
    public static (MoleculeTemplate Cation, MoleculeTemplate Anion) Salt(string salt)
    {
        var s = salt.Trim();
        if (!s.StartsWith("Li", StringComparison.OrdinalIgnoreCase) || Canonical(s[2..]) is not { } anion || Get(anion).FormalCharge != -1)
            throw new UserInputException($"unknown salt '{salt}'; known: LiPF6, LiFSI, LiTFSI, LiBF4");
        return (Get("Li+"), Get(anion));
    }

    private static double[] Spread(int n, double total) => Enumerable.Repeat(total / n, n).ToArray();

    private const string NeutralNote = "zero partial charges (no force-field charges; DeePMD models do not use them)";
    private const string AnionNote = "net charge -1 spread evenly over the atoms (no force-field charges; DeePMD models do not use them)";

    private static MoleculeTemplate Make(string key)
    {
        var g = new GeometryBuilder();
        switch (key)
        {
            case "Li+":
                g.AddCartesian("Li", 0, 0, 0);
                return g.Build(key, [1.0], 1, "formal charge +1");
            case "water":
            {
                const double r = 0.9572, a = 104.52 * Math.PI / 180;
                g.AddCartesian("O", 0, 0, 0);
                g.AddCartesian("H", r, 0, 0);
                g.AddCartesian("H", r * Math.Cos(a), r * Math.Sin(a), 0);
                return g.Build(key, [-0.834, 0.417, 0.417], 0, "TIP3P charges (Jorgensen et al. 1983)");
            }
            case "PF6-":
                g.AddCartesian("P", 0, 0, 0);
                foreach (var (x, y, z) in new[] { (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1) })
                    g.AddCartesian("F", 1.60 * x, 1.60 * y, 1.60 * z);
                return g.Build(key, Spread(7, -1), -1, AnionNote);
            case "BF4-":
            {
                g.AddCartesian("B", 0, 0, 0);
                var s = 1.40 / Math.Sqrt(3);
                foreach (var (x, y, z) in new[] { (1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1) })
                    g.AddCartesian("F", s * x, s * y, s * z);
                return g.Build(key, Spread(5, -1), -1, AnionNote);
            }
            case "FSI-":
            case "TFSI-":
            {
                var tf = key == "TFSI-";
                var (s1, n, s2) = Start3(g, "S", "N", "S", 1.58, 1.58, 125);
                foreach (var (s, other) in new[] { (s1, s2), (s2, s1) })
                {
                    g.Add("O", s, 1.43, n, 108, other, -30);
                    g.Add("O", s, 1.43, n, 108, other, -150);
                    if (!tf)
                    {
                        g.Add("F", s, 1.58, n, 103, other, 90);
                        continue;
                    }
                    var c = g.Add("C", s, 1.83, n, 103, other, 90);
                    foreach (var phi in new[] { 180.0, 60, -60 }) g.Add("F", c, 1.33, s, 109.47, n, phi);
                }
                return g.Build(key, Spread(g.Count, -1), -1, AnionNote);
            }
            case "DMC":
            case "EMC":
            case "DEC":
            {
                var (oc, c1, o2) = Start3(g, "O", "C", "O", 1.21, 1.34, 125);
                var o3 = g.Add("O", c1, 1.34, oc, 125, o2, 180);
                AlkoxyArm(g, o2, c1, oc, ethyl: key != "DMC");
                AlkoxyArm(g, o3, c1, oc, ethyl: key == "DEC");
                return g.Build(key, new double[g.Count], 0, NeutralNote);
            }
            case "DME":
            {
                var (c1, o1, c2) = Start3(g, "C", "O", "C", 1.43, 1.43, 112);
                var c3 = g.Add("C", c2, 1.52, o1, 109.47, c1, 180);
                var o2 = g.Add("O", c3, 1.43, c2, 109.47, o1, 180);
                var c4 = g.Add("C", o2, 1.43, c3, 112, c2, 180);
                Methyl(g, c1, o1, c2);
                foreach (var phi in new[] { 60.0, -60 }) g.Add("H", c2, 1.09, o1, 109.47, c1, phi);
                foreach (var phi in new[] { 60.0, -60 }) g.Add("H", c3, 1.09, c2, 109.47, o1, phi);
                Methyl(g, c4, o2, c3);
                return g.Build(key, new double[g.Count], 0, NeutralNote);
            }
            case "EC":
            case "PC":
            case "FEC":
            {
                // Ring C1(=O)–O1–C3–C2–O2–C1 on a regular pentagon of side 1.41 Å in the xy plane, C1 on +y.
                const double side = 1.41;
                var radius = side / (2 * Math.Sin(Math.PI / 5));
                var ring = new int[5];
                string[] el = ["C", "O", "C", "C", "O"];
                for (var k = 0; k < 5; k++)
                {
                    var a = Math.PI / 2 + k * 2 * Math.PI / 5;
                    ring[k] = g.AddCartesian(el[k], radius * Math.Cos(a), radius * Math.Sin(a), 0);
                }
                var (c1, o1, c3, c2, o2) = (ring[0], ring[1], ring[2], ring[3], ring[4]);
                g.AddCartesian("O", 0, radius + 1.21, 0);
                var (h3, _) = g.AddPair("H", "H", c3, o1, c2, 1.09);
                g.AddPair("H", "H", c2, c3, o2, 1.09);
                if (key == "FEC") g.Replace(h3, "F", c3, 1.36);
                if (key == "PC")
                {
                    g.Replace(h3, "C", c3, 1.52);
                    Methyl(g, h3, c3, o1);
                }
                return g.Build(key, new double[g.Count], 0, NeutralNote);
            }
            default:
                throw new UserInputException($"unknown molecule '{key}'");
        }
    }

    /// <summary>Three atoms: a at the origin, b on +x, c in the xy plane with angle a–b–c = <paramref name="angle"/>°.</summary>
    private static (int, int, int) Start3(GeometryBuilder g, string a, string b, string c, double rab, double rbc, double angle)
    {
        var t = angle * Math.PI / 180;
        var i = g.AddCartesian(a, 0, 0, 0);
        var j = g.AddCartesian(b, rab, 0, 0);
        var k = g.AddCartesian(c, rab - rbc * Math.Cos(t), rbc * Math.Sin(t), 0);
        return (i, j, k);
    }

    /// <summary>Three H on carbon <paramref name="c"/> (bonded to <paramref name="b"/>), staggered against <paramref name="a"/>.</summary>
    private static void Methyl(GeometryBuilder g, int c, int b, int a)
    {
        foreach (var phi in new[] { 180.0, 60, -60 }) g.Add("H", c, 1.09, b, 109.47, a, phi);
    }

    /// <summary>A methoxy or ethoxy group on carbonate oxygen <paramref name="o"/>: the O–C bond cis to C=O.</summary>
    private static void AlkoxyArm(GeometryBuilder g, int o, int c, int carbonylO, bool ethyl)
    {
        var ca = g.Add("C", o, 1.43, c, 116, carbonylO, 0);
        if (!ethyl)
        {
            Methyl(g, ca, o, c);
            return;
        }
        var cb = g.Add("C", ca, 1.52, o, 109.47, c, 180);
        foreach (var phi in new[] { 60.0, -60 }) g.Add("H", ca, 1.09, o, 109.47, c, phi);
        Methyl(g, cb, ca, o);
    }
}
