namespace DeepMD.Sharp.Gpu.Neighbors;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// A full neighbor list built on the device from device-resident positions (cell list over lattice coordinates,
/// exact for any triclinic cell, periodic in all three directions). Per atom and neighbor type it holds up to a
/// capacity of entries (neighbor index and packed lattice shift). When some atom has more neighbors of a type than
/// the capacity, the capacity grows and the list is rebuilt: neighbors are never dropped. Memory is per atom
/// (<see cref="BytesPerAtom"/>) plus per cell; nothing scales with atoms × images or atoms².
/// </summary>
public sealed class GpuNeighborList : IDisposable
{
    private const int MaxCellsPerDirection = 1 << 10;
    private readonly Accelerator _accelerator;
    private readonly List<MemoryBuffer> _atomBuffers = [];
    private readonly List<MemoryBuffer> _cellBuffers = [];
    private readonly List<MemoryBuffer> _listBuffers = [];
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _geometry;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _maxUsed;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _error;
    private MemoryBuffer1D<int, Stride1D.Dense>? _capOffset;
    private readonly Action<Index1D, NeighborKernelParams> _bin, _scanBlocks, _addOffsets, _scatter, _sortCells, _build;
    private readonly Action<Index1D, NeighborKernelParams, int> _scanTotals;
    private NeighborKernelParams _p;
    private int[] _capacity;
    private int _atomCapacity, _cellCapacity;
    private long _listCapacity;

    /// <summary>
    /// A list for <paramref name="typeCount"/> neighbor types with <paramref name="initialCapacity"/> entries per
    /// (atom, type) to start with.
    /// </summary>
    public GpuNeighborList(Accelerator accelerator, int typeCount, IReadOnlyList<int> initialCapacity)
    {
        if (initialCapacity.Count != typeCount) throw new ArgumentException("one capacity per type");
        _accelerator = accelerator;
        TypeCount = typeCount;
        _capacity = initialCapacity.Select(c => Math.Max(1, c)).ToArray();
        _geometry = accelerator.Allocate1D<double>(18);
        _maxUsed = accelerator.Allocate1D<int>(typeCount);
        _error = accelerator.Allocate1D<int>(1);
        _bin = accelerator.LoadAutoGroupedStreamKernel<Index1D, NeighborKernelParams>(NeighborKernels.Bin);
        _scanBlocks = accelerator.LoadAutoGroupedStreamKernel<Index1D, NeighborKernelParams>(NeighborKernels.ScanBlocks);
        _scanTotals = accelerator.LoadAutoGroupedStreamKernel<Index1D, NeighborKernelParams, int>(NeighborKernels.ScanTotals);
        _addOffsets = accelerator.LoadAutoGroupedStreamKernel<Index1D, NeighborKernelParams>(NeighborKernels.AddOffsets);
        _scatter = accelerator.LoadAutoGroupedStreamKernel<Index1D, NeighborKernelParams>(NeighborKernels.Scatter);
        _sortCells = accelerator.LoadAutoGroupedStreamKernel<Index1D, NeighborKernelParams>(NeighborKernels.SortCells);
        _build = accelerator.LoadAutoGroupedStreamKernel<Index1D, NeighborKernelParams>(NeighborKernels.Build);
        _p.TypeCount = typeCount;
        _p.Geometry = _geometry.View;
        _p.MaxUsed = _maxUsed.View;
        _p.Error = _error.View;
        SetCapacity(_capacity);
    }

    /// <summary>Neighbor types (the type blocks of a row).</summary>
    public int TypeCount { get; }

    /// <summary>Entries per (atom, type) the list holds now.</summary>
    public IReadOnlyList<int> Capacity => _capacity;

    /// <summary>Length of one atom's row (Σ capacity).</summary>
    public int Stride => _p.Stride;

    /// <summary>Start of each type block within a row.</summary>
    public int[] CapacityOffsets { get; private set; } = [];

    /// <summary>Atoms in the last build.</summary>
    public int AtomCount => _p.AtomCount;

