namespace DeepMD.Sharp.Domains.Decomposition;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Domains.Communication;

/// <summary>
/// Spatial domain decomposition of a (possibly triclinic) box over the ranks of a <see cref="ProcessorGrid"/>, in
/// fractional coordinates: rank (i, j, k) owns the atoms whose fractional coordinates lie in
/// [i/Px, (i+1)/Px) × [j/Py, (j+1)/Py) × [k/Pz, (k+1)/Pz) (a non-periodic direction's first and last subdomain reach to
/// infinity). Around the owned atoms it keeps a shell of ghost atoms, every atom (or periodic image) within the ghost
/// cutoff of the subdomain, built by exchanging atoms with the neighbour ranks along a, then b, then c, as LAMMPS'
/// brick communication does: atoms received along a are passed on along b and c, so edges and corners fill in, and a
/// subdomain thinner than the ghost cutoff takes several swaps per direction (atoms received in one swap are passed on
/// in the next). Periodic images come through the swaps: a rank on the low face sends to its left neighbour (the high
/// end, across the boundary) with the positions shifted by +1 lattice vector, and vice versa.
/// </summary>
/// <remarks>
/// <para>Protocol of an MD run (collective on all ranks): <see cref="Distribute"/> once; then at every reneighboring
/// <see cref="Exchange"/> (wrap into the box, migrate atoms that left their subdomain) and <see cref="Borders"/> (new
/// ghost shell and send lists); on the other steps <see cref="ForwardPositions"/> (ghosts follow their owners). After a
/// force evaluation over owned + ghost atoms, <see cref="ReverseForces"/> adds the ghosts' forces onto their owners.</para>
/// <para>An atom may move at most into a neighbouring subdomain between two exchanges (as in LAMMPS); farther, it would be
/// lost, which <see cref="Exchange"/> detects and reports.</para>
/// </remarks>
public sealed class DomainDecomposition
{
    private readonly ICommunicator _comm;
    private readonly int[] _coord = new int[3];
    private readonly double[] _lo = new double[3], _hi = new double[3];
    private readonly int[] _need = new int[3];
    private readonly double[] _ghostWidth = new double[3];
    private readonly List<Swap> _swaps = [];
    private double[] _send = [], _receive = [];

    public DomainDecomposition(ICommunicator comm, ProcessorGrid grid, Box box, double ghostCutoff, int extraWidth = 0)
    {
        if (grid.Count != comm.Size)
            throw new ArgumentException($"the processor grid {grid} has {grid.Count} ranks, the communicator {comm.Size}", nameof(grid));
        if (!(ghostCutoff > 0) || !double.IsFinite(ghostCutoff))
            throw new ArgumentOutOfRangeException(nameof(ghostCutoff), "the ghost cutoff must be positive");
        _comm = comm;
        Grid = grid;
        GhostCutoff = ghostCutoff;
        Atoms = new DomainAtoms(extraWidth);
        (_coord[0], _coord[1], _coord[2]) = grid.CoordinatesOf(comm.Rank);
        for (var d = 0; d < 3; d++)
        {
            _lo[d] = (double)_coord[d] / grid[d];
            _hi[d] = _coord[d] + 1 == grid[d] ? 1.0 : (double)(_coord[d] + 1) / grid[d];
        }
        Box = box;
        SetBox(box);
    }

    public ProcessorGrid Grid { get; }

    /// <summary>The box (its shape sets the ghost shell's width in fractional coordinates).</summary>
    public Box Box { get; private set; }

    /// <summary>Width of the ghost shell, Å (the pair cutoff plus the neighbor skin in an MD run).</summary>
    public double GhostCutoff { get; }

    /// <summary>This rank's owned and ghost atoms.</summary>
    public DomainAtoms Atoms { get; }

    /// <summary>This rank's place in the grid.</summary>
    public (int I, int J, int K) Coordinates => (_coord[0], _coord[1], _coord[2]);

    /// <summary>Lower fractional bound of this rank's subdomain along <paramref name="d"/>.</summary>
    public double Lower(int d) => _lo[d];

