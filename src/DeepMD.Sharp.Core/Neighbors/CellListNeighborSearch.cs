namespace DeepMD.Sharp.Core.Neighbors;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Threading;

/// <summary>
/// Builds full neighbor lists with a cell list that is exact for any triclinic box, including boxes whose
/// face distance is smaller than the cutoff (each periodic image within the cutoff is its own entry), for
/// mixed periodic/non-periodic directions and for no box at all. Cost is O(N) for a fixed density.
/// </summary>
/// <remarks>
/// <para>
/// Cells are laid out along the lattice (fractional) coordinates. Two points whose cells differ by k ≥ 1 in
/// direction d are at least (k − 1)·w_d apart, where w_d is the cell width measured perpendicular to the
/// faces, so scanning ceil(cutoff / w_d) cells each way misses no pair. Every (cell, lattice shift) pair is
/// visited once, so no image is counted twice.
/// </para>
/// <para>
/// The wrapped positions are copied into cell order (structure of arrays), so the candidates of a stencil cell are
/// contiguous; stencil cells that follow each other in memory with the same lattice shift are scanned as one run, and
/// the distance test runs on whole SIMD vectors. The stencil is worked out once per center cell, not per atom. A
/// counting pass sizes every row and keeps one bit per candidate (within the cutoff or not); the fill pass then writes
/// the accepted entries straight into the final arrays without testing distances again. Each row is ordered by stencil
/// cell (a, then b, then c offset ascending) and then by atom index, the order of the previous implementation,
/// independent of the thread count.
/// </para>
/// </remarks>
public static class CellListNeighborSearch
{
    private const int MaxCellsPerDirection = 1 << 10;

    /// <summary>Center atoms per parallel work item (whole cells are kept together, so blocks may hold more).</summary>
    private const int BlockAtoms = 256;

    /// <summary>
    /// Neighbors of every atom within <paramref name="cutoff"/> (r ≤ cutoff), Å. Positions need not be
    /// wrapped. Entries of each row are ordered by cell scan, not by distance.
    /// </summary>
    public static NeighborList Build(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? box, double cutoff) =>
        Build(x, y, z, box, cutoff, recycle: null);

    /// <summary>
    /// As <see cref="Build(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Box?, double)"/>, writing
    /// into the arrays of <paramref name="recycle"/> (a list this program no longer uses, same atom count) where they are
    /// large enough. A list of 10⁴ atoms holds tens of MB; fresh arrays of that size cost page faults and collections
    /// on every build (measured: 50–230 ms per build of 12,288 water atoms instead of ~17 ms). The recycled list
    /// object itself is rebuilt in place and returned, with a new <see cref="NeighborList.Generation"/>: with its
    /// arrays, scratch buffers and parallel loop bodies reused, a steady-state rebuild allocates nothing.
    /// </summary>
    public static NeighborList Build(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? box, double cutoff,
        NeighborList? recycle)
    {
        if (!(cutoff > 0) || !double.IsFinite(cutoff)) throw new ArgumentOutOfRangeException(nameof(cutoff), "cutoff must be positive");
        var n = x.Length;
        // Scratch arrays (cell-sorted copies, bit rows, counts: a few MB for 10⁴ atoms) come from the recycled list:
        // fresh ones cost zeroing and page faults on every build.
        var buffers = recycle?.BuildBuffers as Buffers ?? new Buffers();
        if (recycle is not null) recycle.BuildBuffers = null;
        buffers.Size(n);
        // The grid, scan, workspaces and parallel loop bodies are kept in the buffers too: a rebuild allocates nothing
        // when the buffers and arrays of the recycled list fit.
        var grid = Grid.Create(x, y, z, box, cutoff, buffers);
        var scan = buffers.Scan.Init(grid, n, cutoff * cutoff, buffers);

        var stencilMax = (2 * grid.Reach[0] + 1) * (2 * grid.Reach[1] + 1) * (2 * grid.Reach[2] + 1);
        var blocks = buffers.Blocks;
        blocks.Prepare(scan, stencilMax);
        scan.PlanAcceptedBits(blocks.Work[0].Segments, buffers);
        var counts = buffers.Counts;
        blocks.Counts = counts;
        ParallelLoop.For(scan.BlockCount, -1, blocks);

        var offsets = recycle is not null && recycle.Offsets.Length == n + 1 ? recycle.Offsets : new int[n + 1];
        offsets[0] = 0;
        for (var i = 0; i < n; i++) offsets[i + 1] = checked(offsets[i] + counts[i]);
        var total = offsets[n];
        // Every element up to the total is written by the fill pass, so the arrays need not be zeroed first; recycled
        // arrays may be longer (consumers read EntryCount = Offsets[^1] entries).
        // The lattice shifts are worked out only if a consumer asks (a list kept across MD steps, a pair style that
        // needs them), from the positions as given and the displacements; recycled shift arrays are handed on for that.
        x.CopyTo(buffers.Px);
        y.CopyTo(buffers.Py);
        z.CopyTo(buffers.Pz);
        buffers.ShiftBox = box;
        var spatialOrder = recycle?.SpatialOrder is { } so && so.Length == n ? so : new int[n];
        var list = NeighborList.Built(offsets, Reuse(recycle?.Owner, total), Reuse(recycle?.Dx, total), Reuse(recycle?.Dy, total),
            Reuse(recycle?.Dz, total), cutoff, buffers, recycle?.ShiftArraysIfAny ?? default, recycle);
        blocks.List = list;
        try
        {
            ParallelLoop.For(scan.BlockCount, -1, blocks);
        }
        finally
        {
            (blocks.List, blocks.Counts) = (null, null);
        }
        list.SpatialOrder = scan.SpatialOrder(spatialOrder, buffers.Keys, buffers.Chunks);
        list.BuildBuffers = buffers;
        return list;
    }

