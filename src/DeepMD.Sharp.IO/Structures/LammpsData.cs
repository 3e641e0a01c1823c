namespace DeepMD.Sharp.IO;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Geometry;

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

    /// <summary>The atom style the Atoms section was read with: atomic, charge, bond, angle, molecular or full.</summary>
    public string AtomStyle { get; }

    /// <summary>The (xlo, ylo, zlo) corner of the LAMMPS box, subtracted from every position.</summary>
    public (double X, double Y, double Z) BoxLo { get; }

    /// <summary>Molecule id of each atom (atom styles bond, angle, molecular, full), otherwise null.</summary>
    public int[]? Molecules { get; init; }

    /// <summary>Bonds, angles, dihedrals, impropers, their type counts and the coefficient sections; null when not read (eval of an atomic file).</summary>
    public MolecularTopology? Topology { get; init; }

    /// <summary>Velocities from the Velocities section as [vx, vy, vz] arrays in atom order, or null without one.</summary>
    public double[][]? Velocities { get; init; }

    /// <summary>The header's box bounds as written: xlo, xhi, ylo, yhi, zlo, zhi.</summary>
    public required double[] Bounds { get; init; }

    /// <summary>The header's tilt factors as written: xy, xz, yz (zero without an 'xy xz yz' line).</summary>
    public required double[] Tilts { get; init; }

    /// <summary>Whether the header had an 'xy xz yz' line: LAMMPS treats such a box as triclinic even with zero tilts.</summary>
    public bool TriclinicHeader { get; init; }

    /// <summary>Positions as written in the Atoms section (neither shifted nor unwrapped), [x, y, z] arrays in atom order.</summary>
    public required double[][] WrittenPositions { get; init; }

    /// <summary>Image flags as written, [ix, iy, iz] arrays in atom order (zero on lines without flags).</summary>
    public required int[][] ImageFlags { get; init; }

    /// <summary>Number of LAMMPS atom types declared in the header.</summary>
    public int TypeCount => TypeNames.Length;

    /// <summary>Mass of each atom (from <see cref="Masses"/>), or null when the file has no Masses section.</summary>
    public double[]? AtomMasses() => Masses is null ? null : Types.Select(t => Masses[t - 1]).ToArray();

    /// <summary>The box of the header as LAMMPS holds it (bounds and tilts as written), with the given periodicity.</summary>
    public SimulationBox CreateBox(bool periodicX = true, bool periodicY = true, bool periodicZ = true) =>
        new(Bounds[0], Bounds[1], Bounds[2], Bounds[3], Bounds[4], Bounds[5], Tilts[0], Tilts[1], Tilts[2], periodicX, periodicY, periodicZ);

    /// <summary>
    /// Appends the atoms to <paramref name="atoms"/> in atom order as LAMMPS' read_data holds them: ids, 0-based types,
    /// positions and image flags as written, charges and molecule ids (when the file has them), velocities (zero without a
    /// Velocities section), and the bonded topology.
    /// </summary>
    public void AddAtomsTo(AtomState atoms)
    {
        if (Topology is { } topo) atoms.Topology = topo.Clone();
        var (x, y, z) = (WrittenPositions[0], WrittenPositions[1], WrittenPositions[2]);
        for (var i = 0; i < Ids.Length; i++)
        {
            var k = atoms.Add(Ids[i], Types[i] - 1, x[i], y[i], z[i]);
            atoms.ImageA[k] = ImageFlags[0][i];
            atoms.ImageB[k] = ImageFlags[1][i];
            atoms.ImageC[k] = ImageFlags[2][i];
            if (Charges is { } q) atoms.Q[k] = q[i];
            if (Molecules is { } mol) atoms.Molecule[k] = mol[i];
            if (Velocities is { } v)
            {
                atoms.Vx[k] = v[0][i];
                atoms.Vy[k] = v[1][i];
                atoms.Vz[k] = v[2][i];
            }
        }
    }
}
