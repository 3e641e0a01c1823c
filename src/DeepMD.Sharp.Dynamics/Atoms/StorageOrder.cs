namespace DeepMD.Sharp.Dynamics.Atoms;

/// <summary>
/// The order in which LAMMPS would hold the atoms in memory. LAMMPS sorts its atoms spatially (<c>atom_modify sort</c>,
/// default every 1000 steps with bins of half the neighbor cutoff) at every run's setup and at the first neighbor
/// rebuild on or after each multiple of 1000 steps; loops over atoms, and therefore the assignment of random numbers
/// to atoms in fix langevin, follow that order. dpsharp keeps its atoms in place and records the order instead:
/// <see cref="Order"/>[k] is the index of the k-th atom in LAMMPS' storage. The sort is LAMMPS' (bins by
/// z, then y, then x over the box; within a bin the previous order kept; for a triclinic box, fractional coordinates
/// binned over the box's bounding box, as LAMMPS does; one layer in z in 2-d).
/// </summary>
public sealed class StorageOrder
{
    private int[] _order = [];
    private int[] _scratch = [];
    private int[] _next = [];
    private int[] _binHead = [];

    /// <summary>Steps between sorts (LAMMPS' default 1000; 0 disables sorting).</summary>
    public int Every { get; set; } = 1000;

    /// <summary>Bin size of the sort (0: half the neighbor cutoff, LAMMPS' default).</summary>
    public double BinSize { get; set; }

    /// <summary>Atom indices in LAMMPS' storage order.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>First step at which a rebuild sorts again.</summary>
    public long NextSort { get; set; }

    /// <summary>
    /// Follows a change of the atom count: atoms added after the existing ones (create_atoms, fix deposit) come last in
    /// the order, as LAMMPS appends them to its arrays; otherwise (atoms deleted or read) the order becomes the identity.
    /// </summary>
    public void EnsureSize(int atoms)
    {
        if (_order.Length == atoms) return;
        var kept = _order.Length < atoms ? _order : [];
        _order = new int[atoms];
        kept.CopyTo(_order, 0);
        for (var i = kept.Length; i < atoms; i++) _order[i] = i;
        _scratch = new int[atoms];
        _next = new int[atoms];
    }

    /// <summary>Sets the order (from a checkpoint).</summary>
    public void Restore(int[] order, long nextSort)
    {
        EnsureSize(order.Length);
        order.CopyTo(_order, 0);
        NextSort = nextSort;
    }

    /// <summary>The order as an array (for checkpoints).</summary>
    public int[] ToArray() => (int[])_order.Clone();

    /// <summary>
    /// LAMMPS' Atom::sort at step <paramref name="step"/>, with positions already wrapped into the box, or, with
    /// <paramref name="wrap"/>, binned as if they were (a run that keeps the last run's list leaves them as they are).
    /// </summary>
    public void Sort(Simulation sim, long step, bool wrap = false)
    {
        var a = sim.Atoms;
        EnsureSize(a.Count);
        if (Every <= 0) return;
        NextSort = step / Every * Every + Every;
        var box = sim.Box!;
        var binSize = BinSize > 0 ? BinSize : 0.5 * (sim.Potential!.Cutoff + sim.Neighbor.Skin);
        if (!(binSize > 0)) return;
        // LAMMPS bins over the box's bounding box in box coordinates, but a triclinic box's atoms are in fractional
        // coordinates while it sorts (its Verlet setup and rebuilds convert before exchange and sort), so they fall
        // into the bins that fractional values reach; a 2-d system has one bin layer in z.
        var triclinic = sim.TriclinicStyle || box.IsTriclinic;
        Span<double> lo = stackalloc double[3];
        Span<double> hi = stackalloc double[3];
        if (triclinic)
        {
            Span<double> corners = stackalloc double[24];
            Neighbors.VerletList.Corners(box, corners);
            for (var d = 0; d < 3; d++)
            {
                (lo[d], hi[d]) = (double.MaxValue, double.MinValue);
                for (var k = 0; k < 8; k++) (lo[d], hi[d]) = (Math.Min(lo[d], corners[3 * k + d]), Math.Max(hi[d], corners[3 * k + d]));
            }
        }
        else
        {
            for (var d = 0; d < 3; d++) (lo[d], hi[d]) = (box.Lo[d], box.Hi[d]);
        }
        Span<int> nbin = stackalloc int[3];
        Span<double> inv = stackalloc double[3];
        for (var d = 0; d < 3; d++)
        {
            var len = hi[d] - lo[d];
            nbin[d] = d == 2 && sim.Dimension == 2 ? 1 : Math.Max(1, (int)(len * (1.0 / binSize)));
            inv[d] = nbin[d] / len;
        }
        var bins = nbin[0] * nbin[1] * nbin[2];
        if (bins == 1) return;
        if (_binHead.Length < bins) _binHead = new int[bins];
        Array.Fill(_binHead, -1, 0, bins);
        var hinv = triclinic ? Fixes.FixDeform.HInverse(box) : null;
        // Storage positions k (LAMMPS' local index) are pushed from last to first, so each bin lists them in order.
        for (var k = _order.Length - 1; k >= 0; k--)
        {
            var i = _order[k];
            double x = a.X[i], y = a.Y[i], z = a.Z[i];
            if (wrap)
            {
                int ia = 0, ib = 0, ic = 0;
                box.Remap(ref x, ref y, ref z, ref ia, ref ib, ref ic);
            }
            if (hinv is not null) Fixes.FixDeform.ToLamda(box, hinv, ref x, ref y, ref z);
            var ix = Math.Clamp((int)((x - lo[0]) * inv[0]), 0, nbin[0] - 1);
            var iy = Math.Clamp((int)((y - lo[1]) * inv[1]), 0, nbin[1] - 1);
            var iz = Math.Clamp((int)((z - lo[2]) * inv[2]), 0, nbin[2] - 1);
            var bin = (iz * nbin[1] + iy) * nbin[0] + ix;
            _next[k] = _binHead[bin];
            _binHead[bin] = k;
        }
        var n = 0;
        for (var b = 0; b < bins; b++)
            for (var k = _binHead[b]; k >= 0; k = _next[k]) _scratch[n++] = _order[k];
        (_order, _scratch) = (_scratch, _order);
    }
}
