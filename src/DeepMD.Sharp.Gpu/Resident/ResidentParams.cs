namespace DeepMD.Sharp.Gpu.Resident;

using ILGPU;

/// <summary>
/// What the device-resident evaluation reads and writes besides <see cref="SeAKernelParams{T}"/>: the atoms'
/// positions and outputs (whole system), the device neighbor list, and per chunk the neighbor atom of each slot.
/// </summary>
public struct ResidentParams
{
    /// <summary>Positions, Å, as the neighbor list was built from (unwrapped since then).</summary>
    public ArrayView<double> X, Y, Z;
    /// <summary>Model type per atom.</summary>
    public ArrayView<int> ModelType;
    /// <summary>Forces, eV/Å (accumulated with atomics: zeroed before the first chunk).</summary>
    public ArrayView<double> Fx, Fy, Fz;
    /// <summary>Energy per atom, eV (bias included; 0 for an excluded type).</summary>
    public ArrayView<double> AtomEnergy;
    /// <summary>Per center atom: Σ −g ⊗ d over its slots, row-major 9 per atom (their sum is the virial, eV).</summary>
    public ArrayView<double> CenterVirial;

    /// <summary>Neighbor list: counts per (atom, type), entries, packed shifts, type-block starts, lattice (9) and inverse (9).</summary>
    public ArrayView<int> ListUsed, ListNeighbor, ListShift, ListCapOffset;
    public ArrayView<double> Geometry;
    public int ListStride;

    /// <summary>Per type: 1 if the model excludes its atomic energy.</summary>
    public ArrayView<int> AtomExcluded;
    /// <summary>Per (type, type): 1 for a model pair exclusion (slot becomes padding).</summary>
    public ArrayView<int> PairExcluded;
    /// <summary>Per (type, type): 1 for a descriptor exclusion.</summary>
    public ArrayView<int> DescriptorExcluded;
    /// <summary>Start of each type's slot block, [types + 1].</summary>
    public ArrayView<int> SelOffset;
    /// <summary>Energy bias per type (fitting bias_atom_e plus out_bias), eV.</summary>
    public ArrayView<double> EnergyBias;

    /// <summary>Atoms in cell order (the neighbor list's binning): chunk atom c is atom Order[Start + c], so a chunk is
    /// a compact piece of space.</summary>
    public ArrayView<int> Order;

    /// <summary>Neighbor atom per slot of the chunk (−1: none).</summary>
    public ArrayView<int> SlotNeighbor;
    /// <summary>Neighbors within rcut per (atom, type): the count the sel check uses.</summary>
    public ArrayView<int> RcCount;
    /// <summary>[0]: lowest atom whose type block overflows sel; [1]: lowest atom with a neighbor closer than the
    /// overlap distance (int.MaxValue: none).</summary>
    public ArrayView<int> Problem;

    /// <summary>Position of the chunk's first atom in <see cref="Order"/>.</summary>
    public int Start;
    public double Rcut2;
    public double Overlap2;
}
