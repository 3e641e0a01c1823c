namespace DeepMD.Sharp.Core.Neighbors;

using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// LAMMPS' half neighbor list with Newton's third law on ghost atoms (<c>half/bin/newton</c>): every pair of atoms within
/// the cutoff (cutoff + skin for a Verlet list) is stored once, from a local atom to a local or ghost atom, so a pair
/// potential computes it once and applies the force to both ends (a ghost's force is then folded onto its owner).
/// <para>
/// Built with bins in fractional coordinates over locals and ghosts (<see cref="GhostAtoms"/>): each periodic direction
/// holds a whole number of bins, at least as wide (face to face) as the cutoff, so a lattice translation maps bins onto
/// bins. A center scans its own bin and the "upper" half of the surrounding bins; within its own bin it takes local atoms
/// of higher index and ghosts whose owner has a higher index (or is itself, with a positive lattice shift). Since bin
/// offsets of a pair and of its periodic mirror are opposite, each physical pair appears exactly once.
/// </para>
/// <para>
/// Centers are stored bin by bin, in slabs of one bin layer along c; a center's pairs reach at most
/// <see cref="SlabReach"/> slabs up, so slabs whose indices differ by more than that touch disjoint atoms and
/// <see cref="ForEachSlab"/> can run them on several threads with a result that does not depend on the thread count.
/// </para>
/// </summary>
public sealed class HalfNeighborList
{
    private int[] _centers = [], _offsets = [1], _neighbors = [], _slabStart = [0];
    private int[] _binOf = [], _binStart = [], _binAtoms = [], _binFill = [], _stencil = [];
    /// <summary>Bins per cutoff length: 2 (half-cutoff bins, a 5x5x5 stencil) scans fewer candidates than 1 (3x3x3).</summary>
    private const int BinsPerCutoff = 2;
    private SlabScratch[] _slabs = [];
    private (int NbA, int NbB, int LoA, int LoB, int LoC, int Ea, int Eb, int Locals, double CutSq) _geometry;

    /// <summary>Locals and ghosts the list refers to (extended indices).</summary>
    public GhostAtoms Atoms { get; } = new();

    /// <summary>The distance the list was built with (pairs with r ≤ cutoff kept).</summary>
    public double Cutoff { get; private set; }

    /// <summary>Number of centers (= local atoms).</summary>
    public int CenterCount => Atoms.LocalCount;

    /// <summary>Local atom index of each center, in slab order.</summary>
    public ReadOnlySpan<int> Centers => _centers.AsSpan(0, CenterCount);

    /// <summary>Neighbors of center k are <see cref="Neighbors"/>[Offsets[k] .. Offsets[k+1]−1].</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, CenterCount + 1);

    /// <summary>Extended indices (locals, then ghosts) of the neighbors, per center.</summary>
    public ReadOnlySpan<int> Neighbors => _neighbors.AsSpan(0, PairCount);

    /// <summary>Stored pairs.</summary>
    public int PairCount => _offsets[CenterCount];

    /// <summary>Number of slabs (bin layers along c).</summary>
    public int SlabCount { get; private set; }

    /// <summary>Centers of slab s are positions <see cref="SlabStart"/>[s] .. [s+1]−1 of <see cref="Centers"/>.</summary>
    public ReadOnlySpan<int> SlabStart => _slabStart.AsSpan(0, SlabCount + 1);

    /// <summary>How many slabs up a center's pairs may reach.</summary>
    public int SlabReach { get; private set; }

    /// <summary>Raw arrays for the pair kernels (no span construction in hot loops): centers, see <see cref="Centers"/>.</summary>
    public int[] CenterArray => _centers;

    public int[] OffsetArray => _offsets;

    public int[] NeighborArray => _neighbors;

    public int[] SlabStartArray => _slabStart;

    /// <summary>
    /// Removes the pairs <paramref name="excluded"/> names (given the local indices of both atoms; a ghost counts as its
    /// owner), as LAMMPS' <c>neigh_modify exclude</c> does after a build. Pair order is otherwise kept.
    /// </summary>
    public void Exclude(Func<int, int, bool> excluded)
    {
        var owner = Atoms.Owner;
        var w = 0;
        var start = _offsets[0];
        for (var k = 0; k < CenterCount; k++)
        {
            var i = _centers[k];
            var end = _offsets[k + 1];
            for (var p = start; p < end; p++)
            {
                var j = _neighbors[p];
                if (!excluded(i, owner[j])) _neighbors[w++] = j;
            }
            start = end;
            _offsets[k + 1] = w;
        }
    }