    /// <summary>
    /// Lattice shifts of entries of centers lo .. hi − 1 of <paramref name="list"/>: with the positions r the list was
    /// built from, d − (r_owner − r_i) is a whole lattice vector S·h, so S is the rounded fractional form of that difference.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // once per rebuild at most: too rarely for the tiered JIT to optimise it soon
    private static void ShiftRange(NeighborList list, double[] rx, double[] ry, double[] rz, Box? box, int[] sa, int[] sb, int[] sc, int lo, int hi)
    {
        var offsets = list.Offsets;
        for (var i = lo; i < hi; i++)
            for (var e = offsets[i]; e < offsets[i + 1]; e++)
            {
                if (box is null)
                {
                    sa[e] = sb[e] = sc[e] = 0;
                    continue;
                }
                var j = list.Owner[e];
                var (fa, fb, fc) = box.ToFractional(list.Dx[e] - (rx[j] - rx[i]), list.Dy[e] - (ry[j] - ry[i]), list.Dz[e] - (rz[j] - rz[i]));
                sa[e] = (int)Math.Round(fa);
                sb[e] = (int)Math.Round(fb);
                sc[e] = (int)Math.Round(fc);
            }
    }

    /// <summary>
    /// The recycled array when it fits (not more than a quarter too long), else a new one: exactly
    /// <paramref name="size"/> long for a fresh build, with 1/16 to spare when recycling (lists breathe between builds).
    /// </summary>
    private static TE[] Reuse<TE>(TE[]? old, int size) =>
        old is null ? GC.AllocateUninitializedArray<TE>(size)
        : old.Length >= size && old.Length <= size + size / 4 + 1024 ? old
        : GC.AllocateUninitializedArray<TE>(size + size / 16);

    /// <summary>Per-build scratch arrays, sized for n atoms and kept with the list for the next build.</summary>
    private sealed class Buffers : IShiftSource
    {
        public readonly Grid Grid = new();
        public readonly Scan Scan = new();
        public readonly BlockJob Blocks = new();
        public readonly ChunkJob Chunks = new();
        public int[] Fill = [];
        public Box? ShiftBox; // the box of the build, for the lattice shifts

        /// <summary>The lattice shifts of a list built with these buffers (from the positions as given, kept in Px, Py, Pz).</summary>
        public void ComputeShifts(NeighborList list, int[] a, int[] b, int[] c)
        {
            var job = Chunks;
            (job.Mode, job.List, job.A, job.B, job.C, job.Box, job.Buffers) = (ChunkJob.Shifts, list, a, b, c, ShiftBox, this);
            try
            {
                job.Run(list.CenterCount);
            }
            finally
            {
                (job.List, job.A, job.B, job.C, job.Box) = (null, null, null, null, null);
            }
        }

