namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;

/// <summary>LAMMPS' <c>pair_modify mix</c> rules for the coefficients of type pairs not set explicitly.</summary>
public enum PairMixRule
{
    Geometric,
    Arithmetic,
    SixthPower,
}

/// <summary>
/// A pair style seen as a function of one pair distance (what <c>pair_write</c> tabulates and what hybrid styles sum):
/// LAMMPS' <c>single()</c>. Types are engine types (0-based).
/// </summary>
public interface IPairFunction
{
    /// <summary>Squared cutoff of the type pair (0 when this style has no interaction for it).</summary>
    double CutoffSquared(int i, int j);

    /// <summary>Energy of one pair at squared distance <paramref name="rsq"/> (inside the cutoff); <paramref name="fforce"/> = −(dE/dr)/r.</summary>
    double Single(int i, int j, double rsq, out double fforce);

    /// <summary>As <see cref="Single(int, int, double, out double)"/> for atoms with charges <paramref name="qi"/>, <paramref name="qj"/> (styles without charges ignore them).</summary>
    double Single(int i, int j, double rsq, double qi, double qj, out double fforce) => Single(i, j, rsq, out fforce);
}

/// <summary>
/// The shared part of the classical pairwise styles (zbl, soft, morse, born, buck, lj/smooth/linear, table): per type
/// pair coefficients set explicitly or mixed (<see cref="Mix"/>, LAMMPS' <c>mix_energy</c>/<c>mix_distance</c>),
/// LAMMPS' <c>init_one</c> per pair (<see cref="InitPair"/>), the energy shift at the cutoff (<c>pair_modify shift</c>),
/// long-range tail corrections (<c>pair_modify tail</c>: etail/V added to the energy, ptail/V to the virial's diagonal,
/// as LAMMPS' pe and pressure computes add them), and the evaluation on the half list over ghost atoms (each pair once,
/// slabs in colour passes: the same result for any thread count; ghost forces folded onto owners). A style is its
/// functional form (<see cref="Pair"/>) and its coefficients.
/// </summary>
public abstract class PairwisePotential : IPotential, IPairFunction, IAdaptablePair
{
    private const int SumsPerSlab = 7;
    private double[] _f = [], _e = [], _slabSums = [], _qAll = [], _slabCoul = [];
    private double[]? _q;
    private HalfNeighborList? _list;
    private bool _perAtom;
    private Action<int>? _slabBody;
    private bool _ready;
    private double[] _cutSq = [], _offset = [];
    private bool[] _active = [];
    private readonly bool[] _set;

    protected PairwisePotential(int types)
    {
        if (types < 1) throw new ArgumentOutOfRangeException(nameof(types));
        TypeCount = types;
        _set = new bool[types * types];
    }

    /// <summary>Number of atom types.</summary>
    public int TypeCount { get; }

    public abstract string Name { get; }

    /// <summary>The mixing rule for type pairs without explicit coefficients (LAMMPS' default: geometric).</summary>
    public PairMixRule Mix
    {
        get;
        set
        {
            field = value;
            _ready = false;
        }
    }

    /// <summary>Whether energies are shifted to zero at the cutoff; styles without an offset ignore it (<see cref="SupportsShift"/>), as in LAMMPS.</summary>
    public bool Shift
    {
        get;
        set
        {
            field = value;
            _ready = false;
        }
    }

    /// <summary>Whether the long-range tail correction is added; styles without one ignore it (<see cref="SupportsTail"/>), as in LAMMPS.</summary>
    public bool Tail
    {
        get;
        set
        {
            field = value;
            _ready = false;
        }
    }

    /// <summary>Whether LAMMPS' style honours <c>pair_modify shift</c> (it has an offset).</summary>
    public virtual bool SupportsShift => false;

    /// <summary>Whether LAMMPS' style computes tail corrections.</summary>
    public virtual bool SupportsTail => false;

