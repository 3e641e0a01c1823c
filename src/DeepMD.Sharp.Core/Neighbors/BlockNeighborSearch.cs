namespace DeepMD.Sharp.Core.Neighbors;

using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// Neighbor lists of a periodic system one block of space at a time, so that no list of the whole system is ever held:
/// the atoms are binned into cells (at least the cutoff wide, perpendicular to the faces) and the cells grouped into
/// bricks ("blocks") of about <see cref="Bin"/>'s target size. <see cref="BuildBlock"/> returns the full list of one
/// block's atoms in the ghost-atom form of the evaluation contract: the block's atoms are the centers (local indices
/// 0 .. m−1), every other atom one of them sees within the cutoff is a ghost (m, m+1, …; every periodic image of an atom
/// maps to the same ghost), and <see cref="Global"/> names the system's atom behind each local index. The memory held
/// grows with the atoms (a few integers per atom for the bins) and with one block's entries, not with the system's
/// entries. This is the serial analogue of a spatial domain decomposition: the block is the subdomain, the ghosts its
/// shell.
/// </summary>
/// <remarks>
/// Only for boxes periodic in all three directions with at least 3 cells along each (face distances ≥ 3 cutoffs): then
/// the 27 cells around a center's cell are 27 distinct (cell, lattice shift) pairs and no image is visited twice or
/// missed. <see cref="Bin"/> says whether a system qualifies. Rows list the 27 cells in a fixed order (c, then b, then a
/// offset innermost), atoms in index order within a cell; the list does not depend on the thread count (it is built on
/// the calling thread).
/// </remarks>
public sealed class BlockNeighborSearch
{
    private int _na, _nb, _nc, _ba, _bb, _bc, _blocksA, _blocksB, _blocksC, _n;
    private double _cutoff;
    private readonly double[] _h = new double[9];
    private int[] _cellStart = [], _cellOf = [], _sorted = [];
    private double[] _wx = [], _wy = [], _wz = []; // wrapped positions in cell order
    private int[] _map = []; // global atom → local index + 1 during a block (0: not in the block)
    private int[] _global = [];
    private int[] _offsets = [];
    private int[] _owner = [];
    private double[] _dx = [], _dy = [], _dz = [];
    private NeighborList? _list;

    /// <summary>Number of blocks of the last <see cref="Bin"/>.</summary>
    public int BlockCount => _blocksA * _blocksB * _blocksC;

    /// <summary>Cells along a, b, c of the last <see cref="Bin"/>.</summary>
    public (int A, int B, int C) Cells => (_na, _nb, _nc);

    /// <summary>Cells per block along a, b, c of the last <see cref="Bin"/>.</summary>
    public (int A, int B, int C) CellsPerBlock => (_ba, _bb, _bc);

    /// <summary>Local index → system atom index for the last built block: centers first, then ghosts.</summary>
    public ReadOnlySpan<int> Global => _global.AsSpan(0, _atoms);

    /// <summary><see cref="Global"/> as the array behind it (longer than the block's atoms).</summary>
    public int[] GlobalArray => _global;

    private int _atoms;

    /// <summary>Centers of the last built block.</summary>
    public int CenterCount { get; private set; }

    /// <summary>Bytes held by this search's arrays (bins, the block buffers), for memory reports.</summary>
    public long BytesHeld =>
        4L * (_cellStart.Length + _cellOf.Length + _sorted.Length + _map.Length + _global.Length + _offsets.Length + _owner.Length)
        + 8L * (_wx.Length + _wy.Length + _wz.Length + _dx.Length + _dy.Length + _dz.Length);

    /// <summary>
    /// Whether a system in <paramref name="box"/> can be listed block by block with <paramref name="cutoff"/>: periodic
    /// along a, b and c, and at least 3 cutoffs between opposite faces.
    /// </summary>
    public static bool Supports(Box? box, double cutoff)
    {
        if (box is null || !(cutoff > 0)) return false;
        for (var d = 0; d < 3; d++)
            if (!box.IsPeriodic(d) || box.FaceDistance(d) < 3 * cutoff) return false;
        return true;
    }