    /// <summary>Upper fractional bound (exclusive) of this rank's subdomain along <paramref name="d"/>.</summary>
    public double Upper(int d) => _hi[d];

    /// <summary>Swaps (ghost exchanges with one neighbour) per direction and side.</summary>
    public int SwapsPerSide(int d) => _need[d];

    /// <summary>Doubles this rank has sent since construction, per operation: borders, forward, reverse, exchange.</summary>
    public long[] DoublesSent { get; } = new long[4];

    /// <summary>
    /// Sets a new box (after a box change; call <see cref="Borders"/> before the next evaluation). Works out the number
    /// of swaps per direction: the ghost shell is GhostCutoff / face distance wide in fractional coordinates (the
    /// points within the ghost cutoff of a parallelepiped lie within that fractional distance of it in every
    /// direction), so it takes ⌊width · P⌋ + 1 subdomains of width 1/P on each side (at most P − 1 in a non-periodic
    /// direction).
    /// </summary>
    public void SetBox(Box box)
    {
        Box = box;
        for (var d = 0; d < 3; d++)
        {
            _ghostWidth[d] = GhostCutoff / box.FaceDistance(d);
            var need = _ghostWidth[d] * Grid[d] >= int.MaxValue / 4 ? int.MaxValue / 4 : (int)(_ghostWidth[d] * Grid[d]) + 1;
            if (!box.IsPeriodic(d)) need = Math.Min(need, Grid[d] - 1);
            _need[d] = need;
        }
    }

    /// <summary>
    /// Takes this rank's share of a whole system that every rank holds (as after read_data): the atoms whose wrapped
    /// position lies in this rank's subdomain. Positions are wrapped into the box along periodic directions and
    /// <paramref name="image"/> (3 per atom; null = zeros) is updated accordingly; <paramref name="extra"/> holds
    /// <see cref="DomainAtoms.ExtraWidth"/> values per atom (empty = zeros). Call <see cref="Borders"/> next.
    /// </summary>
    public void Distribute(ReadOnlySpan<long> id, ReadOnlySpan<int> type, ReadOnlySpan<double> x, ReadOnlySpan<double> y,
        ReadOnlySpan<double> z, ReadOnlySpan<int> image = default, ReadOnlySpan<double> extra = default)
    {
        var a = Atoms;
        var w = a.ExtraWidth;
        a.NLocal = a.NGhost = 0;
        for (var n = 0; n < id.Length; n++)
        {
            var i = a.NLocal;
            a.EnsureCapacity(i + 1);
            a.Id[i] = id[n];
            a.Type[i] = type[n];
            (a.X[i], a.Y[i], a.Z[i]) = (x[n], y[n], z[n]);
            for (var k = 0; k < 3; k++) a.Image[3 * i + k] = image.IsEmpty ? 0 : image[3 * n + k];
            for (var k = 0; k < w; k++) a.Extra[w * i + k] = extra.IsEmpty ? 0 : extra[w * n + k];
            WrapOwned(i);
            if (Owns(0, i) && Owns(1, i) && Owns(2, i)) a.NLocal++;
        }
    }

