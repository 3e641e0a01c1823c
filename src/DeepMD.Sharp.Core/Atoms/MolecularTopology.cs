namespace DeepMD.Sharp.Core.Atoms;

/// <summary>One bonded interaction: its 1-based type and the ids (LAMMPS tags) of its 2, 3 or 4 atoms (unused ids 0).</summary>
public readonly record struct BondedTerm(int Type, int A, int B, int C = 0, int D = 0)
{
    /// <summary>The term with every atom id shifted by <paramref name="offset"/> (replicate).</summary>
    public BondedTerm Shifted(int offset) =>
        new(Type, A + offset, B + offset, C == 0 ? 0 : C + offset, D == 0 ? 0 : D + offset);

    /// <summary>Whether atom id <paramref name="id"/> takes part.</summary>
    public bool Involves(int id) => A == id || B == id || C == id || D == id;
}

/// <summary>
/// The molecular topology of the atoms (LAMMPS' atom styles bond, angle, molecular, full): bonds, angles, dihedrals
/// and impropers by atom id, so that they follow the atoms through any reordering, and the number of types of each.
/// LAMMPS stores each term with one of its atoms; a list by ids is the same information for one process.
/// </summary>
public sealed class MolecularTopology
{
    public List<BondedTerm> Bonds { get; } = [];

    public List<BondedTerm> Angles { get; } = [];

    public List<BondedTerm> Dihedrals { get; } = [];

    public List<BondedTerm> Impropers { get; } = [];

    public int BondTypes { get; set; }

    public int AngleTypes { get; set; }

    public int DihedralTypes { get; set; }

    public int ImproperTypes { get; set; }

    /// <summary>
    /// Coefficient sections read from a data file (Pair Coeffs, Bond Coeffs, ...): section name → (style comment, lines),
    /// kept so that write_data can write back what no style took over.
    /// </summary>
    public Dictionary<string, (string? Style, List<string> Lines)> Coeffs { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when there is no bonded term.</summary>
    public bool IsEmpty => Bonds.Count == 0 && Angles.Count == 0 && Dihedrals.Count == 0 && Impropers.Count == 0;

    /// <summary>Removes every term in which an atom of <paramref name="removedIds"/> takes part (delete_atoms ... bond yes).</summary>
    public int RemoveAtoms(IReadOnlySet<int> removedIds)
    {
        var n = 0;
        foreach (var list in All())
            n += list.RemoveAll(t => removedIds.Contains(t.A) || removedIds.Contains(t.B) || (t.C != 0 && removedIds.Contains(t.C)) || (t.D != 0 && removedIds.Contains(t.D)));
        return n;
    }

    /// <summary>The four lists in LAMMPS' order (bonds, angles, dihedrals, impropers).</summary>
    public IEnumerable<List<BondedTerm>> All()
    {
        yield return Bonds;
        yield return Angles;
        yield return Dihedrals;
        yield return Impropers;
    }

    /// <summary>A deep copy.</summary>
    public MolecularTopology Clone()
    {
        var c = new MolecularTopology { BondTypes = BondTypes, AngleTypes = AngleTypes, DihedralTypes = DihedralTypes, ImproperTypes = ImproperTypes };
        c.Bonds.AddRange(Bonds);
        c.Angles.AddRange(Angles);
        c.Dihedrals.AddRange(Dihedrals);
        c.Impropers.AddRange(Impropers);
        foreach (var (k, v) in Coeffs) c.Coeffs[k] = (v.Style, [.. v.Lines]);
        return c;
    }
}
