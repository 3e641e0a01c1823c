namespace DeepMD.Sharp.Core.Potentials;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>What a potential is asked to evaluate: positions (Å, SoA), engine types (0-based), box and neighbors.</summary>
public sealed class ForceRequest
{
    public ForceRequest(double[] x, double[] y, double[] z, int[] types, Box? box, NeighborList neighbors)
    {
        X = x;
        Y = y;
        Z = z;
        Types = types;
        Box = box;
        Neighbors = neighbors;
    }

    public double[] X { get; }

    public double[] Y { get; }

    public double[] Z { get; }

    /// <summary>Engine atom types, 0-based (LAMMPS type − 1); potentials map them to their own types.</summary>
    public int[] Types { get; }

    /// <summary>The cell, or null without periodic boundaries.</summary>
    public Box? Box { get; }

    /// <summary>Full neighbor list with current displacements (cutoff ≥ the potential's).</summary>
    public NeighborList Neighbors { get; }

    /// <summary>Whether per-atom energies and virials are wanted (dumps, computes); they cost extra.</summary>
    public bool PerAtom { get; init; }

    /// <summary>MD step number, for potentials that log periodically (model deviation); −1 outside MD.</summary>
    public long Step { get; init; } = -1;

    /// <summary>Atom ids (LAMMPS tags, 1-based) in the order of the arrays, when the caller has them (for per-atom output by id).</summary>
    public int[]? Ids { get; init; }

    public int AtomCount => X.Length;
}