        public double[] U = [], Wx = [], Wy = [], Wz = [], X = [], Y = [], Z = [];
        public double[] Px = [], Py = [], Pz = []; // the positions as given, for the list's lattice shifts
        public int[] WrapOffset = [], CellOf = [], Atom = [], Counts = [];
        public long[] Keys = [];
        public ulong[] Bits = [];

        public void Size(int n)
        {
            if (Counts.Length == n) return;
            U = new double[3 * n];
            Wx = new double[n];
            Wy = new double[n];
            Wz = new double[n];
            X = new double[n];
            Y = new double[n];
            Z = new double[n];
            Px = new double[n];
            Py = new double[n];
            Pz = new double[n];
            WrapOffset = new int[3 * n];
            CellOf = new int[n];
            Atom = new int[n];
            Counts = new int[n];
            Keys = new long[n];
        }
    }

    /// <summary>The chunked loops of a build (cell of each atom, Z-order keys, lattice shifts): one reusable parallel body.</summary>
    private sealed class ChunkJob : IParallelBody
    {
        public const int Cells = 0, Keys = 1, Shifts = 2;
        private const int Chunk = 2048;
        public int Mode;
        private int _n;
        public Grid? Grid;
        public int[]? CellOf, Order;
        public long[]? KeyArray;
        public NeighborList? List;
        public Buffers? Buffers;
        public int[]? A, B, C;
        public Box? Box;

        /// <summary>Runs the current job over 0 .. n − 1 in chunks, on all cores when n is large.</summary>
        public void Run(int n)
        {
            _n = n;
            if (n <= 2 * Chunk) Range(0, n);
            else ParallelLoop.For((n + Chunk - 1) / Chunk, -1, this);
        }

        public void Invoke(int index, int worker) => Range(index * Chunk, Math.Min(_n, (index + 1) * Chunk));

        private void Range(int lo, int hi)
        {
            switch (Mode)
            {
                case Cells:
                    Grid!.CellRange(CellOf!, lo, hi);
                    break;
                case Keys:
                    Grid!.KeyRange(KeyArray!, Order!, lo, hi);
                    break;
                default:
                    ShiftRange(List!, Buffers!.Px, Buffers.Py, Buffers.Pz, Box, A!, B!, C!, lo, hi);
                    break;
            }
        }
    }

    /// <summary>The counting and fill passes over blocks of center cells: one reusable parallel body, a workspace per worker.</summary>
    private sealed class BlockJob : IParallelBody
    {
        public Workspace[] Work = [];
        private Scan? _scan;
        public int[]? Counts;
        public NeighborList? List;

        /// <summary>Workspaces for every worker, each with room for <paramref name="stencilMax"/> runs.</summary>
        public void Prepare(Scan scan, int stencilMax)
        {
            _scan = scan;
            var threads = Math.Max(1, ParallelLoop.Degree(-1));
            if (Work.Length < threads) Array.Resize(ref Work, threads);
            for (var w = 0; w < Work.Length; w++)
                if (Work[w] is null || Work[w].Segments.Length < stencilMax) Work[w] = new Workspace(stencilMax);
        }

        public void Invoke(int b, int worker)
        {
            if (List is { } list) _scan!.FillBlock(b, Work[worker], list);
            else _scan!.CountBlock(b, Work[worker], Counts!);
        }
    }

    /// <summary>Per-worker scratch: the stencil runs of the current center cell.</summary>
    private sealed class Workspace(int stencilMax)
    {
        public readonly Segment[] Segments = new Segment[stencilMax];
    }

    /// <summary>
    /// A run of candidate atoms (cell-sorted positions <see cref="Start"/> .. <see cref="End"/> − 1) seen under one
    /// lattice shift, with that shift as a Cartesian vector and as lattice integers.
    /// </summary>
    [StructLayout(LayoutKind.Auto)]
    private struct Segment
    {
        public int Start, End;
        public double Sx, Sy, Sz;
        public int ShiftA, ShiftB, ShiftC;
        public bool Unshifted;
    }

    /// <summary>Cell-sorted copies of the wrapped positions and the work split into blocks of center cells.</summary>
    private sealed class Scan
    {
        private Grid _grid = null!;
        private double _rc2;
        private int[] _cellStart = [];

        /// <summary>Atom at each cell-sorted position.</summary>
        private int[] _atom = [];

