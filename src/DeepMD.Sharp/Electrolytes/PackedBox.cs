namespace DeepMD.Sharp.Electrolytes;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.IO;

/// <summary>
/// Molecules packed into an orthorhombic periodic box [0, Lx) × [0, Ly) × [0, Lz): per atom its element, position
/// (Å; each molecule whole, every atom inside the box), partial charge and molecule (0-based); per molecule its
/// template. Bonds and angles follow from the templates.
/// </summary>
public sealed class PackedBox
{
    public PackedBox(double[] lengths, IReadOnlyList<MoleculeTemplate> molecules, double[] positions, int[]? images = null)
    {
        Lengths = lengths;
        Molecules = molecules;
        var n = molecules.Sum(m => m.AtomCount);
        if (positions.Length != 3 * n) throw new ArgumentException($"{n} atoms but {positions.Length / 3} positions");
        Positions = positions;
        Images = images ?? new int[3 * n];
        Elements = new string[n];
        Charges = new double[n];
        Molecule = new int[n];
        FirstAtom = new int[molecules.Count];
        var a = 0;
        for (var m = 0; m < molecules.Count; m++)
        {
            FirstAtom[m] = a;
            for (var k = 0; k < molecules[m].AtomCount; k++, a++)
            {
                Elements[a] = molecules[m].Elements[k];
                Charges[a] = molecules[m].Charges[k];
                Molecule[a] = m;
            }
        }
    }

    /// <summary>Image flags (ix0, iy0, iz0, …): position + image × length keeps each molecule whole.</summary>
    public int[] Images { get; }

    /// <summary>A box whose atoms are wrapped into [0, L) with image flags that keep each molecule whole (Packmol may leave an atom a hair outside its constraint).</summary>
    public static PackedBox Wrapped(double[] lengths, IReadOnlyList<MoleculeTemplate> molecules, double[] positions)
    {
        var x = (double[])positions.Clone();
        var images = new int[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            var l = lengths[i % 3];
            var shift = (int)Math.Floor(x[i] / l);
            x[i] -= shift * l;
            if (x[i] >= l) x[i] -= l; // round-off at the top face
            images[i] = shift;
        }
        return new PackedBox(lengths, molecules, x, images);
    }

    /// <summary>Box edge lengths (Å).</summary>
    public double[] Lengths { get; }

    public double Volume => Lengths[0] * Lengths[1] * Lengths[2];

    public IReadOnlyList<MoleculeTemplate> Molecules { get; }

    public int AtomCount => Elements.Length;

    public string[] Elements { get; }

    /// <summary>x0, y0, z0, x1, … (Å).</summary>
    public double[] Positions { get; }

    public double[] Charges { get; }

    /// <summary>The molecule of each atom (0-based; LAMMPS' molecule ID is this + 1).</summary>
    public int[] Molecule { get; }

    /// <summary>The index of each molecule's first atom.</summary>
    public int[] FirstAtom { get; }

    /// <summary>Total mass, g/mol.</summary>
    public double Mass => Molecules.Sum(m => m.Mass);

    /// <summary>Density, g/cm³.</summary>
    public double Density => BoxArithmetic.Density(Mass, Volume);

    /// <summary>Sum of the partial charges (e).</summary>
    public double TotalCharge => Charges.Sum();

    /// <summary>Molecules per template name, in order of first appearance.</summary>
    public IReadOnlyList<(string Name, int Count)> Census() =>
        Molecules.GroupBy(m => m.Name).Select(g => (g.Key, g.Count())).ToList();

    /// <summary>The atom types: <paramref name="typeMap"/> when given (every element must be in it), else elements in order of first appearance.</summary>
    public string[] TypeNames(IReadOnlyList<string>? typeMap = null)
    {
        if (typeMap is null) return Elements.Distinct().ToArray();
        foreach (var e in Elements.Distinct())
            if (!typeMap.Contains(e)) throw new UserInputException($"element {e} of the box is not in the type map [{string.Join(" ", typeMap)}]; add it");
        return [.. typeMap];
    }

    /// <summary>The bonds (global atom indices) of all molecules.</summary>
    public IEnumerable<(int I, int J)> Bonds()
    {
        for (var m = 0; m < Molecules.Count; m++)
            foreach (var (i, j) in Molecules[m].Bonds) yield return (FirstAtom[m] + i, FirstAtom[m] + j);
    }

    /// <summary>The angles (global atom indices) of all molecules.</summary>
    public IEnumerable<(int I, int J, int K)> Angles()
    {
        for (var m = 0; m < Molecules.Count; m++)
            foreach (var (i, j, k) in Molecules[m].Angles) yield return (FirstAtom[m] + i, FirstAtom[m] + j, FirstAtom[m] + k);
    }

    /// <summary>
    /// The smallest distance between atoms of different molecules over all periodic images (minimum image; the box
    /// is at least twice that distance wide in practice), and the pair.
    /// </summary>
    public (double Distance, int I, int J) MinimumIntermolecularDistance()
    {
        var best = (double.PositiveInfinity, -1, -1);
        var x = Positions;
        for (var i = 0; i < AtomCount; i++)
            for (var j = i + 1; j < AtomCount; j++)
            {
                if (Molecule[i] == Molecule[j]) continue;
                double r2 = 0;
                for (var d = 0; d < 3; d++)
                {
                    var dx = x[3 * j + d] - x[3 * i + d];
                    dx -= Lengths[d] * Math.Round(dx / Lengths[d]);
                    r2 += dx * dx;
                }
                if (r2 < best.Item1 * best.Item1) best = (Math.Sqrt(r2), i, j);
            }
        return best;
    }

