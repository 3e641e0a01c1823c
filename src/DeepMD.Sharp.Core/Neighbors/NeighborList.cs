namespace DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A full neighbor list in compressed-row form: the neighbors of center <c>i</c> are entries
/// <c>Offsets[i] .. Offsets[i+1]-1</c>. Each entry names the neighbor's owning atom (<see cref="Owner"/>)
/// and the displacement d = r_j(image) − r_i in Å. A periodic image of an atom, including an image of the
/// center itself, is a separate entry, so a cell smaller than the cutoff yields many entries per owner.
/// </summary>
public sealed class NeighborList
{
    public NeighborList(int[] offsets, int[] owner, double[] dx, double[] dy, double[] dz, double cutoff,
        int[]? shiftA = null, int[]? shiftB = null, int[]? shiftC = null)
        : this(offsets, owner, dx, dy, dz, cutoff)
    {
        _shiftA = shiftA ?? new int[owner.Length];
        _shiftB = shiftB ?? new int[owner.Length];
        _shiftC = shiftC ?? new int[owner.Length];
    }

    /// <summary>
    /// A list whose lattice shifts are worked out on first use by <paramref name="shifts"/> (which fills the three
    /// arrays it is given, at least <see cref="EntryCount"/> long), in arrays taken from <paramref name="spare"/> where
    /// they are long enough: a single evaluation never reads them, and writing them with the list cost a quarter of
    /// the list's memory traffic. A <paramref name="recycle"/>d list (one no longer used) is itself rebuilt in place
    /// and returned, keeping its parallel displacement update, so a rebuild and the MD steps after it allocate nothing.
    /// </summary>
    internal static NeighborList Built(int[] offsets, int[] owner, double[] dx, double[] dy, double[] dz, double cutoff,
        IShiftSource shifts, (int[]? A, int[]? B, int[]? C) spare, NeighborList? recycle)
    {
        var list = recycle ?? new NeighborList(offsets, owner, dx, dy, dz, cutoff);
        (list.Offsets, list.Owner, list.Dx, list.Dy, list.Dz, list.Cutoff) = (offsets, owner, dx, dy, dz, cutoff);
        (list._shiftA, list._shiftB, list._shiftC) = (null, null, null);
        list._shiftSource = shifts;
        list._shiftLock = shifts;
        list._spareShifts = spare;
        list.SpatialOrder = null;
        list.Generation = Interlocked.Increment(ref s_generations);
        return list;
    }

    private static long s_generations;

    /// <summary>
    /// Which build of this list object the contents are: <see cref="CellListNeighborSearch"/> rebuilds a recycled list
    /// in place and gives it a new, process-wide unique generation, so a cache of anything derived from a list
    /// (work batches, ...) is keyed by the object and its generation.
    /// </summary>
    public long Generation { get; private set; }

    private NeighborList(int[] offsets, int[] owner, double[] dx, double[] dy, double[] dz, double cutoff)
    {
        Offsets = offsets;
        Owner = owner;
        Dx = dx;
        Dy = dy;
        Dz = dz;
        Cutoff = cutoff;
        Generation = Interlocked.Increment(ref s_generations);
    }

    private int[]? _shiftA, _shiftB, _shiftC;
    private IShiftSource? _shiftSource;
    private object? _shiftLock; // the shift source, kept after it is dropped
    private (int[]? A, int[]? B, int[]? C) _spareShifts;

    /// <summary>The shift arrays as they stand, without working them out (null while not yet needed), for recycling.</summary>
    internal (int[]? A, int[]? B, int[]? C) ShiftArraysIfAny =>
        Volatile.Read(ref _shiftA) is { } a ? (a, _shiftB, _shiftC) : _spareShifts;

    /// <summary>
    /// Lattice shift of each entry relative to the positions the list was built from:
    /// d = r_owner + ShiftA·a + ShiftB·b + ShiftC·c − r_i. Lets an MD engine reuse the list (Verlet skin) while atoms
    /// move, as long as it does not re-wrap positions between rebuilds. Lists from <see cref="CellListNeighborSearch"/>
    /// work the shifts out on first use (thread-safe).
    /// </summary>
    public int[] ShiftA => Volatile.Read(ref _shiftA) ?? MakeShifts().A;

    /// <summary>Lattice shift along b; see <see cref="ShiftA"/>.</summary>
    public int[] ShiftB => Volatile.Read(ref _shiftA) is not null ? _shiftB! : MakeShifts().B;

    /// <summary>Lattice shift along c; see <see cref="ShiftA"/>.</summary>
    public int[] ShiftC => Volatile.Read(ref _shiftA) is not null ? _shiftC! : MakeShifts().C;

    private (int[] A, int[] B, int[] C) MakeShifts()
    {
        lock (_shiftLock!)
        {
            if (_shiftA is null)
            {
                var n = EntryCount;
                var (sa, sb, sc) = _spareShifts;
                // Fresh arrays get 1/16 to spare when they replace recycled ones (lists breathe between builds), as
                // the list's own arrays do; otherwise a list a little longer than the last one would allocate again.
                var size = sa is null ? n : n + n / 16;
                int[] a = sa is not null && sa.Length >= n ? sa : GC.AllocateUninitializedArray<int>(size);
                int[] b = sb is not null && sb.Length >= n ? sb : GC.AllocateUninitializedArray<int>(size);
                int[] c = sc is not null && sc.Length >= n ? sc : GC.AllocateUninitializedArray<int>(size);
                _shiftSource!.ComputeShifts(this, a, b, c);
                _shiftB = b;
                _shiftC = c;
                Volatile.Write(ref _shiftA, a);
                _shiftSource = null;
                _spareShifts = default;
            }
            return (_shiftA, _shiftB!, _shiftC!);
        }
    }