    /// <summary>
    /// Migrates owned atoms that left this rank's subdomain to the neighbour that now owns them (after wrapping them into
    /// the box along periodic directions, updating their image counts), direction by direction; drops the ghosts.
    /// Collective. Throws when the total number of atoms changed (an atom moved farther than one subdomain).
    /// </summary>
    public void Exchange()
    {
        var a = Atoms;
        a.NGhost = 0;
        Span<long> before = [a.NLocal];
        _comm.AllReduce(before, ReduceOp.Sum);
        for (var i = 0; i < a.NLocal; i++) WrapOwned(i);
        var width = 8 + a.ExtraWidth; // id, type, x, y, z, 3 image counts, extra
        for (var d = 0; d < 3; d++)
        {
            if (Grid[d] == 1) continue;
            // Pack the atoms leaving along d and close the gaps (keeping the order of those that stay).
            var nsend = 0;
            var keep = 0;
            for (var i = 0; i < a.NLocal; i++)
            {
                if (Owns(d, i))
                {
                    if (keep != i) MoveOwned(i, keep);
                    keep++;
                    continue;
                }
                EnsureSend((nsend + 1) * width);
                PackOwned(i, _send.AsSpan(nsend * width, width));
                nsend++;
            }
            a.NLocal = keep;
            var left = RankAlong(d, -1);
            var right = RankAlong(d, +1);
            var count = _comm.SendReceiveAny<double>(_send.AsSpan(0, nsend * width), left, ref _receive, right);
            DoublesSent[3] += nsend * width;
            UnpackArrivals(d, count / width, width);
            if (Grid[d] > 2)
            {
                count = _comm.SendReceiveAny<double>(_send.AsSpan(0, nsend * width), right, ref _receive, left);
                DoublesSent[3] += nsend * width;
                UnpackArrivals(d, count / width, width);
            }
        }
        Span<long> after = [a.NLocal];
        _comm.AllReduce(after, ReduceOp.Sum);
        if (after[0] != before[0])
            throw new InvalidOperationException(
                $"lost atoms: {before[0]} before the exchange, {after[0]} after; an atom moved farther than one subdomain " +
                "between two reneighborings (reneighbor more often or use fewer ranks along the direction it moved)");
    }

    /// <summary>
    /// Builds the ghost shell: drops the old ghosts, then along a, b, c, 2 × <see cref="SwapsPerSide"/> swaps each,
    /// sends the atoms (owned or ghost) within the ghost width of the subdomain's faces to the neighbours and appends
    /// what arrives as ghosts. Keeps the send lists for <see cref="ForwardPositions"/> and <see cref="ReverseForces"/>.
    /// Collective.
    /// </summary>
    public void Borders()
    {
        var a = Atoms;
        a.NGhost = 0;
        _swaps.Clear();
        const int width = 8; // id, type, x, y, z, 3 shift components
        for (var d = 0; d < 3; d++)
        {
            int first = 0, last = 0;
            var mid = 0.5 * (_lo[d] + _hi[d]);
            for (var s = 0; s < 2 * _need[d]; s++)
            {
                // The first swap to each side looks at every atom held so far (owned, and ghosts from earlier
                // directions); later swaps only pass on the ghosts the previous pair of swaps brought in.
                if (s % 2 == 0) (first, last) = (last, a.NAll);
                var toLeft = s % 2 == 0;
                double lo, hi;
                if (toLeft)
                {
                    lo = s < 2 ? double.NegativeInfinity : mid;
                    hi = _lo[d] + _ghostWidth[d];
                }
                else
                {
                    lo = _hi[d] - _ghostWidth[d];
                    hi = s < 2 ? double.PositiveInfinity : mid;
                }
                var atEdge = toLeft ? _coord[d] == 0 : _coord[d] == Grid[d] - 1;
                var swap = new Swap
                {
                    Dim = d,
                    SendRank = RankAlong(d, toLeft ? -1 : +1),
                    ReceiveRank = RankAlong(d, toLeft ? +1 : -1),
                    // Crossing a periodic boundary: the receiver sees the atoms one lattice vector away.
                    Shift = atEdge ? (toLeft ? +1 : -1) : 0,
                };
                var sendNothing = atEdge && !Box.IsPeriodic(d);
                var list = new List<int>();
                if (!sendNothing)
                    for (var i = first; i < last; i++)
                    {
                        var f = Fractional(d, i);
                        if (f >= lo && f <= hi) list.Add(i);
                    }
                swap.SendList = list.ToArray();
                var n = swap.SendList.Length;
                EnsureSend(n * width);
                var (sx, sy, sz) = LatticeShift(d, swap.Shift);
                for (var m = 0; m < n; m++)
                {
                    var i = swap.SendList[m];
                    var p = _send.AsSpan(m * width, width);
                    p[0] = BitConverter.Int64BitsToDouble(a.Id[i]);
                    p[1] = a.Type[i];
                    p[2] = a.X[i] + sx;
                    p[3] = a.Y[i] + sy;
                    p[4] = a.Z[i] + sz;
                    for (var k = 0; k < 3; k++) p[5 + k] = (i < a.NLocal ? 0 : a.Image[3 * i + k]) + (k == d ? swap.Shift : 0);
                }
                var count = _comm.SendReceiveAny<double>(_send.AsSpan(0, n * width), swap.SendRank, ref _receive, swap.ReceiveRank) / width;
                DoublesSent[0] += n * width;
                swap.FirstReceive = a.NAll;
                swap.ReceiveCount = count;
                a.EnsureCapacity(a.NAll + count);
                for (var m = 0; m < count; m++)
                {
                    var j = a.NAll + m;
                    var p = _receive.AsSpan(m * width, width);
                    a.Id[j] = BitConverter.DoubleToInt64Bits(p[0]);
                    a.Type[j] = (int)p[1];
                    (a.X[j], a.Y[j], a.Z[j]) = (p[2], p[3], p[4]);
                    for (var k = 0; k < 3; k++) a.Image[3 * j + k] = (int)p[5 + k];
                }
                a.NGhost += count;
                _swaps.Add(swap);
            }
        }
    }