    /// <summary>
    /// Builds ghosts, bins and the list for local positions wrapped into the box.
    /// </summary>
    /// <param name="x">Local x positions.</param>
    /// <param name="y">Local y positions.</param>
    /// <param name="z">Local z positions.</param>
    /// <param name="types">Local engine types.</param>
    /// <param name="origin">The box's lower corner.</param>
    /// <param name="cell">The current cell with its periodic flags.</param>
    /// <param name="cutoff">Pair distance kept (cutoff + skin).</param>
    /// <param name="parallel">Thread limit for the pair search (null: one thread); the list does not depend on it.</param>
    /// <param name="planar">
    /// A 2-d system (LAMMPS' <c>dimension 2</c>): the periodic z direction has no images and one bin layer, so atoms
    /// interact only within the plane however thin the box is (LAMMPS' 2-d bins and stencils).
    /// </param>
    public void Build(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, ReadOnlySpan<int> types,
        ReadOnlySpan<double> origin, Box cell, double cutoff, ParallelOptions? parallel = null, bool planar = false)
    {
        if (!(cutoff > 0)) throw new ArgumentOutOfRangeException(nameof(cutoff), "the neighbor cutoff must be positive");
        Cutoff = cutoff;
        var atoms = Atoms;
        atoms.Build(x, y, z, types, origin, cell, cutoff, planar);
        var nLocal = atoms.LocalCount;
        var total = atoms.TotalCount;

        // Bins per direction (a whole number per box length) and how many bins a pair can span.
        Span<int> nb = stackalloc int[3], reach = stackalloc int[3], lo = stackalloc int[3], hi = stackalloc int[3];
        for (var d = 0; d < 3; d++)
        {
            var face = cell.FaceDistance(d);
            nb[d] = Math.Max(1, (int)Math.Min(1 << 20, Math.Floor(face * BinsPerCutoff / cutoff)));
            reach[d] = Math.Max(1, (int)Math.Ceiling(cutoff / face * nb[d]));
            if (planar && d == 2) (nb[d], reach[d]) = (1, 0);
            lo[d] = -reach[d];
            hi[d] = nb[d] - 1 + reach[d];
        }

        // Bin coordinates: locals from their fractions (clamped into the box), ghosts = owner's bin + shift · bins.
        if (_binOf.Length < 3 * total) _binOf = new int[3 * (total + total / 4 + 16)];
        var frac = atoms.LocalFractions;
        for (var i = 0; i < nLocal; i++)
            for (var d = 0; d < 3; d++)
                _binOf[3 * i + d] = Math.Clamp((int)Math.Floor(frac[3 * i + d] * nb[d]), 0, nb[d] - 1);
        var owner = atoms.Owner;
        var shiftA = atoms.ShiftA;
        var shiftB = atoms.ShiftB;
        var shiftC = atoms.ShiftC;
        for (var g = nLocal; g < total; g++)
        {
            var o = 3 * owner[g];
            var ba = _binOf[3 * g] = _binOf[o] + shiftA[g] * nb[0];
            var bb = _binOf[3 * g + 1] = _binOf[o + 1] + shiftB[g] * nb[1];
            var bc = _binOf[3 * g + 2] = _binOf[o + 2] + shiftC[g] * nb[2];
            lo[0] = Math.Min(lo[0], ba);
            hi[0] = Math.Max(hi[0], ba);
            lo[1] = Math.Min(lo[1], bb);
            hi[1] = Math.Max(hi[1], bb);
            lo[2] = Math.Min(lo[2], bc);
            hi[2] = Math.Max(hi[2], bc);
        }
        int ea = hi[0] - lo[0] + 1, eb = hi[1] - lo[1] + 1, ec = hi[2] - lo[2] + 1;
        var bins = checked(ea * eb * ec);

        // Counting sort of all atoms by linear bin (stable: locals first within a bin, then ghosts, by index).
        if (_binStart.Length < bins + 1) _binStart = new int[bins + 1];
        else Array.Clear(_binStart, 0, bins + 1);
        if (_binAtoms.Length < total) _binAtoms = new int[_binOf.Length / 3];
        if (_binFill.Length < bins) _binFill = new int[bins];
        else Array.Clear(_binFill, 0, bins);
        for (var k = 0; k < total; k++)
        {
            var lin = ((_binOf[3 * k + 2] - lo[2]) * eb + _binOf[3 * k + 1] - lo[1]) * ea + _binOf[3 * k] - lo[0];
            _binOf[3 * k] = lin; // the linear bin replaces the a coordinate from here on
            _binStart[lin + 1]++;
        }
        for (var b = 0; b < bins; b++) _binStart[b + 1] += _binStart[b];
        for (var k = 0; k < total; k++)
        {
            var lin = _binOf[3 * k];
            _binAtoms[_binStart[lin] + _binFill[lin]++] = k;
        }

        // Upper half stencil: (dc, db, da) lexicographically positive, within the reach.
        // (kept between builds: the same geometry gives the same stencil, written into the same array)
        var stencilCount = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            if (pass == 1 && _stencil.Length != stencilCount) _stencil = new int[stencilCount];
            var m = 0;
            for (var dc = 0; dc <= reach[2]; dc++)
                for (var db = -reach[1]; db <= reach[1]; db++)
                    for (var da = -reach[0]; da <= reach[0]; da++)
                        if (dc > 0 || db > 0 || (db == 0 && da > 0))
                        {
                            if (pass == 1) _stencil[m] = (dc * eb + db) * ea + da;
                            m++;
                        }
            stencilCount = m;
        }

