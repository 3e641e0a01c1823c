namespace DeepMD.Sharp.Gpu.Neighbors;

using ILGPU;

/// <summary>
/// Everything the device neighbor-list kernels read and write, passed as one kernel argument. The cell grid lies
/// along the lattice (fractional) coordinates, as in Core's <c>CellListNeighborSearch</c>; the list is per atom,
/// per neighbor type, up to a capacity per type: [atom][Σcap], the block of type t starting at <see cref="CapOffset"/>[t].
/// </summary>
public struct NeighborKernelParams
{
    /// <summary>Positions, Å (need not be wrapped).</summary>
    public ArrayView<double> X, Y, Z;
    /// <summary>Type of each atom (selects the neighbor's type block).</summary>
    public ArrayView<int> Type;
    /// <summary>Lattice rows H (9, cart = frac · H) then H⁻¹ (9).</summary>
    public ArrayView<double> Geometry;
    /// <summary>Start of each type block within an atom's row, [types + 1].</summary>
    public ArrayView<int> CapOffset;

    /// <summary>Cell of each atom.</summary>
    public ArrayView<int> CellOf;
    /// <summary>Lattice vectors subtracted by wrapping, packed with <see cref="NeighborKernels.Pack"/>.</summary>
    public ArrayView<int> Wrap;
    /// <summary>Wrapped Cartesian positions.</summary>
    public ArrayView<double> Wx, Wy, Wz;
    /// <summary>First atom of each cell in <see cref="CellAtoms"/>, [cells + 1].</summary>
    public ArrayView<int> CellStart;
    /// <summary>Per cell: atom count, then the fill cursor of the scatter.</summary>
    public ArrayView<int> CellFill;
    /// <summary>Per block of <see cref="NeighborKernels.ScanBlock"/> cells: its total, then its exclusive prefix.</summary>
    public ArrayView<int> BlockSum;
    /// <summary>Atoms sorted by cell, ascending index within a cell.</summary>
    public ArrayView<int> CellAtoms;

    /// <summary>Neighbors found per (atom, type), also beyond the capacity (then the list must grow).</summary>
    public ArrayView<int> Used;
    /// <summary>Neighbor atom per list entry, [atom][Σcap].</summary>
    public ArrayView<int> Neighbor;
    /// <summary>Lattice shift per list entry, packed: d = r_j + shift · H − r_i with the caller's positions.</summary>
    public ArrayView<int> Shift;
    /// <summary>Largest <see cref="Used"/> per type, [types].</summary>
    public ArrayView<int> MaxUsed;
    /// <summary>[0]: set to 1 when a lattice shift does not fit the packing (an atom more than 500 cells away).</summary>
    public ArrayView<int> Error;

    public int CountA, CountB, CountC;
    public int ReachA, ReachB, ReachC;
    public int Cells;
    public int AtomCount;
    public int TypeCount;
    /// <summary>Σ capacity: the length of one atom's row.</summary>
    public int Stride;
    /// <summary>Square of the list cutoff (model cutoff plus skin), Å².</summary>
    public double Cutoff2;
}
