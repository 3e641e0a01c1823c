namespace DeepMD.Sharp.Core.Potentials;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// What a potential is asked to evaluate: positions (Å, SoA) and engine types (0-based) of nall = nlocal + nghost
/// atoms, the box, and a full neighbor list over the local atoms (the first <see cref="LocalCount"/>) whose entries may
/// name ghosts. A periodic list whose entries name the owners of images is the case nghost = 0.
/// </summary>
/// <remarks>
/// One request object can be kept and updated between steps (every property is settable), so an MD step allocates
/// nothing for it.
/// </remarks>
public sealed class ForceRequest
{
    /// <summary>A request for all atoms of the arrays, all local.</summary>
    public ForceRequest(double[] x, double[] y, double[] z, int[] types, Box? box, NeighborList neighbors)
    {
        X = x;
        Y = y;
        Z = z;
        Types = types;
        Box = box;
        Neighbors = neighbors;
        AtomCount = types.Length;
        LocalCount = neighbors.CenterCount;
    }

    /// <summary>An empty request, to be filled (and kept) by the caller.</summary>
    public ForceRequest()
    {
    }

    public double[] X { get; set; } = [];

    public double[] Y { get; set; } = [];

    public double[] Z { get; set; } = [];

    /// <summary>Engine atom types, 0-based (LAMMPS type − 1), one per atom, ghosts included; potentials map them to their own types.</summary>
    public int[] Types { get; set; } = [];

    /// <summary>The cell, or null without periodic boundaries (or when every image is an explicit ghost).</summary>
    public Box? Box { get; set; }

    /// <summary>Full neighbor list with current displacements (cutoff ≥ the potential's), one row per local atom.</summary>
    public NeighborList? Neighbors { get; set; }

    /// <summary>
    /// The half list over local and ghost atoms, for potentials whose <see cref="IPotential.NeighborKind"/> asks for it
    /// (the engine builds one or the other); null otherwise.
    /// </summary>
    public HalfNeighborList? HalfNeighbors { get; set; }

    /// <summary>Per-atom charges of the local atoms (atom_style charge), for the coulomb styles; null without charges.</summary>
    public double[]? Charges { get; set; }

    /// <summary>Whether per-atom energies and virials are wanted (dumps, computes); they cost extra.</summary>
    public bool PerAtom { get; set; }

    /// <summary>MD step number, for potentials that log periodically (model deviation); −1 outside MD.</summary>
    public long Step { get; set; } = -1;

    /// <summary>Atom ids (LAMMPS tags, 1-based) in the order of the arrays, when the caller has them (for per-atom output by id).</summary>
    public int[]? Ids { get; set; }

    /// <summary>Thread limit for the potential's own loops (results must not depend on it); null = all cores.</summary>
    public ParallelOptions? Parallel { get; set; }

    /// <summary>All atoms, nlocal + nghost (the arrays may be longer).</summary>
    public int AtomCount { get; set; }

    /// <summary>Local atoms: the centers of <see cref="Neighbors"/>; the rest are ghosts.</summary>
    public int LocalCount { get; set; }
}
