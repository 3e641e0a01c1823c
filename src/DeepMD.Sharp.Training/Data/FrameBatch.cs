namespace DeepMD.Sharp.Training.Data;

/// <summary>
/// Frames of one system prepared for the model: coordinates, types and a fixed-width neighbor slot table
/// (type blocks of width sel[t], nearest first, padded), in plain arrays so that statistics need no libtorch.
/// </summary>
public sealed class FrameBatch
{
    /// <summary>Number of frames.</summary>
    public required int FrameCount { get; init; }

    /// <summary>Atoms per frame.</summary>
    public required int AtomCount { get; init; }

    /// <summary>Slots per atom (Σ sel).</summary>
    public required int SlotCount { get; init; }

    /// <summary>Model type of each atom, [frame·atom].</summary>
    public required long[] Types { get; init; }

    /// <summary>Coordinates, Å, [frame·atom][3].</summary>
    public required double[] Coords { get; init; }

    /// <summary>Neighbor atom (index into the batch atoms) of each slot, [frame·atom][slot]; the center itself for empty slots.</summary>
    public required long[] Neighbor { get; init; }

    /// <summary>Image shift added to x_j − x_i, Å, [frame·atom][slot][3]; for empty slots a vector longer than rcut.</summary>
    public required double[] Shift { get; init; }

    /// <summary>1 for a real neighbor, 0 for an empty slot, [frame·atom][slot].</summary>
    public required double[] Mask { get; init; }

    /// <summary>Frame energies, eV, or null.</summary>
    public double[]? Energy { get; init; }

    /// <summary>Forces, eV/Å, [frame·atom][3], or null.</summary>
    public double[]? Force { get; init; }

    /// <summary>Virials, eV, [frame][9], or null.</summary>
    public double[]? Virial { get; init; }

    /// <summary>Frame index of every atom.</summary>
    public long[] FrameOfAtom() => Enumerable.Range(0, FrameCount * AtomCount).Select(k => (long)(k / AtomCount)).ToArray();
}