    /// <summary>The list cutoff of the last build, Å.</summary>
    public double Cutoff { get; private set; }

    /// <summary>Builds so far, and how many of them had to grow the capacity.</summary>
    public int Builds { get; private set; }

    /// <summary>Rebuilds caused by a type block outgrowing its capacity.</summary>
    public int Regrowths { get; private set; }

    /// <summary>Device bytes per atom of the list and its binning arrays (cells come on top, a few ints each).</summary>
    public long BytesPerAtom => 8L * Stride + 4L * TypeCount + 4 * 4 + 3 * 8;

    /// <summary>Device bytes held now.</summary>
    public long DeviceBytes => _atomBuffers.Concat(_cellBuffers).Concat(_listBuffers).Sum(b => b.LengthInBytes) + 18 * 8 + 4 * TypeCount + 4;

    /// <summary>The kernels' view of the list (neighbor, shift, counts per type, capacity offsets, geometry).</summary>
    public NeighborKernelParams Views => _p;

    /// <summary>
    /// Builds the list of the <paramref name="n"/> atoms whose device positions are <paramref name="x"/>,
    /// <paramref name="y"/>, <paramref name="z"/> and whose types are <paramref name="type"/>, with every image within
    /// <paramref name="cutoff"/> (r ≤ cutoff) in <paramref name="box"/>, which must be periodic in all directions.
    /// </summary>
    public void Build(ArrayView<double> x, ArrayView<double> y, ArrayView<double> z, ArrayView<int> type, int n, Box box, double cutoff)
    {
        if (!(cutoff > 0) || !double.IsFinite(cutoff)) throw new ArgumentOutOfRangeException(nameof(cutoff), "cutoff must be positive");
        if (!box.IsPeriodic(0) || !box.IsPeriodic(1) || !box.IsPeriodic(2))
            throw new UserInputException("the device neighbor list needs a box that is periodic in all three directions; use the host backend (cpu) for other boundaries");
        _p.X = x;
        _p.Y = y;
        _p.Z = z;
        _p.Type = type;
        _p.AtomCount = n;
        _p.Cutoff2 = cutoff * cutoff;
        Cutoff = cutoff;
        var geometry = new double[18];
        box.Matrix.CopyTo(geometry);
        box.Inverse.CopyTo(geometry.AsSpan(9));
        _geometry.View.CopyFromCPU(geometry);
        var counts = new int[3];
        var reach = new int[3];
        for (var d = 0; d < 3; d++)
        {
            var face = box.FaceDistance(d);
            counts[d] = (int)Math.Min(MaxCellsPerDirection, Math.Max(1, Math.Floor(face / cutoff)));
            reach[d] = (int)Math.Ceiling(cutoff / (face / counts[d]));
        }
        (_p.CountA, _p.CountB, _p.CountC) = (counts[0], counts[1], counts[2]);
        (_p.ReachA, _p.ReachB, _p.ReachC) = (reach[0], reach[1], reach[2]);
        _p.Cells = counts[0] * counts[1] * counts[2];
        EnsureAtoms(n);
        EnsureCells(_p.Cells);
        if (n == 0) return;
        Builds++;
        _error.View.MemSetToZero();
        _p.CellFill.SubView(0, _p.Cells).MemSetToZero();
        _bin(n, _p);
        var blocks = (_p.Cells + NeighborKernels.ScanBlock - 1) / NeighborKernels.ScanBlock;
        _scanBlocks(blocks, _p);
        _scanTotals(1, _p, blocks);
        _addOffsets(_p.Cells, _p);
        _scatter(n, _p);
        _sortCells(_p.Cells, _p);
        while (true)
        {
            EnsureList(n);
            _maxUsed.View.MemSetToZero();
            _build(n, _p);
            _accelerator.Synchronize();
            var maxUsed = _maxUsed.GetAsArray1D();
            if (_error.GetAsArray1D()[0] != 0)
                throw new UserInputException("the device neighbor list met an atom more than 500 box lengths from the cell; wrap the positions first");
            var grown = false;
            for (var t = 0; t < TypeCount; t++)
                if (maxUsed[t] > _capacity[t])
                {
                    _capacity[t] = maxUsed[t] + maxUsed[t] / 8 + 1;
                    grown = true;
                }
            if (!grown) break;
            Regrowths++;
            SetCapacity(_capacity);
        }
    }