    /// <summary>
    /// Bins the first <paramref name="n"/> atoms (positions need not be wrapped) into cells of width ≥
    /// <paramref name="cutoff"/> and groups the cells into blocks of about <paramref name="blockAtoms"/> atoms (bricks of
    /// whole cells, at least one cell). Throws when <see cref="Supports"/> is false.
    /// </summary>
    public void Bin(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, int n, Box box, double cutoff, int blockAtoms)
    {
        if (!Supports(box, cutoff)) throw new ArgumentException("block neighbor lists need a box periodic in a, b and c with at least 3 cutoffs between opposite faces");
        _cutoff = cutoff;
        _n = n;
        box.Matrix.CopyTo(_h);
        const int maxCells = 1 << 10;
        _na = Math.Min(maxCells, (int)Math.Floor(box.FaceDistance(0) / cutoff));
        _nb = Math.Min(maxCells, (int)Math.Floor(box.FaceDistance(1) / cutoff));
        _nc = Math.Min(maxCells, (int)Math.Floor(box.FaceDistance(2) / cutoff));
        var cells = _na * _nb * _nc;
        // Blocks: cubes of cells holding about blockAtoms atoms at the mean density.
        var perCell = Math.Max(1.0, (double)n / cells);
        var side = Math.Max(1, (int)Math.Round(Math.Cbrt(Math.Max(1, blockAtoms) / perCell)));
        (_ba, _bb, _bc) = (Math.Min(side, _na), Math.Min(side, _nb), Math.Min(side, _nc));
        (_blocksA, _blocksB, _blocksC) = ((_na + _ba - 1) / _ba, (_nb + _bb - 1) / _bb, (_nc + _bc - 1) / _bc);

        Grow(ref _cellStart, cells + 1);
        Grow(ref _cellOf, n);
        Grow(ref _sorted, n);
        Grow(ref _wx, n);
        Grow(ref _wy, n);
        Grow(ref _wz, n);
        if (_map.Length < n) _map = new int[n]; // zero: no atom in a block
        var inv = box.Inverse;
        var counts = _cellStart.AsSpan(0, cells + 1);
        counts.Clear();
        for (var i = 0; i < n; i++)
        {
            var (xi, yi, zi) = (x[i], y[i], z[i]);
            var fa = Box.WrapUnit(xi * inv[0] + yi * inv[3] + zi * inv[6]);
            var fb = Box.WrapUnit(xi * inv[1] + yi * inv[4] + zi * inv[7]);
            var fc = Box.WrapUnit(xi * inv[2] + yi * inv[5] + zi * inv[8]);
            int ia = Math.Min(_na - 1, (int)(fa * _na)), ib = Math.Min(_nb - 1, (int)(fb * _nb)), ic = Math.Min(_nc - 1, (int)(fc * _nc));
            var cell = (ia * _nb + ib) * _nc + ic;
            _cellOf[i] = cell;
            counts[cell + 1]++;
            // The wrapped position: the same fractional point in the cell (kept in the atom's slot for now).
            _wx[i] = fa * _h[0] + fb * _h[3] + fc * _h[6];
            _wy[i] = fa * _h[1] + fb * _h[4] + fc * _h[7];
            _wz[i] = fa * _h[2] + fb * _h[5] + fc * _h[8];
        }
        for (var c = 0; c < cells; c++) counts[c + 1] += counts[c];
        // Counting sort (stable: index order within a cell); _cellStart[c] advances to the next cell's start, then is restored.
        for (var i = 0; i < n; i++) _sorted[_cellStart[_cellOf[i]]++] = i;
        for (var c = cells; c > 0; c--) _cellStart[c] = _cellStart[c - 1];
        _cellStart[0] = 0;
        // Wrapped positions into cell order (the atom's own slots are read through _sorted from now on).
        Permute(_wx, n);
        Permute(_wy, n);
        Permute(_wz, n);
    }

    private double[] _permute = [];

    /// <summary>Reorders <paramref name="a"/>'s first n values into cell order (a[k] = old a[_sorted[k]]).</summary>
    private void Permute(double[] a, int n)
    {
        Grow(ref _permute, n);
        for (var k = 0; k < n; k++) _permute[k] = a[_sorted[k]];
        Array.Copy(_permute, a, n);
    }

    private static void Grow<TE>(ref TE[] a, int size)
    {
        if (a.Length < size) a = new TE[size];
    }

