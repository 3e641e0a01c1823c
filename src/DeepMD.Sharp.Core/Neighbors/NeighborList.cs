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
    /// A list whose lattice shifts are worked out on first use by <paramref name="computeShifts"/> (which fills the three
    /// arrays it is given, at least <see cref="EntryCount"/> long), in arrays taken from <paramref name="spare"/> where
    /// they are long enough: a single evaluation never reads them, and writing them with the list cost a quarter of
    /// the list's memory traffic.
    /// </summary>
    internal NeighborList(int[] offsets, int[] owner, double[] dx, double[] dy, double[] dz, double cutoff,
        Action<int[], int[], int[]> computeShifts, (int[]? A, int[]? B, int[]? C) spare)
        : this(offsets, owner, dx, dy, dz, cutoff)
    {
        _computeShifts = computeShifts;
        _spareShifts = spare;
    }

    private NeighborList(int[] offsets, int[] owner, double[] dx, double[] dy, double[] dz, double cutoff)
    {
        Offsets = offsets;
        Owner = owner;
        Dx = dx;
        Dy = dy;
        Dz = dz;
        Cutoff = cutoff;
    }

    private int[]? _shiftA, _shiftB, _shiftC;
    private Action<int[], int[], int[]>? _computeShifts;
    private (int[]? A, int[]? B, int[]? C) _spareShifts;
    private readonly object _shiftLock = new();

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
        lock (_shiftLock)
        {
            if (_shiftA is null)
            {
                var n = EntryCount;
                var (sa, sb, sc) = _spareShifts;
                int[] a = sa is not null && sa.Length >= n ? sa : GC.AllocateUninitializedArray<int>(n);
                int[] b = sb is not null && sb.Length >= n ? sb : GC.AllocateUninitializedArray<int>(n);
                int[] c = sc is not null && sc.Length >= n ? sc : GC.AllocateUninitializedArray<int>(n);
                _computeShifts!(a, b, c);
                _shiftB = b;
                _shiftC = c;
                Volatile.Write(ref _shiftA, a);
                _computeShifts = null;
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
        var h = box is null ? new double[9] : box.Matrix.ToArray();
        UpdateRange(x, y, z, h, 0, CenterCount);
    }

    /// <summary>
    /// As <see cref="UpdateDisplacements(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Geometry.Box?)"/>,
    /// on all cores (an MD step with a reused list runs this over every entry, skin included).
    /// </summary>
    public void UpdateDisplacements(double[] x, double[] y, double[] z, Geometry.Box? box)
    {
        var h = box is null ? new double[9] : box.Matrix.ToArray();
        _ = ShiftA; // work the shifts out (once) before the workers read them
        const int chunk = 1024;
        var n = CenterCount;
        if (n <= 2 * chunk)
        {
            UpdateRange(x, y, z, h, 0, n);
            return;
        }
        Parallel.For(0, (n + chunk - 1) / chunk, k => UpdateRange(x, y, z, h, k * chunk, Math.Min(n, (k + 1) * chunk)));
    }

    private void UpdateRange(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, double[] h, int lo, int hi)
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
    public int[] Offsets { get; }

    /// <summary>Index of the atom owning each neighbor entry (an image maps to its owner).</summary>
    public int[] Owner { get; }

    /// <summary>x component of r_j − r_i, Å.</summary>
    public double[] Dx { get; }

    /// <summary>y component of r_j − r_i, Å.</summary>
    public double[] Dy { get; }

    /// <summary>z component of r_j − r_i, Å.</summary>
    public double[] Dz { get; }

    /// <summary>The cutoff used to build the list (pairs with r ≤ cutoff are kept), Å.</summary>
    public double Cutoff { get; }

    /// <summary>Number of centers.</summary>
    public int CenterCount => Offsets.Length - 1;

    /// <summary>Number of neighbors of center <paramref name="i"/>.</summary>
    public int CountOf(int i) => Offsets[i + 1] - Offsets[i];

    /// <summary>Total number of entries.</summary>
    public int EntryCount => Offsets[^1];
}