    /// <summary>
    /// Recomputes every displacement from current positions and box (same atom order and unwrapped positions as at
    /// build time). Entries may now lie beyond <see cref="Cutoff"/>; consumers filter by their own cutoff.
    /// </summary>
    public void UpdateDisplacements(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Geometry.Box? box)
    {
        Span<double> h = stackalloc double[9];
        box?.Matrix.CopyTo(h);
        UpdateRange(x, y, z, h, 0, CenterCount);
    }

    /// <summary>
    /// As <see cref="UpdateDisplacements(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Geometry.Box?)"/>,
    /// on all cores (an MD step with a reused list runs this over every entry, skin included). Allocates nothing after
    /// the first call on this list.
    /// </summary>
    public void UpdateDisplacements(double[] x, double[] y, double[] z, Geometry.Box? box)
    {
        _ = ShiftA; // work the shifts out (once) before the workers read them
        const int chunk = 1024;
        var n = CenterCount;
        if (n <= 2 * chunk)
        {
            Span<double> h = stackalloc double[9];
            box?.Matrix.CopyTo(h);
            UpdateRange(x, y, z, h, 0, n);
            return;
        }
        var body = Interlocked.Exchange(ref _updater, null) ?? new DisplacementUpdate(this);
        if (box is null) Array.Clear(body.H);
        else box.Matrix.CopyTo(body.H);
        (body.X, body.Y, body.Z, body.Chunk) = (x, y, z, chunk);
        try
        {
            Threading.ParallelLoop.For((n + chunk - 1) / chunk, -1, body);
        }
        finally
        {
            (body.X, body.Y, body.Z) = (null, null, null);
            _updater = body;
        }
    }

    private DisplacementUpdate? _updater;

    /// <summary>The parallel body of <see cref="UpdateDisplacements(double[], double[], double[], Geometry.Box?)"/> (kept with the list).</summary>
    private sealed class DisplacementUpdate(NeighborList list) : Threading.IParallelBody
    {
        public readonly double[] H = new double[9];
        public double[]? X, Y, Z;
        public int Chunk;

        public void Invoke(int index, int worker) =>
            list.UpdateRange(X!, Y!, Z!, H, index * Chunk, Math.Min(list.CenterCount, (index + 1) * Chunk));
    }

    private void UpdateRange(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<double> h, int lo, int hi)
    {
        int[] sha = ShiftA, shb = ShiftB, shc = ShiftC, owner = Owner;
        double[] dx = Dx, dy = Dy, dz = Dz;
        for (var i = lo; i < hi; i++)
        {
            for (var e = Offsets[i]; e < Offsets[i + 1]; e++)
            {
                var j = owner[e];
                double sa = sha[e], sb = shb[e], sc = shc[e];
                dx[e] = x[j] + sa * h[0] + sb * h[3] + sc * h[6] - x[i];
                dy[e] = y[j] + sa * h[1] + sb * h[4] + sc * h[7] - y[i];
                dz[e] = z[j] + sa * h[2] + sb * h[5] + sc * h[8] - z[i];
            }
        }
    }

    /// <summary>
    /// Optional: every center once, in an order where consecutive centers are close in space (the builder's cells along
    /// a Z-order curve), or null when the builder did not provide one. Evaluators form their work batches along it, so a
    /// batch and a thread's run of batches touch a compact region (its neighbors' data and force entries), whatever
    /// order the atoms came in; the results do not depend on it.
    /// </summary>
    public int[]? SpatialOrder { get; set; }

    /// <summary>The list builder's scratch arrays, handed on to the next list built into this one's arrays.</summary>
    internal object? BuildBuffers { get; set; }

    /// <summary>Row starts; length = number of centers + 1.</summary>
    public int[] Offsets { get; private set; }

    /// <summary>Index of the atom owning each neighbor entry (an image maps to its owner).</summary>
    public int[] Owner { get; private set; }

    /// <summary>x component of r_j − r_i, Å.</summary>
    public double[] Dx { get; private set; }

    /// <summary>y component of r_j − r_i, Å.</summary>
    public double[] Dy { get; private set; }

    /// <summary>z component of r_j − r_i, Å.</summary>
    public double[] Dz { get; private set; }

    /// <summary>The cutoff used to build the list (pairs with r ≤ cutoff are kept), Å.</summary>
    public double Cutoff { get; private set; }

    /// <summary>Number of centers.</summary>
    public int CenterCount => Offsets.Length - 1;

    /// <summary>Number of neighbors of center <paramref name="i"/>.</summary>
    public int CountOf(int i) => Offsets[i + 1] - Offsets[i];

    /// <summary>Total number of entries.</summary>
    public int EntryCount => Offsets[^1];
}

/// <summary>Works out the lattice shifts of a list on first use (see <see cref="NeighborList.ShiftA"/>).</summary>
internal interface IShiftSource
{
    void ComputeShifts(NeighborList list, int[] shiftA, int[] shiftB, int[] shiftC);
}