        /// <summary>Wrapped Cartesian position and wrap offsets (lattice vectors subtracted) in cell order.</summary>
        private double[] _x = [], _y = [], _z = [];

        /// <summary>First center cell of each block; one extra element closes the last block.</summary>
        private int[] _blockCells = [];
        private int _blockCount;

        /// <summary>
        /// One bit per candidate of every center atom, set where the candidate is within the cutoff: written by the
        /// counting pass, read by the fill pass, so distances are tested once. The row of the atom at cell-sorted
        /// position p in cell c is <see cref="_rowWords"/>[c] words from
        /// <see cref="_cellWords"/>[c] + (p − first atom of c) · <see cref="_rowWords"/>[c].
        /// </summary>
        private ulong[] _bits = [];
        private int[] _cellWords = [], _rowWords = [];

        /// <summary>Sets the scan up for a build (arrays kept from the previous build where they fit).</summary>
        public Scan Init(Grid grid, int n, double rc2, Buffers buffers)
        {
            _grid = grid;
            _rc2 = rc2;
            var cellCount = grid.CellCount;

            // Bin atoms into cells (counting sort, atom order kept inside each cell).
            var cellOf = buffers.CellOf;
            var job = buffers.Chunks;
            (job.Mode, job.Grid, job.CellOf) = (ChunkJob.Cells, grid, cellOf);
            job.Run(n);
            job.CellOf = null;
            if (_cellStart.Length != cellCount + 1) _cellStart = new int[cellCount + 1];
            else Array.Clear(_cellStart);
            for (var i = 0; i < n; i++) _cellStart[cellOf[i] + 1]++;
            for (var c = 0; c < cellCount; c++) _cellStart[c + 1] += _cellStart[c];
            if (buffers.Fill.Length != cellCount + 1) buffers.Fill = new int[cellCount + 1];
            var fill = buffers.Fill;
            Array.Copy(_cellStart, fill, cellCount + 1);
            _atom = buffers.Atom;
            _x = buffers.X;
            _y = buffers.Y;
            _z = buffers.Z;
            for (var i = 0; i < n; i++)
            {
                var k = fill[cellOf[i]]++;
                _atom[k] = i;
                _x[k] = grid.Wx[i];
                _y[k] = grid.Wy[i];
                _z[k] = grid.Wz[i];
            }

            // Blocks of whole center cells holding about BlockAtoms atoms each.
            if (_blockCells.Length < cellCount + 1) _blockCells = new int[cellCount + 1];
            var blocks = 0;
            _blockCells[0] = 0;
            for (var c = 0; c < cellCount; c++)
                if (_cellStart[c + 1] - _cellStart[_blockCells[blocks]] >= BlockAtoms && c + 1 < cellCount) _blockCells[++blocks] = c + 1;
            _blockCells[++blocks] = cellCount;
            _blockCount = blocks;
            return this;
        }

        public int BlockCount => _blockCount;

        /// <summary>
        /// The atoms along a Z-order (Morton) curve over their lattice coordinates, quantised to 2¹⁰ steps per direction
        /// (ties by atom index): any run of consecutive atoms covers a compact block of space, not a thin row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int[] SpatialOrder(int[] order, long[] keys, ChunkJob job)
        {
            var n = order.Length;
            (job.Mode, job.Grid, job.KeyArray, job.Order) = (ChunkJob.Keys, _grid, keys, order);
            job.Run(n);
            (job.KeyArray, job.Order) = (null, null);
            if (n >= 1 << 24) Array.Sort(keys, order); // index no longer fits beside the key: stable enough, still a permutation
            else
            {
                Array.Sort(keys);
                for (var i = 0; i < n; i++) order[i] = (int)(keys[i] & 0xFFFFFF);
            }
            return order;
        }

        /// <summary>The bits of <paramref name="v"/> (below 2¹⁰) spread to every third bit.</summary>
        public static long Spread(int v)
        {
            long r = 0;
            for (var bit = 0; bit < 10; bit++) r |= (long)((v >> bit) & 1) << (3 * bit);
            return r;
        }

