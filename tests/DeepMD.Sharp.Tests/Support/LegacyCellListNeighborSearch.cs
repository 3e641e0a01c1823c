namespace DeepMD.Sharp.Tests.Support;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// The cell-list search as it was before the cell-sorted, vectorised rewrite (commit bf1b750), kept verbatim as an
/// executable reference: the new build must give the same rows, entry for entry and in the same order. It also serves
/// as the baseline of the neighbor-list benchmark. Original summary: builds full neighbor lists with a cell list that is exact for any triclinic box, including boxes whose
/// face distance is smaller than the cutoff (each periodic image within the cutoff is its own entry), for
/// mixed periodic/non-periodic directions and for no box at all. Cost is O(N) for a fixed density.
/// </summary>
/// <remarks>
/// Cells are laid out along the lattice (fractional) coordinates. Two points whose cells differ by k ≥ 1 in
/// direction d are at least (k − 1)·w_d apart, where w_d is the cell width measured perpendicular to the
/// faces, so scanning ceil(cutoff / w_d) cells each way misses no pair. Every (cell, lattice shift) pair is
/// visited once, so no image is counted twice.
/// </remarks>
public static class LegacyCellListNeighborSearch
{
    private const int MaxCellsPerDirection = 1 << 10;

    /// <summary>
    /// Neighbors of every atom within <paramref name="cutoff"/> (r ≤ cutoff), Å. Positions need not be
    /// wrapped. Entries of each row are ordered by cell scan, not by distance.
    /// </summary>
    public static NeighborList Build(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? box, double cutoff)
    {
        if (!(cutoff > 0) || !double.IsFinite(cutoff)) throw new ArgumentOutOfRangeException(nameof(cutoff), "cutoff must be positive");
        var n = x.Length;
        var grid = Grid.Create(x, y, z, box, cutoff);

        // Bin atoms into cells (counting sort).
        var cellOf = new int[n];
        var cellStart = new int[grid.CellCount + 1];
        for (var i = 0; i < n; i++)
        {
            cellOf[i] = grid.CellIndex(i);
            cellStart[cellOf[i] + 1]++;
        }
        for (var c = 0; c < grid.CellCount; c++) cellStart[c + 1] += cellStart[c];
        var cellAtoms = new int[n];
        var fill = (int[])cellStart.Clone();
        for (var i = 0; i < n; i++) cellAtoms[fill[cellOf[i]]++] = i;

        // Atoms are scanned in parallel chunks; each chunk keeps its entries in atom order, and the chunks are joined
        // in order, so the list is the same whatever the thread count.
        const int ChunkAtoms = 256;
        var chunks = new Entries[(n + ChunkAtoms - 1) / ChunkAtoms];
        var rc2 = cutoff * cutoff;
        Parallel.For(0, chunks.Length, c =>
        {
            var entries = new Entries(ChunkAtoms * 32);
            for (var i = c * ChunkAtoms; i < Math.Min(n, (c + 1) * ChunkAtoms); i++)
            {
                ScanAtom(i, grid, cellOf, cellStart, cellAtoms, rc2, entries);
                entries.RowEnds.Add(entries.Owner.Count);
            }
            chunks[c] = entries;
        });

        var total = chunks.Sum(c => c.Owner.Count);
        var offsets = new int[n + 1];
        var owner = new int[total];
        var dxs = new double[total];
        var dys = new double[total];
        var dzs = new double[total];
        var sha = new int[total];
        var shb = new int[total];
        var shc = new int[total];
        int start = 0, atom = 0;
        foreach (var c in chunks)
        {
            c.Owner.CopyTo(owner, start);
            c.Dx.CopyTo(dxs, start);
            c.Dy.CopyTo(dys, start);
            c.Dz.CopyTo(dzs, start);
            c.ShiftA.CopyTo(sha, start);
            c.ShiftB.CopyTo(shb, start);
            c.ShiftC.CopyTo(shc, start);
            foreach (var end in c.RowEnds) offsets[++atom] = start + end;
            start += c.Owner.Count;
        }
        return new NeighborList(offsets, owner, dxs, dys, dzs, cutoff, sha, shb, shc);
    }