    /// <summary>
    /// Type pairs this style is restricted to (hybrid styles: only pairs assigned to it); null = every pair. Pairs
    /// outside it have no interaction and need no coefficients.
    /// </summary>
    public Func<int, int, bool>? Restrict
    {
        get;
        set
        {
            field = value;
            _ready = false;
        }
    }

    /// <inheritdoc />
    public NeighborKind NeighborKind => NeighborKind.HalfWithGhosts;

    /// <summary>The largest cutoff over the type pairs.</summary>
    public double Cutoff
    {
        get
        {
            Prepare();
            double m = 0;
            foreach (var c in _cutSq) m = Math.Max(m, Math.Sqrt(c));
            return m;
        }
    }

    /// <summary>Whether coefficients were set explicitly for types i, j (0-based).</summary>
    protected bool IsSet(int i, int j) => _set[i * TypeCount + j];

    /// <summary>Marks types i, j (0-based, either order) as set explicitly; call when a style stores their coefficients.</summary>
    protected void MarkSet(int i, int j)
    {
        _set[i * TypeCount + j] = _set[j * TypeCount + i] = true;
        _ready = false;
    }

    /// <summary>LAMMPS' <c>mix_energy</c>.</summary>
    protected double MixEnergy(double eps1, double eps2, double sig1, double sig2) => Mix switch
    {
        PairMixRule.SixthPower => 2.0 * Math.Sqrt(eps1 * eps2) * Math.Pow(sig1, 3.0) * Math.Pow(sig2, 3.0) / (Math.Pow(sig1, 6.0) + Math.Pow(sig2, 6.0)),
        _ => Math.Sqrt(eps1 * eps2),
    };

    /// <summary>LAMMPS' <c>mix_distance</c>.</summary>
    protected double MixDistance(double sig1, double sig2) => Mix switch
    {
        PairMixRule.Arithmetic => 0.5 * (sig1 + sig2),
        PairMixRule.SixthPower => Math.Pow(0.5 * (Math.Pow(sig1, 6.0) + Math.Pow(sig2, 6.0)), 1.0 / 6.0),
        _ => Math.Sqrt(sig1 * sig2),
    };

    /// <summary>Whether the style can mix coefficients for a pair not set explicitly (false: LAMMPS' "All pair coeffs are not set").</summary>
    protected virtual bool CanMix => true;

    /// <summary>
    /// LAMMPS' <c>init_one(i, j)</c> for i ≤ j: mixes the coefficients when the pair was not set (only called then when
    /// <see cref="CanMix"/>), fills the derived tables of both (i, j) and (j, i), returns the pair's cutoff.
    /// </summary>
    protected abstract double InitPair(int i, int j);

    /// <summary>The energy at the cutoff subtracted under <c>pair_modify shift yes</c> (LAMMPS' offset formula of the style).</summary>
    protected virtual double OffsetAt(int i, int j, double cut) => 0.0;

    /// <summary>LAMMPS' etail_ij and ptail_ij for <paramref name="ni"/> atoms of type i and <paramref name="nj"/> of type j.</summary>
    protected virtual (double Energy, double Pressure) TailTerms(int i, int j, double ni, double nj) => (0.0, 0.0);

    /// <summary>
    /// The pair energy before the shift at squared distance <paramref name="rsq"/> inside the cutoff, and
    /// <paramref name="fpair"/> = −(dE/dr)/r; <paramref name="t"/> = i·types + j.
    /// </summary>
    protected abstract double Pair(int t, double rsq, out double fpair);

    /// <summary>Whether the style needs the atoms' charges (the coulomb styles); they then get <see cref="PairCharged"/>.</summary>
    protected virtual bool UsesCharges => false;

    /// <summary>As <see cref="Pair"/> for a pair with charges <paramref name="qi"/>, <paramref name="qj"/> (coulomb styles).</summary>
    protected virtual double PairCharged(int t, double rsq, double qi, double qj, out double fpair, out double ecoul)
    {
        ecoul = 0.0;
        return Pair(t, rsq, out fpair);
    }