        /// <summary>Sizes the candidate bit rows: every atom of a cell has the cell's stencil candidates.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void PlanAcceptedBits(Segment[] segments, Buffers buffers)
        {
            var cellCount = _cellStart.Length - 1;
            if (_cellWords.Length != cellCount + 1) _cellWords = new int[cellCount + 1];
            if (_rowWords.Length != cellCount) _rowWords = new int[cellCount];
            for (var cell = 0; cell < cellCount; cell++)
            {
                var atoms = _cellStart[cell + 1] - _cellStart[cell];
                _rowWords[cell] = 0;
                if (atoms > 0)
                {
                    long candidates = 0;
                    foreach (var seg in segments.AsSpan(0, Stencil(cell, segments))) candidates += seg.End - seg.Start;
                    _rowWords[cell] = checked((int)((candidates + 63) >> 6));
                }
                _cellWords[cell + 1] = checked(_cellWords[cell] + _rowWords[cell] * atoms);
            }
            // Every word of a row is written by the counting pass before the fill pass reads it: no zeroing needed.
            if (buffers.Bits.Length < _cellWords[cellCount] || buffers.Bits.Length > 2 * _cellWords[cellCount] + 4096)
                buffers.Bits = GC.AllocateUninitializedArray<ulong>(_cellWords[cellCount] + _cellWords[cellCount] / 16);
            _bits = buffers.Bits;
        }

        /// <summary>Row lengths of the atoms in block <paramref name="b"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void CountBlock(int b, Workspace work, int[] counts)
        {
            var segments = work.Segments;
            for (var cell = _blockCells[b]; cell < _blockCells[b + 1]; cell++)
            {
                int first = _cellStart[cell], last = _cellStart[cell + 1];
                if (first == last) continue;
                var stencil = segments.AsSpan(0, Stencil(cell, segments));
                for (var p = first; p < last; p++)
                    counts[_atom[p]] = CountRow(p, stencil, _cellWords[cell] + (p - first) * _rowWords[cell]);
            }
        }

        /// <summary>Writes the rows of the atoms in block <paramref name="b"/> at their offsets.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void FillBlock(int b, Workspace work, NeighborList list)
        {
            var segments = work.Segments;
            for (var cell = _blockCells[b]; cell < _blockCells[b + 1]; cell++)
            {
                int first = _cellStart[cell], last = _cellStart[cell + 1];
                if (first == last) continue;
                var stencil = segments.AsSpan(0, Stencil(cell, segments));
                for (var p = first; p < last; p++)
                {
                    var i = _atom[p];
                    var end = FillRow(p, stencil, _cellWords[cell] + (p - first) * _rowWords[cell], list, list.Offsets[i]);
                    if (end != list.Offsets[i + 1]) throw new InvalidOperationException("neighbor count changed between passes");
                }
            }
        }

        /// <summary>
        /// The candidate runs of center cell <paramref name="cell"/>, in scan order; consecutive stencil cells that are
        /// adjacent in cell order and share a lattice shift are merged. Returns the number of runs.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Stencil(int cell, Segment[] segments)
        {
            var g = _grid;
            Span<int> ci = stackalloc int[3];
            Span<int> cj = stackalloc int[3];
            Span<int> shift = stackalloc int[3];
            g.Unflatten(cell, ci);
            var count = 0;
            for (var da = -g.Reach[0]; da <= g.Reach[0]; da++)
            {
                if (!g.Neighbor(0, ci[0] + da, out cj[0], out shift[0])) continue;
                for (var db = -g.Reach[1]; db <= g.Reach[1]; db++)
                {
                    if (!g.Neighbor(1, ci[1] + db, out cj[1], out shift[1])) continue;
                    for (var dc = -g.Reach[2]; dc <= g.Reach[2]; dc++)
                    {
                        if (!g.Neighbor(2, ci[2] + dc, out cj[2], out shift[2])) continue;
                        var other = g.Flatten(cj);
                        int start = _cellStart[other], end = _cellStart[other + 1];
                        if (start == end) continue;
                        if (count > 0)
                        {
                            ref var prev = ref segments[count - 1];
                            if (prev.End == start && prev.ShiftA == shift[0] && prev.ShiftB == shift[1] && prev.ShiftC == shift[2])
                            {
                                prev.End = end;
                                continue;
                            }
                        }
                        var (sx, sy, sz) = g.ShiftVector(shift);
                        segments[count++] = new Segment
                        {
                            Start = start, End = end, Sx = sx, Sy = sy, Sz = sz,
                            ShiftA = shift[0], ShiftB = shift[1], ShiftC = shift[2],
                            Unshifted = shift[0] == 0 && shift[1] == 0 && shift[2] == 0,
                        };
                    }
                }
            }
            return count;
        }

