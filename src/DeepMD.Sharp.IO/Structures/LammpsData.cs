namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Atoms;

/// <summary>
/// The content of a LAMMPS data file that the engine uses: the structure (atoms ordered by atom id, positions
/// relative to the box origin <see cref="BoxLo"/>), the atom ids and LAMMPS types, the species of each type and
/// the per-type masses.
/// </summary>
public sealed class LammpsData
{
    internal LammpsData(Structure structure, int[] ids, int[] types, string[] typeNames, double[]? masses,
        double[]? charges, string atomStyle, (double X, double Y, double Z) boxLo)
    {
        Structure = structure;
        Ids = ids;
        Types = types;
        TypeNames = typeNames;
        Masses = masses;
        Charges = charges;
        AtomStyle = atomStyle;
        BoxLo = boxLo;
    }

    /// <summary>Atoms in ascending atom-id order; positions are shifted so that (xlo, ylo, zlo) is the origin.</summary>
    public Structure Structure { get; }

    /// <summary>LAMMPS atom id of each atom (ascending, same order as <see cref="Structure"/>).</summary>
    public int[] Ids { get; }

    /// <summary>LAMMPS atom type (1-based) of each atom.</summary>
    public int[] Types { get; }

    /// <summary>Species name of each LAMMPS type: type k is <c>TypeNames[k - 1]</c>.</summary>
    public string[] TypeNames { get; }

    /// <summary>Mass (amu) of each LAMMPS type (type k at index k - 1), or null when the file has no Masses section.</summary>
    public double[]? Masses { get; }

    /// <summary>Charge of each atom for atom styles charge and full, otherwise null.</summary>
    public double[]? Charges { get; }

    /// <summary>The atom style the Atoms section was read with: atomic, charge, full or molecular.</summary>
    public string AtomStyle { get; }

    /// <summary>The (xlo, ylo, zlo) corner of the LAMMPS box, subtracted from every position.</summary>
    public (double X, double Y, double Z) BoxLo { get; }

    /// <summary>Velocities from the Velocities section as [vx, vy, vz] arrays in atom order, or null without one.</summary>
    public double[][]? Velocities { get; init; }

    /// <summary>Number of LAMMPS atom types declared in the header.</summary>
    public int TypeCount => TypeNames.Length;

    /// <summary>Mass of each atom (from <see cref="Masses"/>), or null when the file has no Masses section.</summary>
    public double[]? AtomMasses() => Masses is null ? null : Types.Select(t => Masses[t - 1]).ToArray();
}