    /// <summary>
    /// Writes a LAMMPS data file for <c>atom_style full</c> (atom-ID molecule-ID atom-type q x y z, image flags 0):
    /// masses, atoms, bonds and angles (types named in comments; no coefficients: a DeePMD model needs none).
    /// </summary>
    public void WriteLammpsData(string path, IReadOnlyList<string>? typeMap = null)
    {
        var ci = CultureInfo.InvariantCulture;
        var types = TypeNames(typeMap);
        var bonds = Bonds().ToList();
        var angles = Angles().ToList();
        string BondName((int I, int J) b) => string.Join("-", new[] { Elements[b.I], Elements[b.J] }.Order(StringComparer.Ordinal));
        string AngleName((int I, int J, int K) a)
        {
            var (x, z) = string.CompareOrdinal(Elements[a.I], Elements[a.K]) <= 0 ? (Elements[a.I], Elements[a.K]) : (Elements[a.K], Elements[a.I]);
            return $"{x}-{Elements[a.J]}-{z}";
        }
        var bondTypes = bonds.Select(BondName).Distinct().Order(StringComparer.Ordinal).ToList();
        var angleTypes = angles.Select(AngleName).Distinct().Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append(string.Create(ci, $"LAMMPS data file (atom_style full) from DeepMD.Sharp's electrolyte builder: {string.Join(", ", Census().Select(c => $"{c.Count} {c.Name}"))}\n\n"));
        sb.Append(ci, $"{AtomCount} atoms\n{bonds.Count} bonds\n{angles.Count} angles\n\n");
        sb.Append(ci, $"{types.Length} atom types\n{bondTypes.Count} bond types\n{angleTypes.Count} angle types\n\n");
        sb.Append(string.Create(ci, $"0 {Lengths[0]:R} xlo xhi\n0 {Lengths[1]:R} ylo yhi\n0 {Lengths[2]:R} zlo zhi\n\nMasses\n\n"));
        for (var t = 0; t < types.Length; t++) sb.Append(string.Create(ci, $"{t + 1} {ChemicalElements.Mass(types[t]) ?? 0:R} # {types[t]}\n"));
        sb.Append("\nAtoms # full\n\n");
        var typeOf = types.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i + 1);
        for (var i = 0; i < AtomCount; i++)
            sb.Append(string.Create(ci, $"{i + 1} {Molecule[i] + 1} {typeOf[Elements[i]]} {Charges[i]:R} {Positions[3 * i]:R} {Positions[3 * i + 1]:R} {Positions[3 * i + 2]:R} {Images[3 * i]} {Images[3 * i + 1]} {Images[3 * i + 2]}\n"));
        if (bonds.Count > 0)
        {
            sb.Append("\nBonds # types: ").Append(string.Join(", ", bondTypes.Select((n, i) => $"{i + 1} {n}"))).Append("\n\n");
            for (var b = 0; b < bonds.Count; b++)
                sb.Append(ci, $"{b + 1} {bondTypes.IndexOf(BondName(bonds[b])) + 1} {bonds[b].I + 1} {bonds[b].J + 1}\n");
        }
        if (angles.Count > 0)
        {
            sb.Append("\nAngles # types: ").Append(string.Join(", ", angleTypes.Select((n, i) => $"{i + 1} {n}"))).Append("\n\n");
            for (var a = 0; a < angles.Count; a++)
                sb.Append(ci, $"{a + 1} {angleTypes.IndexOf(AngleName(angles[a])) + 1} {angles[a].I + 1} {angles[a].J + 1} {angles[a].K + 1}\n");
        }
        WriteAtomically(path, sb.ToString());
    }

    /// <summary>Writes extended XYZ: species, positions, molecule (1-based) and charge per atom; Lattice and pbc="T T T".</summary>
    public void WriteExtendedXyz(string path)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"{AtomCount}\n");
        sb.Append(string.Create(ci, $"Lattice=\"{Lengths[0]:R} 0 0 0 {Lengths[1]:R} 0 0 0 {Lengths[2]:R}\" Properties=species:S:1:pos:R:3:molecule:I:1:charge:R:1 pbc=\"T T T\"\n"));
        for (var i = 0; i < AtomCount; i++)
            sb.Append(string.Create(ci, $"{Elements[i]} {Positions[3 * i]:F8} {Positions[3 * i + 1]:F8} {Positions[3 * i + 2]:F8} {Molecule[i] + 1} {Charges[i]:R}\n"));
        WriteAtomically(path, sb.ToString());
    }

    internal static void WriteAtomically(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(tmp, text, new UTF8Encoding(false));
            DurableFile.FlushAndMove(tmp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new UserInputException($"cannot write the file ({e.Message}); check that the folder exists and is writable", path, null, e);
        }
    }
}