        /// <summary>
        /// Number of neighbors of the atom at cell-sorted position <paramref name="p"/>; also stores which candidates
        /// are within the cutoff, one bit each in scan order, from word <paramref name="row"/> of the bit rows.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int CountRow(int p, ReadOnlySpan<Segment> stencil, int row)
        {
            ref var x0 = ref MemoryMarshal.GetArrayDataReference(_x);
            ref var y0 = ref MemoryMarshal.GetArrayDataReference(_y);
            ref var z0 = ref MemoryMarshal.GetArrayDataReference(_z);
            double xi = _x[p], yi = _y[p], zi = _z[p], rc2 = _rc2;
            var found = 0;
            var bits = new BitWriter(_bits, row);
            foreach (ref readonly var s in stencil)
            {
                var k = s.Start;
                if (Vector256.IsHardwareAccelerated)
                {
                    Vector256<double> vxi = Vector256.Create(xi), vyi = Vector256.Create(yi), vzi = Vector256.Create(zi);
                    Vector256<double> vsx = Vector256.Create(s.Sx), vsy = Vector256.Create(s.Sy), vsz = Vector256.Create(s.Sz);
                    var vrc2 = Vector256.Create(rc2);
                    for (; k <= s.End - Vector256<double>.Count; k += Vector256<double>.Count)
                    {
                        var dx = Vector256.LoadUnsafe(ref x0, (nuint)k) + vsx - vxi;
                        var dy = Vector256.LoadUnsafe(ref y0, (nuint)k) + vsy - vyi;
                        var dz = Vector256.LoadUnsafe(ref z0, (nuint)k) + vsz - vzi;
                        var near = ~Vector256.GreaterThan(dx * dx + dy * dy + dz * dz, vrc2).ExtractMostSignificantBits() & 0xF;
                        found += BitOperations.PopCount(near);
                        bits.Append(near, Vector256<double>.Count);
                    }
                }
                for (; k < s.End; k++)
                {
                    var dx = Unsafe.Add(ref x0, k) + s.Sx - xi;
                    var dy = Unsafe.Add(ref y0, k) + s.Sy - yi;
                    var dz = Unsafe.Add(ref z0, k) + s.Sz - zi;
                    var near = dx * dx + dy * dy + dz * dz > rc2 ? 0u : 1u;
                    found += (int)near;
                    bits.Append(near, 1);
                }
            }
            bits.Flush();
            // The center itself (unshifted, distance 0) was counted once; the fill pass skips it.
            return found - 1;
        }

        /// <summary>
        /// Writes the neighbors of the atom at cell-sorted position <paramref name="p"/> from entry <paramref name="w"/>
        /// on, taking the accepted candidates from the bit row at word <paramref name="row"/>; returns the end of the row.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int FillRow(int p, ReadOnlySpan<Segment> stencil, int row, NeighborList list, int w)
        {
            var owner = list.Owner;
            double[] dxs = list.Dx, dys = list.Dy, dzs = list.Dz;
            ref var bits0 = ref MemoryMarshal.GetArrayDataReference(_bits);
            ref var x0 = ref MemoryMarshal.GetArrayDataReference(_x);
            ref var y0 = ref MemoryMarshal.GetArrayDataReference(_y);
            ref var z0 = ref MemoryMarshal.GetArrayDataReference(_z);
            ref var atom0 = ref MemoryMarshal.GetArrayDataReference(_atom);
            double xi = _x[p], yi = _y[p], zi = _z[p];
            var first = 0; // bit of the run's first candidate within the row
            foreach (ref readonly var s in stencil)
            {
                var self = s.Unshifted ? p : -1;
                double sx = s.Sx, sy = s.Sy, sz = s.Sz;
                var end = first + (s.End - s.Start);
                for (var b = first; b < end;)
                {
                    var offset = b & 63;
                    var take = Math.Min(64 - offset, end - b);
                    var word = Unsafe.Add(ref bits0, row + (b >> 6)) >> offset;
                    if (take < 64) word &= (1UL << take) - 1;
                    var k0 = s.Start + (b - first);
                    while (word != 0)
                    {
                        var k = k0 + BitOperations.TrailingZeroCount(word);
                        word &= word - 1;
                        if (k == self) continue;
                        owner[w] = Unsafe.Add(ref atom0, k);
                        dxs[w] = Unsafe.Add(ref x0, k) + sx - xi;
                        dys[w] = Unsafe.Add(ref y0, k) + sy - yi;
                        dzs[w] = Unsafe.Add(ref z0, k) + sz - zi;
                        w++;
                    }
                    b += take;
                }
                first = end;
            }
            return w;
        }
    }