    /// <summary>
    /// Ghosts take their owners' current positions (plus the periodic shifts of the swaps that brought them), in the
    /// order of <see cref="Borders"/>. Collective.
    /// </summary>
    public void ForwardPositions()
    {
        var a = Atoms;
        foreach (var swap in _swaps)
        {
            var n = swap.SendList.Length;
            EnsureSend(3 * n);
            var (sx, sy, sz) = LatticeShift(swap.Dim, swap.Shift);
            for (var m = 0; m < n; m++)
            {
                var i = swap.SendList[m];
                _send[3 * m] = a.X[i] + sx;
                _send[3 * m + 1] = a.Y[i] + sy;
                _send[3 * m + 2] = a.Z[i] + sz;
            }
            EnsureReceive(3 * swap.ReceiveCount);
            _comm.SendReceive<double>(_send.AsSpan(0, 3 * n), swap.SendRank, _receive.AsSpan(0, 3 * swap.ReceiveCount), swap.ReceiveRank);
            DoublesSent[1] += 3 * n;
            for (var m = 0; m < swap.ReceiveCount; m++)
            {
                var j = swap.FirstReceive + m;
                (a.X[j], a.Y[j], a.Z[j]) = (_receive[3 * m], _receive[3 * m + 1], _receive[3 * m + 2]);
            }
        }
    }

    /// <summary>
    /// Adds the forces of the ghosts (entries NLocal .. NAll−1 of the arrays) onto the atoms they were copied from,
    /// swap by swap in reverse order, so ghosts of ghosts reach the owner. Afterwards the owned atoms' forces hold the
    /// total; the ghosts' entries are left as they were. Collective.
    /// </summary>
    public void ReverseForces(Span<double> fx, Span<double> fy, Span<double> fz)
    {
        for (var s = _swaps.Count - 1; s >= 0; s--)
        {
            var swap = _swaps[s];
            var nr = swap.ReceiveCount;
            EnsureSend(3 * nr);
            for (var m = 0; m < nr; m++)
            {
                var j = swap.FirstReceive + m;
                _send[3 * m] = fx[j];
                _send[3 * m + 1] = fy[j];
                _send[3 * m + 2] = fz[j];
            }
            var n = swap.SendList.Length;
            EnsureReceive(3 * n);
            _comm.SendReceive<double>(_send.AsSpan(0, 3 * nr), swap.ReceiveRank, _receive.AsSpan(0, 3 * n), swap.SendRank);
            DoublesSent[2] += 3 * nr;
            for (var m = 0; m < n; m++)
            {
                var i = swap.SendList[m];
                fx[i] += _receive[3 * m];
                fy[i] += _receive[3 * m + 1];
                fz[i] += _receive[3 * m + 2];
            }
        }
    }