    /// <inheritdoc />
    public virtual double[]? AdaptableTable(string name) => null;

    /// <inheritdoc />
    public virtual IReadOnlyList<string> AdaptableNames => [];

    /// <inheritdoc />
    public void Reinit() => _ready = false;

    /// <summary>Re-derives the per-pair tables (LAMMPS' <c>init</c>) after coefficients or settings changed; errors name missing pairs.</summary>
    protected void Prepare()
    {
        if (_ready) return;
        var n = TypeCount;
        _cutSq = new double[n * n];
        _offset = new double[n * n];
        _active = new bool[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i; j < n; j++)
            {
                if (Restrict is { } r && !r(i, j)) continue;
                if (!IsSet(i, j))
                {
                    var mixable = CanMix && IsSet(i, i) && IsSet(j, j) && (Restrict is null || (Restrict(i, i) && Restrict(j, j)));
                    if (!mixable)
                        throw new UserInputException(CanMix
                            ? $"pair_coeff for {Name} is missing for types {i + 1} {j + 1}; set it (or both {i + 1} {i + 1} and {j + 1} {j + 1} for mixing)"
                            : $"pair_coeff for {Name} is missing for types {i + 1} {j + 1} ({Name} does not mix; set every pair)");
                }
                var cut = InitPair(i, j);
                _cutSq[i * n + j] = _cutSq[j * n + i] = cut * cut;
                var off = Shift && cut > 0.0 ? OffsetAt(i, j, cut) : 0.0;
                _offset[i * n + j] = _offset[j * n + i] = off;
                _active[i * n + j] = _active[j * n + i] = true;
            }
        }
        _ready = true;
    }

    /// <inheritdoc />
    public double CutoffSquared(int i, int j)
    {
        Prepare();
        return _cutSq[i * TypeCount + j];
    }

    /// <inheritdoc />
    public double Single(int i, int j, double rsq, out double fforce)
    {
        Prepare();
        var t = i * TypeCount + j;
        return (UsesCharges ? PairCharged(t, rsq, 1.0, 1.0, out fforce, out _) : Pair(t, rsq, out fforce)) - _offset[t];
    }

    /// <summary>As <see cref="Single(int, int, double, out double)"/> with the charges of the two atoms (LAMMPS' pair_write QI QJ; without them 1 and 1).</summary>
    public double Single(int i, int j, double rsq, double qi, double qj, out double fforce)
    {
        Prepare();
        var t = i * TypeCount + j;
        return (UsesCharges ? PairCharged(t, rsq, qi, qj, out fforce, out _) : Pair(t, rsq, out fforce)) - _offset[t];
    }

    /// <summary>
    /// On the half list over ghosts when the request carries one (what the MD loop builds), otherwise on a half
    /// selection of the full periodic list.
    /// </summary>
    public void Compute(ForceRequest request, ForceResult result)
    {
        Prepare();
        if (UsesCharges && request.Charges is null)
            throw new Core.Errors.UserInputException($"pair style {Name} needs atom charges; use atom_style charge (and a data file with charges)");
        if (request.HalfNeighbors is { } half)
            ComputeHalf(half, request.PerAtom, request.Parallel ?? new ParallelOptions(), request.Charges, result);
        else
        {
            if (request.Neighbors is null) throw new ArgumentException($"{Name} needs a neighbor list (half over ghosts, or full periodic)", nameof(request));
            if (request.AtomCount != request.LocalCount)
                throw new NotSupportedException($"{Name} takes explicit ghost atoms through its half list (NeighborKind.HalfWithGhosts); a full list with ghost atoms is not supported");
            ComputeFull(request, result);
        }
        if (Tail) AddTail(request, result);
    }

    /// <summary>Adds etail/V to the energy and ptail/V to the virial's diagonal (LAMMPS' pe and pressure computes).</summary>
    private void AddTail(ForceRequest request, ForceResult result)
    {
        var n = TypeCount;
        var counts = new double[n];
        for (var k = 0; k < request.LocalCount; k++) counts[request.Types[k]] += 1.0;
        double etail = 0, ptail = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = i; j < n; j++)
            {
                if (!_active[i * n + j]) continue;
                var (e, p) = TailTerms(i, j, counts[i], counts[j]);
                etail += e;
                ptail += p;
                if (i != j)
                {
                    etail += e;
                    ptail += p;
                }
            }
        }
        var box = request.Box ?? throw new InvalidOperationException($"{Name}: tail corrections need a periodic box");
        var volume = Math.Abs(box.Volume);
        result.Energy += etail / volume;
        var w = ptail / volume;
        result.Virial[0] += w;
        result.Virial[4] += w;
        result.Virial[8] += w;
    }

    private void ComputeFull(ForceRequest request, ForceResult result)
    {
        var n = request.AtomCount;
        result.Resize(n);
        var nl = request.Neighbors!;
        var types = request.Types;
        var fx = result.Fx;
        var fy = result.Fy;
        var fz = result.Fz;
        var eatom = result.AtomEnergy;
        var perAtom = request.PerAtom;
        var ntypes = TypeCount;
        var q = UsesCharges ? request.Charges : null;
        double ecoulSum = 0;
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var i = 0; i < n; i++)
        {
            var rowType = types[i] * ntypes;
            double fix = 0, fiy = 0, fiz = 0;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var j = nl.Owner[e];
                if (j < i || (j == i && !PositiveShift(nl.ShiftA[e], nl.ShiftB[e], nl.ShiftC[e]))) continue;
                double dx = -nl.Dx[e], dy = -nl.Dy[e], dz = -nl.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                var t = rowType + types[j];
                if (rsq >= _cutSq[t]) continue;
                double fpair, ecoul = 0;
                var evdwl = (q is null ? Pair(t, rsq, out fpair) : PairCharged(t, rsq, q[i], q[j], out fpair, out ecoul)) - _offset[t];
                ecoulSum += ecoul;
                fix += dx * fpair;
                fiy += dy * fpair;
                fiz += dz * fpair;
                fx[j] -= dx * fpair;
                fy[j] -= dy * fpair;
                fz[j] -= dz * fpair;
                energy += evdwl;
                if (perAtom)
                {
                    eatom[i] += 0.5 * evdwl;
                    eatom[j] += 0.5 * evdwl;
                }
                vxx += dx * dx * fpair;
                vyy += dy * dy * fpair;
                vzz += dz * dz * fpair;
                vxy += dx * dy * fpair;
                vxz += dx * dz * fpair;
                vyz += dy * dz * fpair;
            }
            fx[i] += fix;
            fy[i] += fiy;
            fz[i] += fiz;
        }
        result.Energy = energy;
        result.CoulombEnergy = ecoulSum;
        var w = result.Virial;
        w[0] = vxx;
        w[4] = vyy;
        w[8] = vzz;
        w[1] = w[3] = vxy;
        w[2] = w[6] = vxz;
        w[5] = w[7] = vyz;
    }

    private void ComputeHalf(HalfNeighborList list, bool perAtom, ParallelOptions parallel, double[]? charges, ForceResult result)
    {
        var atoms = list.Atoms;
        var n = atoms.LocalCount;
        var total = atoms.TotalCount;
        _q = null;
        if (UsesCharges)
        {
            // Ghosts carry their owner's charge.
            if (_qAll.Length < total) _qAll = new double[total];
            var owner = atoms.Owner;
            for (var k = 0; k < total; k++) _qAll[k] = charges![owner[k]];
            _q = _qAll;
        }
        result.Resize(n);
        PairBuffers.Zeroed(ref _f, 3 * total);
        if (perAtom) PairBuffers.Zeroed(ref _e, total);
        PairBuffers.Zeroed(ref _slabSums, SumsPerSlab * list.SlabCount);
        PairBuffers.Zeroed(ref _slabCoul, list.SlabCount);
        _list = list;
        _perAtom = perAtom;
        list.ForEachSlab(parallel, _slabBody ??= ComputeSlab);
        _list = null;
        atoms.FoldVectors(_f);
        PairBuffers.CopyForces(_f, result);
        if (perAtom)
        {
            atoms.FoldScalars(_e);
            Array.Copy(_e, result.AtomEnergy, n);
        }
        PairBuffers.SumSlabs(_slabSums, list.SlabCount, result);
        double coul = 0;
        for (var s = 0; s < list.SlabCount; s++) coul += _slabCoul[s];
        result.CoulombEnergy += coul;
    }

    /// <summary>All pairs of the centers of one slab; writes only atoms of this slab and the next <c>SlabReach</c>.</summary>
    private void ComputeSlab(int slab)
    {
        var list = _list!;
        var types = list.Atoms.Types;
        var centers = list.CenterArray;
        var offsets = list.OffsetArray;
        var start = list.SlabStartArray;
        var nbr = list.NeighborArray;
        var pos = list.Atoms.Positions;
        var f = _f;
        var eatom = _e;
        var perAtom = _perAtom;
        var cutSq = _cutSq;
        var offset = _offset;
        var q = _q;
        var ntypes = TypeCount;
        double coulSum = 0;
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var k = start[slab]; k < start[slab + 1]; k++)
        {
            var i = centers[k];
            double xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
            var rowType = types[i] * ntypes;
            double fix = 0, fiy = 0, fiz = 0;
            for (var e = offsets[k]; e < offsets[k + 1]; e++)
            {
                var j = nbr[e];
                double dx = xi - pos[3 * j], dy = yi - pos[3 * j + 1], dz = zi - pos[3 * j + 2];
                var rsq = dx * dx + dy * dy + dz * dz;
                var t = rowType + types[j];
                if (rsq >= cutSq[t]) continue;
                double fpair, ecoul = 0;
                var evdwl = (q is null ? Pair(t, rsq, out fpair) : PairCharged(t, rsq, q[i], q[j], out fpair, out ecoul)) - offset[t];
                coulSum += ecoul;
                double fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
                fix += fx;
                fiy += fy;
                fiz += fz;
                f[3 * j] -= fx;
                f[3 * j + 1] -= fy;
                f[3 * j + 2] -= fz;
                energy += evdwl;
                if (perAtom)
                {
                    eatom[i] += 0.5 * evdwl;
                    eatom[j] += 0.5 * evdwl;
                }
                vxx += dx * fx;
                vyy += dy * fy;
                vzz += dz * fz;
                vxy += dx * fy;
                vxz += dx * fz;
                vyz += dy * fz;
            }
            f[3 * i] += fix;
            f[3 * i + 1] += fiy;
            f[3 * i + 2] += fiz;
        }
        PairBuffers.StoreSlab(_slabSums, slab, energy, vxx, vyy, vzz, vxy, vxz, vyz);
        _slabCoul[slab] = coulSum;
    }

    private static bool PositiveShift(int a, int b, int c) => a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0)));

    /// <summary>A symmetric table of the style's per-pair values.</summary>
    protected double[] NewTable() => new double[TypeCount * TypeCount];

    /// <summary>Stores <paramref name="value"/> at (i, j) and (j, i).</summary>
    protected void Put(double[] table, int i, int j, double value) => table[i * TypeCount + j] = table[j * TypeCount + i] = value;

    /// <summary>The value of <paramref name="table"/> at (i, j).</summary>
    protected double At(double[] table, int i, int j) => table[i * TypeCount + j];
}