        // Centers bin by bin, slab = bin layer along c; slabs are built independently (in parallel when allowed) and
        // joined in slab order, so the list is the same for any thread count.
        SlabCount = nb[2];
        SlabReach = reach[2];
        _geometry = (nb[0], nb[1], lo[0], lo[1], lo[2], ea, eb, nLocal, cutoff * cutoff);
        if (_slabs.Length < SlabCount) Array.Resize(ref _slabs, SlabCount);
        for (var c = 0; c < SlabCount; c++) _slabs[c] ??= new SlabScratch();
        if (parallel is null || parallel.MaxDegreeOfParallelism == 1 || SlabCount == 1)
            for (var c = 0; c < SlabCount; c++) BuildSlab(c);
        else
            RunSlabs(parallel, SlabCount, 0, 1, null);

        if (_centers.Length < nLocal) _centers = new int[nLocal];
        if (_offsets.Length < nLocal + 1) _offsets = new int[nLocal + 1];
        if (_slabStart.Length < SlabCount + 1) _slabStart = new int[SlabCount + 1];
        var totalPairs = 0L;
        for (var c = 0; c < SlabCount; c++) totalPairs += _slabs[c].PairCount;
        if (_neighbors.Length < totalPairs) _neighbors = new int[checked((int)(totalPairs + totalPairs / 8))];
        int centers = 0, pairs = 0;
        _offsets[0] = 0;
        for (var c = 0; c < SlabCount; c++)
        {
            var slab = _slabs[c];
            _slabStart[c] = centers;
            Array.Copy(slab.Centers, 0, _centers, centers, slab.CenterCount);
            Array.Copy(slab.Neighbors, 0, _neighbors, pairs, slab.PairCount);
            for (var k = 0; k < slab.CenterCount; k++)
            {
                pairs += slab.Counts[k];
                _offsets[++centers] = pairs;
            }
        }
        _slabStart[SlabCount] = centers;
        if (centers != nLocal) throw new InvalidOperationException($"half list placed {centers} of {nLocal} atoms in bins");
    }

    /// <summary>The centers of bin layer <paramref name="c"/> and their pairs, into that slab's scratch.</summary>
    private void BuildSlab(int c)
    {
        var (nbA, nbB, loA, loB, loC, ea, eb, nLocal, cutSq) = _geometry;
        var slab = _slabs[c];
        var atoms = Atoms;
        var owner = atoms.Owner;
        var shiftA = atoms.ShiftA;
        var shiftB = atoms.ShiftB;
        var shiftC = atoms.ShiftC;
        var pos = atoms.Positions;
        var binStart = _binStart;
        var binAtoms = _binAtoms;
        var stencilOffsets = _stencil;
        int centers = 0, pairs = 0;
        for (var b = 0; b < nbB; b++)
            for (var a = 0; a < nbA; a++)
            {
                var lin = ((c - loC) * eb + b - loB) * ea + a - loA;
                var inBin = binStart[lin + 1] - binStart[lin];
                if (inBin == 0) continue;
                // Room for every candidate of any center of this bin.
                var candidates = inBin;
                foreach (var st in stencilOffsets) candidates += binStart[lin + st + 1] - binStart[lin + st];
                slab.Reserve(centers + inBin, pairs + inBin * candidates);
                var list = slab.Neighbors;
                for (var q = binStart[lin]; q < binStart[lin + 1]; q++)
                {
                    var i = binAtoms[q];
                    if (i >= nLocal) break; // ghosts follow the locals of a bin
                    double xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
                    var first = pairs;
                    // Own bin: later locals, and ghosts of later (or the same, shifted upwards) owners.
                    for (var r = q + 1; r < binStart[lin + 1]; r++)
                    {
                        var j = binAtoms[r];
                        if (j >= nLocal)
                        {
                            var o = owner[j];
                            if (o < i || (o == i && !PositiveShift(shiftA[j], shiftB[j], shiftC[j]))) continue;
                        }
                        double dx = xi - pos[3 * j], dy = yi - pos[3 * j + 1], dz = zi - pos[3 * j + 2];
                        if (dx * dx + dy * dy + dz * dz <= cutSq) list[pairs++] = j;
                    }
                    foreach (var st in stencilOffsets)
                    {
                        int from = binStart[lin + st], to = binStart[lin + st + 1];
                        for (var r = from; r < to; r++)
                        {
                            var j = binAtoms[r];
                            double dx = xi - pos[3 * j], dy = yi - pos[3 * j + 1], dz = zi - pos[3 * j + 2];
                            if (dx * dx + dy * dy + dz * dz <= cutSq) list[pairs++] = j;
                        }
                    }
                    slab.Centers[centers] = i;
                    slab.Counts[centers++] = pairs - first;
                }
            }
        slab.CenterCount = centers;
        slab.PairCount = pairs;
    }

    /// <summary>One slab's part of the list while it is built.</summary>
    private sealed class SlabScratch
    {
        public int[] Centers = [], Counts = [], Neighbors = [];
        public int CenterCount, PairCount;

        public void Reserve(int centers, int pairs)
        {
            if (Centers.Length < centers)
            {
                var n = Math.Max(centers, 2 * Centers.Length);
                Array.Resize(ref Centers, n);
                Array.Resize(ref Counts, n);
            }
            if (Neighbors.Length < pairs) Array.Resize(ref Neighbors, Math.Max(pairs, 2 * Neighbors.Length));
        }
    }

    /// <summary>Recomputes ghost positions for moved atoms and the current cell (between builds).</summary>
    public void Refresh(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Box cell) =>
        Atoms.Refresh(x, y, z, cell);

    /// <summary>
    /// Runs <paramref name="body"/> once per slab: slabs of one residue modulo <see cref="SlabReach"/> + 1 at a time, in
    /// parallel when allowed, so that two slabs running together never write the same atom. Each slab's work is done by
    /// one thread in a fixed order, so sums per atom do not depend on the thread count.
    /// </summary>
    /// <remarks>Allocates nothing when <paramref name="body"/> is a delegate the caller keeps.</remarks>
    public void ForEachSlab(ParallelOptions parallel, Action<int> body)
    {
        var colors = SlabReach + 1;
        if (parallel.MaxDegreeOfParallelism == 1 || SlabCount <= colors)
        {
            for (var color = 0; color < colors; color++)
                for (var s = color; s < SlabCount; s += colors) body(s);
            return;
        }
        for (var color = 0; color < colors; color++)
            RunSlabs(parallel, (SlabCount - color + colors - 1) / colors, color, colors, body);
    }

    /// <summary>Slabs first, first + stride, … (count of them) in parallel: <paramref name="body"/>, or the build when null.</summary>
    private void RunSlabs(ParallelOptions parallel, int count, int first, int stride, Action<int>? body)
    {
        var run = Interlocked.Exchange(ref _slabRun, null) ?? new SlabRun(this);
        (run.Body, run.First, run.Stride) = (body, first, stride);
        try
        {
            Threading.ParallelLoop.For(count, parallel, run);
        }
        finally
        {
            run.Body = null;
            _slabRun = run;
        }
    }

    private SlabRun? _slabRun;

    /// <summary>The parallel body of <see cref="ForEachSlab"/> and of the build (kept with the list).</summary>
    private sealed class SlabRun(HalfNeighborList list) : Threading.IParallelBody
    {
        public Action<int>? Body;
        public int First, Stride;

        public void Invoke(int index, int worker)
        {
            var slab = First + index * Stride;
            if (Body is { } body) body(slab);
            else list.BuildSlab(slab);
        }
    }

    private static bool PositiveShift(int a, int b, int c) => a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0)));
}