    /// <summary>
    /// Ghosts take their sources' values of a per-atom quantity (<paramref name="width"/> numbers per atom, atom after
    /// atom; no periodic shift is applied): what EAM's embedding derivative needs. Collective.
    /// </summary>
    public void ForwardValues(Span<double> values, int width = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        foreach (var swap in _swaps)
        {
            var n = swap.SendList.Length;
            EnsureSend(width * n);
            for (var m = 0; m < n; m++)
                values.Slice(width * swap.SendList[m], width).CopyTo(_send.AsSpan(width * m, width));
            EnsureReceive(width * swap.ReceiveCount);
            _comm.SendReceive<double>(_send.AsSpan(0, width * n), swap.SendRank, _receive.AsSpan(0, width * swap.ReceiveCount), swap.ReceiveRank);
            DoublesSent[1] += width * n;
            _receive.AsSpan(0, width * swap.ReceiveCount).CopyTo(values.Slice(width * swap.FirstReceive, width * swap.ReceiveCount));
        }
    }

    /// <summary>
    /// Adds the ghosts' values of a per-atom quantity (<paramref name="width"/> numbers per atom) onto the atoms they
    /// came from, as <see cref="ReverseForces"/> does for forces (per-atom energies, virials, densities). Collective.
    /// </summary>
    public void ReverseValues(Span<double> values, int width = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        for (var s = _swaps.Count - 1; s >= 0; s--)
        {
            var swap = _swaps[s];
            var nr = swap.ReceiveCount;
            EnsureSend(width * nr);
            values.Slice(width * swap.FirstReceive, width * nr).CopyTo(_send);
            var n = swap.SendList.Length;
            EnsureReceive(width * n);
            _comm.SendReceive<double>(_send.AsSpan(0, width * nr), swap.ReceiveRank, _receive.AsSpan(0, width * n), swap.SendRank);
            DoublesSent[2] += width * nr;
            for (var m = 0; m < n; m++)
            {
                var into = values.Slice(width * swap.SendList[m], width);
                for (var k = 0; k < width; k++) into[k] += _receive[width * m + k];
            }
        }
    }

    /// <summary>
    /// Gathers a per-atom quantity of the owned atoms (<paramref name="width"/> numbers per owned atom, in owned order)
    /// to rank <paramref name="root"/>, ordered by atom id (what dumps and data files sorted by id need). Root gets the
    /// sorted ids and the values in that order; other ranks get empty arrays. Collective.
    /// </summary>
    public (long[] Ids, double[] Values) GatherByIdAtRoot(ReadOnlySpan<double> values, int width, int root = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        var n = Atoms.NLocal;
        if (values.Length < width * n) throw new ArgumentException($"{values.Length} values for {n} owned atoms × {width}", nameof(values));
        var ids = _comm.GatherV<long>(Atoms.Id.AsSpan(0, n), root);
        var all = _comm.GatherV<double>(values[..(width * n)], root);
        if (_comm.Rank != root) return ([], []);
        var order = new int[ids.Length];
        for (var k = 0; k < order.Length; k++) order[k] = k;
        Array.Sort((long[])ids.Clone(), order);
        var sortedIds = new long[ids.Length];
        var sorted = new double[all.Length];
        for (var k = 0; k < order.Length; k++)
        {
            sortedIds[k] = ids[order[k]];
            all.AsSpan(width * order[k], width).CopyTo(sorted.AsSpan(width * k, width));
        }
        return (sortedIds, sorted);
    }

    /// <summary>Rank of the neighbour <paramref name="step"/> subdomains away along <paramref name="d"/> (periodic in the grid).</summary>
    public int RankAlong(int d, int step) => d switch
    {
        0 => Grid.RankAt(_coord[0] + step, _coord[1], _coord[2]),
        1 => Grid.RankAt(_coord[0], _coord[1] + step, _coord[2]),
        _ => Grid.RankAt(_coord[0], _coord[1], _coord[2] + step),
    };

    /// <summary>Fractional coordinate of atom <paramref name="i"/> along <paramref name="d"/>.</summary>
    public double Fractional(int d, int i)
    {
        var m = Box.Inverse;
        var a = Atoms;
        return a.X[i] * m[d] + a.Y[i] * m[3 + d] + a.Z[i] * m[6 + d];
    }