    /// <summary>Appends bits to a row of 64-bit words, lowest bit first.</summary>
    private ref struct BitWriter(ulong[] words, int start)
    {
        private readonly Span<ulong> _words = words.AsSpan(start);
        private ulong _pending;
        private int _count, _next;

        /// <summary>Appends the low <paramref name="n"/> bits of <paramref name="value"/> (n ≤ 32).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(uint value, int n)
        {
            _pending |= (ulong)value << _count;
            _count += n;
            if (_count < 64) return;
            _words[_next++] = _pending;
            _count -= 64;
            // The bits that did not fit (none when the word filled exactly: value >> n is 0).
            _pending = (ulong)value >> (n - _count);
        }

        /// <summary>Stores the last, partly filled word.</summary>
        public void Flush()
        {
            if (_count > 0) _words[_next++] = _pending;
        }
    }

    /// <summary>The cell grid over lattice coordinates, with atom positions wrapped along periodic directions.</summary>
    private sealed class Grid
    {
        public readonly int[] Count = new int[3];
        public readonly int[] Reach = new int[3];
        public readonly bool[] Periodic = new bool[3];
        public double[] Wx = [], Wy = [], Wz = [];

        /// <summary>Per atom and direction, how many lattice vectors wrapping subtracted (floor of the fractional coordinate).</summary>
        public int[] WrapOffset = [];
        private readonly double[] _lo = new double[3];
        private readonly double[] _span = new double[3];
        private double[] _u = [];
        private readonly double[] _h = [1, 0, 0, 0, 1, 0, 0, 0, 1];
        private static readonly double[] IdentityCell = [1, 0, 0, 0, 1, 0, 0, 0, 1];

        /// <summary>The cell of atoms lo .. hi − 1.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void CellRange(int[] cellOf, int lo, int hi)
        {
            for (var i = lo; i < hi; i++) cellOf[i] = CellIndex(i);
        }

        /// <summary>The Z-order keys of atoms lo .. hi − 1 (atom index in the low 24 bits), and the identity order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void KeyRange(long[] keys, int[] order, int lo, int hi)
        {
            for (var i = lo; i < hi; i++)
            {
                keys[i] = Scan.Spread(Quantised(0, i)) << 2 | Scan.Spread(Quantised(1, i)) << 1 | Scan.Spread(Quantised(2, i));
                keys[i] = keys[i] << 24 | (uint)i; // atom index breaks ties: the order is fully determined (n < 2²⁴ here)
                order[i] = i;
            }
        }