    /// <summary>Copies the list to the host: per atom and type the count, and the entries (for tests and diagnostics).</summary>
    public (int[] Used, int[] Neighbor, int[] Shift) Download()
    {
        var n = _p.AtomCount;
        var used = new int[n * TypeCount];
        var neighbor = new int[(long)n * Stride];
        var shift = new int[(long)n * Stride];
        if (n == 0) return (used, neighbor, shift);
        _p.Used.SubView(0, used.Length).CopyToCPU(used);
        _p.Neighbor.SubView(0, neighbor.Length).CopyToCPU(neighbor);
        _p.Shift.SubView(0, shift.Length).CopyToCPU(shift);
        return (used, neighbor, shift);
    }

    private void SetCapacity(int[] capacity)
    {
        CapacityOffsets = new int[TypeCount + 1];
        for (var t = 0; t < TypeCount; t++) CapacityOffsets[t + 1] = CapacityOffsets[t] + capacity[t];
        _capOffset?.Dispose();
        _capOffset = _accelerator.Allocate1D(CapacityOffsets);
        _p.CapOffset = _capOffset.View;
        _p.Stride = CapacityOffsets[^1];
        _listCapacity = -1; // the rows changed length: reallocate at the next build
    }

    private void EnsureAtoms(int n)
    {
        if (n <= _atomCapacity && _atomBuffers.Count > 0) return;
        Free(_atomBuffers);
        var cap = Math.Max(1, n);
        _p.CellOf = Allocate<int>(cap, _atomBuffers);
        _p.Wrap = Allocate<int>(cap, _atomBuffers);
        _p.Wx = Allocate<double>(cap, _atomBuffers);
        _p.Wy = Allocate<double>(cap, _atomBuffers);
        _p.Wz = Allocate<double>(cap, _atomBuffers);
        _p.CellAtoms = Allocate<int>(cap, _atomBuffers);
        _p.Used = Allocate<int>((long)cap * TypeCount, _atomBuffers);
        _atomCapacity = cap;
    }

    private void EnsureCells(int cells)
    {
        if (cells <= _cellCapacity && _cellBuffers.Count > 0) return;
        Free(_cellBuffers);
        _p.CellStart = Allocate<int>(cells + 1, _cellBuffers);
        _p.CellFill = Allocate<int>(cells, _cellBuffers);
        _p.BlockSum = Allocate<int>((cells + NeighborKernels.ScanBlock - 1) / NeighborKernels.ScanBlock, _cellBuffers);
        _cellCapacity = cells;
    }

    private void EnsureList(int n)
    {
        var need = (long)Math.Max(1, n) * _p.Stride;
        if (need <= _listCapacity) return;
        Free(_listBuffers);
        _p.Neighbor = Allocate<int>(need, _listBuffers);
        _p.Shift = Allocate<int>(need, _listBuffers);
        _listCapacity = need;
    }

    private ArrayView<TV> Allocate<TV>(long length, List<MemoryBuffer> owner) where TV : unmanaged
    {
        var buffer = _accelerator.Allocate1D<TV>(Math.Max(1, length));
        owner.Add(buffer);
        return buffer.View;
    }

    private static void Free(List<MemoryBuffer> buffers)
    {
        foreach (var b in buffers) b.Dispose();
        buffers.Clear();
    }

    public void Dispose()
    {
        Free(_atomBuffers);
        Free(_cellBuffers);
        Free(_listBuffers);
        _capOffset?.Dispose();
        _geometry.Dispose();
        _maxUsed.Dispose();
        _error.Dispose();
    }
}