    /// <summary>Appends every neighbor of atom <paramref name="i"/> within the cutoff to <paramref name="sink"/>.</summary>
    private static void ScanAtom(int i, Grid grid, int[] cellOf, int[] cellStart, int[] cellAtoms, double rc2, Entries sink)
    {
        Span<int> ci = stackalloc int[3];
        Span<int> cj = stackalloc int[3];
        Span<int> shift = stackalloc int[3];
        grid.Unflatten(cellOf[i], ci);
        double xi = grid.Wx[i], yi = grid.Wy[i], zi = grid.Wz[i];
        for (var da = -grid.Reach[0]; da <= grid.Reach[0]; da++)
        {
            if (!grid.Neighbor(0, ci[0] + da, out cj[0], out shift[0])) continue;
            for (var db = -grid.Reach[1]; db <= grid.Reach[1]; db++)
            {
                if (!grid.Neighbor(1, ci[1] + db, out cj[1], out shift[1])) continue;
                for (var dc = -grid.Reach[2]; dc <= grid.Reach[2]; dc++)
                {
                    if (!grid.Neighbor(2, ci[2] + dc, out cj[2], out shift[2])) continue;
                    var (sx, sy, sz) = grid.ShiftVector(shift);
                    var cell = grid.Flatten(cj);
                    var self = shift[0] == 0 && shift[1] == 0 && shift[2] == 0;
                    for (var k = cellStart[cell]; k < cellStart[cell + 1]; k++)
                    {
                        var j = cellAtoms[k];
                        if (self && j == i) continue;
                        var ddx = grid.Wx[j] + sx - xi;
                        var ddy = grid.Wy[j] + sy - yi;
                        var ddz = grid.Wz[j] + sz - zi;
                        if (ddx * ddx + ddy * ddy + ddz * ddz > rc2) continue;
                        sink.Owner.Add(j);
                        sink.Dx.Add(ddx);
                        sink.Dy.Add(ddy);
                        sink.Dz.Add(ddz);
                        // Shift relative to the caller's (unwrapped) positions: cell shift plus the wrap offsets.
                        sink.ShiftA.Add(shift[0] - grid.WrapOffset[3 * j] + grid.WrapOffset[3 * i]);
                        sink.ShiftB.Add(shift[1] - grid.WrapOffset[3 * j + 1] + grid.WrapOffset[3 * i + 1]);
                        sink.ShiftC.Add(shift[2] - grid.WrapOffset[3 * j + 2] + grid.WrapOffset[3 * i + 2]);
                    }
                }
            }
        }
    }

    /// <summary>The neighbor entries of one chunk of atoms, with the end of each atom's row.</summary>
    private sealed class Entries(int capacity)
    {
        public readonly List<int> Owner = new(capacity);
        public readonly List<double> Dx = new(capacity), Dy = new(capacity), Dz = new(capacity);
        public readonly List<int> ShiftA = new(capacity), ShiftB = new(capacity), ShiftC = new(capacity);
        public readonly List<int> RowEnds = new(ChunkRows);
        private const int ChunkRows = 256;
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
        private double[] _h = [1, 0, 0, 0, 1, 0, 0, 0, 1];

        public int CellCount => Count[0] * Count[1] * Count[2];

        public static Grid Create(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box? box, double cutoff)
        {
            var g = new Grid();
            var n = x.Length;
            g._u = new double[3 * n];
            g.Wx = new double[n];
            g.Wy = new double[n];
            g.Wz = new double[n];
            g.WrapOffset = new int[3 * n];
            var faces = new double[] { 1, 1, 1 };
            if (box is not null)
            {
                g._h = box.Matrix.ToArray();
                for (var d = 0; d < 3; d++)
                {
                    g.Periodic[d] = box.IsPeriodic(d);
                    faces[d] = box.FaceDistance(d);
                }
            }
            for (var i = 0; i < n; i++)
            {
                double a = x[i], b = y[i], c = z[i];
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