    /// <summary>Whether owned atom <paramref name="i"/> lies in this rank's slab along <paramref name="d"/>.</summary>
    private bool Owns(int d, int i)
    {
        // Wrapped again: a position wrapped into the box may read back a rounding error below 0 or at 1.
        var f = Box.IsPeriodic(d) ? Box.WrapUnit(Fractional(d, i)) : Fractional(d, i);
        var lowOpen = _coord[d] == 0 && !Box.IsPeriodic(d);
        var highOpen = _coord[d] == Grid[d] - 1 && !Box.IsPeriodic(d);
        return (lowOpen || f >= _lo[d]) && (highOpen || f < _hi[d]);
    }

    private void WrapOwned(int i)
    {
        var a = Atoms;
        var (fa, fb, fc) = Box.ToFractional(a.X[i], a.Y[i], a.Z[i]);
        Span<double> f = [fa, fb, fc];
        var moved = false;
        for (var d = 0; d < 3; d++)
        {
            if (!Box.IsPeriodic(d) || (f[d] >= 0 && f[d] < 1)) continue;
            var w = Box.WrapUnit(f[d]);
            a.Image[3 * i + d] += (int)Math.Round(f[d] - w);
            f[d] = w;
            moved = true;
        }
        if (moved) (a.X[i], a.Y[i], a.Z[i]) = Box.ToCartesian(f[0], f[1], f[2]);
    }

    private (double X, double Y, double Z) LatticeShift(int d, int shift)
    {
        if (shift == 0) return (0, 0, 0);
        var h = Box.Matrix;
        return (shift * h[3 * d], shift * h[3 * d + 1], shift * h[3 * d + 2]);
    }

    private void MoveOwned(int from, int to)
    {
        var a = Atoms;
        a.Id[to] = a.Id[from];
        a.Type[to] = a.Type[from];
        (a.X[to], a.Y[to], a.Z[to]) = (a.X[from], a.Y[from], a.Z[from]);
        for (var k = 0; k < 3; k++) a.Image[3 * to + k] = a.Image[3 * from + k];
        var w = a.ExtraWidth;
        for (var k = 0; k < w; k++) a.Extra[w * to + k] = a.Extra[w * from + k];
    }

    private void PackOwned(int i, Span<double> p)
    {
        var a = Atoms;
        p[0] = BitConverter.Int64BitsToDouble(a.Id[i]);
        p[1] = a.Type[i];
        (p[2], p[3], p[4]) = (a.X[i], a.Y[i], a.Z[i]);
        for (var k = 0; k < 3; k++) p[5 + k] = a.Image[3 * i + k];
        var w = a.ExtraWidth;
        for (var k = 0; k < w; k++) p[8 + k] = a.Extra[w * i + k];
    }

    private void UnpackArrivals(int d, int count, int width)
    {
        var a = Atoms;
        var w = a.ExtraWidth;
        for (var m = 0; m < count; m++)
        {
            var p = _receive.AsSpan(m * width, width);
            var i = a.NLocal;
            a.EnsureCapacity(i + 1);
            a.Id[i] = BitConverter.DoubleToInt64Bits(p[0]);
            a.Type[i] = (int)p[1];
            (a.X[i], a.Y[i], a.Z[i]) = (p[2], p[3], p[4]);
            for (var k = 0; k < 3; k++) a.Image[3 * i + k] = (int)p[5 + k];
            for (var k = 0; k < w; k++) a.Extra[w * i + k] = p[8 + k];
            if (Owns(d, i)) a.NLocal++;
        }
    }

    private void EnsureSend(int n)
    {
        if (_send.Length < n) Array.Resize(ref _send, Math.Max(n, 2 * _send.Length));
    }

    private void EnsureReceive(int n)
    {
        if (_receive.Length < n) _receive = new double[Math.Max(n, 2 * _receive.Length)];
    }

    private sealed class Swap
    {
        public int Dim, SendRank, ReceiveRank, Shift, FirstReceive, ReceiveCount;
        public int[] SendList = [];
    }
}