    /// <summary>
    /// The full list (cutoff as binned) of block <paramref name="block"/>'s atoms as centers, their neighbors local or
    /// ghost (see the class summary); <see cref="Global"/> and <see cref="CenterCount"/> describe it until the next call.
    /// The list and its arrays are reused by the next call.
    /// </summary>
    public NeighborList BuildBlock(int block)
    {
        if ((uint)block >= (uint)BlockCount) throw new ArgumentOutOfRangeException(nameof(block));
        int pa = block / (_blocksB * _blocksC), pb = block / _blocksC % _blocksB, pc = block % _blocksC;
        int a0 = pa * _ba, a1 = Math.Min(_na, a0 + _ba), b0 = pb * _bb, b1 = Math.Min(_nb, b0 + _bb), c0 = pc * _bc, c1 = Math.Min(_nc, c0 + _bc);
        // Centers: the block's cells in order.
        var m = 0;
        for (var ia = a0; ia < a1; ia++)
            for (var ib = b0; ib < b1; ib++)
                for (var ic = c0; ic < c1; ic++)
                {
                    var cell = (ia * _nb + ib) * _nc + ic;
                    m += _cellStart[cell + 1] - _cellStart[cell];
                }
        Grow(ref _global, Math.Max(2 * m, 64));
        Grow(ref _offsets, m + 1);
        var local = 0;
        for (var ia = a0; ia < a1; ia++)
            for (var ib = b0; ib < b1; ib++)
                for (var ic = c0; ic < c1; ic++)
                {
                    var cell = (ia * _nb + ib) * _nc + ic;
                    for (var k = _cellStart[cell]; k < _cellStart[cell + 1]; k++)
                    {
                        _global[local] = _sorted[k];
                        _map[_sorted[k]] = ++local;
                    }
                }
        var atoms = m;
        var entries = 0;
        var rc2 = _cutoff * _cutoff;
        var h = _h;
        _offsets[0] = 0;
        var center = 0;
        for (var ia = a0; ia < a1; ia++)
            for (var ib = b0; ib < b1; ib++)
                for (var ic = c0; ic < c1; ic++)
                {
                    var cell = (ia * _nb + ib) * _nc + ic;
                    for (var k = _cellStart[cell]; k < _cellStart[cell + 1]; k++, center++)
                    {
                        double xi = _wx[k], yi = _wy[k], zi = _wz[k];
                        for (var da = -1; da <= 1; da++)
                        {
                            var ja = ia + da;
                            var sa = ja < 0 ? -1 : ja >= _na ? 1 : 0;
                            ja -= sa * _na;
                            for (var db = -1; db <= 1; db++)
                            {
                                var jb = ib + db;
                                var sb = jb < 0 ? -1 : jb >= _nb ? 1 : 0;
                                jb -= sb * _nb;
                                for (var dc = -1; dc <= 1; dc++)
                                {
                                    var jc = ic + dc;
                                    var sc = jc < 0 ? -1 : jc >= _nc ? 1 : 0;
                                    jc -= sc * _nc;
                                    var other = (ja * _nb + jb) * _nc + jc;
                                    // The lattice shift of this stencil cell, minus the center: d = w_j + shift − w_i.
                                    var ox = sa * h[0] + sb * h[3] + sc * h[6] - xi;
                                    var oy = sa * h[1] + sb * h[4] + sc * h[7] - yi;
                                    var oz = sa * h[2] + sb * h[5] + sc * h[8] - zi;
                                    for (var q = _cellStart[other]; q < _cellStart[other + 1]; q++)
                                    {
                                        double ex = _wx[q] + ox, ey = _wy[q] + oy, ez = _wz[q] + oz;
                                        var r2 = ex * ex + ey * ey + ez * ez;
                                        if (r2 > rc2 || q == k && sa == 0 && sb == 0 && sc == 0) continue;
                                        var j = _sorted[q];
                                        var lj = _map[j] - 1;
                                        if (lj < 0)
                                        {
                                            if (atoms == _global.Length) Array.Resize(ref _global, 2 * atoms);
                                            _global[atoms] = j;
                                            _map[j] = ++atoms;
                                            lj = atoms - 1;
                                        }
                                        if (entries == _owner.Length) GrowEntries(Math.Max(4096, 2 * entries));
                                        _owner[entries] = lj;
                                        _dx[entries] = ex;
                                        _dy[entries] = ey;
                                        _dz[entries] = ez;
                                        entries++;
                                    }
                                }
                            }
                        }
                        _offsets[center + 1] = entries;
                    }
                }
        for (var k = 0; k < atoms; k++) _map[_global[k]] = 0;
        _atoms = atoms;
        CenterCount = m;
        // The list object is reused; its offsets array must be exactly m + 1 long (CenterCount = Offsets.Length − 1).
        var offsets = _offsets.Length == m + 1 ? _offsets : _offsets.AsSpan(0, m + 1).ToArray();
        _list = NeighborList.Built(offsets, _owner, _dx, _dy, _dz, _cutoff, NoShifts.Instance, default, _list);
        return _list;
    }

    private void GrowEntries(int size)
    {
        Array.Resize(ref _owner, size);
        Array.Resize(ref _dx, size);
        Array.Resize(ref _dy, size);
        Array.Resize(ref _dz, size);
    }

    /// <summary>A block list has no positions to refer lattice shifts to.</summary>
    private sealed class NoShifts : IShiftSource
    {
        public static readonly NoShifts Instance = new();

        public void ComputeShifts(NeighborList list, int[] shiftA, int[] shiftB, int[] shiftC) =>
            throw new InvalidOperationException("a block neighbor list (BlockNeighborSearch) has no lattice shifts: its entries name local and ghost atoms");
    }
}