        public int CellCount => Count[0] * Count[1] * Count[2];

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static Grid Create(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? box, double cutoff, Buffers buffers)
        {
            var g = buffers.Grid;
            var n = x.Length;
            g._u = buffers.U;
            g.Wx = buffers.Wx;
            g.Wy = buffers.Wy;
            g.Wz = buffers.Wz;
            g.WrapOffset = buffers.WrapOffset;
            Span<double> faces = [1, 1, 1];
            g.Periodic.AsSpan().Clear();
            if (box is null) IdentityCell.CopyTo(g._h, 0);
            else
            {
                box.Matrix.CopyTo(g._h);
                for (var d = 0; d < 3; d++)
                {
                    g.Periodic[d] = box.IsPeriodic(d);
                    faces[d] = box.FaceDistance(d);
                }
            }
            for (var i = 0; i < n; i++)
            {
                double a = x[i], b = y[i], c = z[i];
                // The buffers are reused between builds: every element is written on every build.
                g.WrapOffset[3 * i] = g.WrapOffset[3 * i + 1] = g.WrapOffset[3 * i + 2] = 0;
                if (box is not null)
                {
                    (a, b, c) = box.ToFractional(x[i], y[i], z[i]);
                    if (g.Periodic[0]) (a, g.WrapOffset[3 * i]) = WrapWithOffset(a);
                    if (g.Periodic[1]) (b, g.WrapOffset[3 * i + 1]) = WrapWithOffset(b);
                    if (g.Periodic[2]) (c, g.WrapOffset[3 * i + 2]) = WrapWithOffset(c);
                    (g.Wx[i], g.Wy[i], g.Wz[i]) = box.ToCartesian(a, b, c);
                    // Keep unwrapped Cartesian coordinates bit-exact where nothing was wrapped.
                    if (!box.AnyPeriodic) (g.Wx[i], g.Wy[i], g.Wz[i]) = (x[i], y[i], z[i]);
                }
                else
                {
                    (g.Wx[i], g.Wy[i], g.Wz[i]) = (a, b, c);
                }
                g._u[3 * i] = a;
                g._u[3 * i + 1] = b;
                g._u[3 * i + 2] = c;
            }
            for (var d = 0; d < 3; d++)
            {
                double lo = 0, hi = 1;
                if (!g.Periodic[d])
                {
                    lo = double.PositiveInfinity;
                    hi = double.NegativeInfinity;
                    for (var i = 0; i < n; i++)
                    {
                        lo = Math.Min(lo, g._u[3 * i + d]);
                        hi = Math.Max(hi, g._u[3 * i + d]);
                    }
                    if (n == 0) (lo, hi) = (0, 0);
                }
                g._lo[d] = lo;
                g._span[d] = hi - lo;
                var extent = (hi - lo) * faces[d]; // perpendicular extent, Å
                var cells = (int)Math.Min(MaxCellsPerDirection, Math.Max(1, Math.Floor(extent / cutoff)));
                g.Count[d] = cells;
                var width = extent / cells;
                if (g.Periodic[d])
                    g.Reach[d] = (int)Math.Ceiling(cutoff / width);
                else
                    g.Reach[d] = width > 0 ? Math.Min(cells - 1, (int)Math.Ceiling(cutoff / width)) : 0;
            }
            return g;
        }

        private static (double Wrapped, int Offset) WrapWithOffset(double f)
        {
            var w = Box.WrapUnit(f);
            return (w, (int)Math.Round(f - w));
        }

        public int CellIndex(int i)
        {
            int a = Bin(0, _u[3 * i]), b = Bin(1, _u[3 * i + 1]), c = Bin(2, _u[3 * i + 2]);
            return (a * Count[1] + b) * Count[2] + c;
        }

        /// <summary>Atom <paramref name="i"/>'s lattice coordinate along <paramref name="d"/> on a grid of 2¹⁰ steps.</summary>
        public int Quantised(int d, int i)
        {
            if (_span[d] <= 0) return 0;
            return Math.Clamp((int)((_u[3 * i + d] - _lo[d]) / _span[d] * 1024), 0, 1023);
        }

        private int Bin(int d, double u)
        {
            if (_span[d] <= 0) return 0;
            var k = (int)Math.Floor((u - _lo[d]) / _span[d] * Count[d]);
            return Math.Clamp(k, 0, Count[d] - 1);
        }

        public void Unflatten(int cell, Span<int> c)
        {
            c[2] = cell % Count[2];
            c[1] = cell / Count[2] % Count[1];
            c[0] = cell / (Count[1] * Count[2]);
        }

        public int Flatten(ReadOnlySpan<int> c) => (c[0] * Count[1] + c[1]) * Count[2] + c[2];

        /// <summary>Maps an unbounded cell coordinate to an in-grid cell and a lattice shift; false if outside a non-periodic grid.</summary>
        public bool Neighbor(int d, int c, out int wrapped, out int shift)
        {
            var n = Count[d];
            if (!Periodic[d])
            {
                wrapped = c;
                shift = 0;
                return c >= 0 && c < n;
            }
            shift = (int)Math.Floor((double)c / n);
            wrapped = c - shift * n;
            return true;
        }

        public (double X, double Y, double Z) ShiftVector(ReadOnlySpan<int> s) =>
            (s[0] * _h[0] + s[1] * _h[3] + s[2] * _h[6],
             s[0] * _h[1] + s[1] * _h[4] + s[2] * _h[7],
             s[0] * _h[2] + s[1] * _h[5] + s[2] * _h[8]);
    }
}
