namespace DeepMD.Sharp.Dynamics.Potentials;

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// <c>pair_style lj/cut</c>: E = 4ε[(σ/r)¹² − (σ/r)⁶] for r &lt; rc, unshifted unless <see cref="Shift"/>, with LAMMPS'
/// mixing (<see cref="Mix"/>, geometric by default) for type pairs not set explicitly and its tail correction
/// (<see cref="Tail"/>). Works in whatever unit style the simulation uses.
/// Each pair is evaluated once and the force goes to both atoms: on a <see cref="HalfNeighborList"/> in the MD loop
/// (slabs on several threads, same result for any thread count), or on a half selection of a full list.
/// </summary>
public sealed class LennardJonesCut : IPotential, IPairFunction, IAdaptablePair
{
    private const int SumsPerSlab = 7; // energy, then virial xx yy zz xy xz yz
    private double[] _f = [], _e = [], _slabSums = [];
    private HalfNeighborList? _list;
    private bool _perAtom;
    private Action<int>? _slabBody;
    private readonly int _types;
    private readonly double _globalCutoff;
    private readonly double[] _epsilon, _sigma, _cut;
    private readonly bool[] _set;
    private double[] _lj1 = [], _lj2 = [], _lj3 = [], _lj4 = [], _cutSq = [], _offset = [], _mixedEps = [], _mixedSig = [], _mixedCut = [];
    private bool _ready;
    private bool _anyOffset;

    /// <summary>Mixing rule for pairs not set explicitly (<c>pair_modify mix</c>; LAMMPS' default geometric).</summary>
    public PairMixRule Mix
    {
        get;
        set
        {
            field = value;
            _ready = false;
        }
    }

    /// <summary>Energies shifted to zero at the cutoff (<c>pair_modify shift yes</c>).</summary>
    public bool Shift
    {
        get;
        set
        {
            field = value;
            _ready = false;
        }
    }

    /// <summary>Long-range tail correction (<c>pair_modify tail yes</c>): etail/V on the energy, ptail/V on the virial diagonal.</summary>
    public bool Tail { get; set; }

    /// <summary>Type pairs this style is restricted to (hybrid styles); null = every pair.</summary>
    public Func<int, int, bool>? Restrict
    {
        get;
        set
        {
            field = value;
            _ready = false;
        }
    }

    /// <summary>Creates the style for <paramref name="types"/> atom types with a global cutoff (distance units).</summary>
    public LennardJonesCut(int types, double globalCutoff)
    {
        if (!(globalCutoff > 0)) throw new UserInputException($"lj/cut cutoff must be positive, got {globalCutoff}");
        _types = types;
        _globalCutoff = globalCutoff;
        _epsilon = new double[types * types];
        _sigma = new double[types * types];
        _cut = new double[types * types];
        _set = new bool[types * types];
    }

    public string Name => "lj/cut";

    /// <inheritdoc />
    public int TypeCount => _types;

    /// <inheritdoc />
    public double[]? AdaptableTable(string name) => name switch { "epsilon" => _epsilon, "sigma" => _sigma, _ => null };

    /// <inheritdoc />
    public IReadOnlyList<string> AdaptableNames => ["epsilon", "sigma"];

    /// <inheritdoc />
    public void Reinit() => _ready = false;

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

    /// <summary>Sets ε, σ and the cutoff for types i, j (0-based); cutoff null = global.</summary>
    public void SetCoefficients(int i, int j, double epsilon, double sigma, double? cutoff = null)
    {
        var c = cutoff ?? _globalCutoff;
        _epsilon[i * _types + j] = _epsilon[j * _types + i] = epsilon;
        _sigma[i * _types + j] = _sigma[j * _types + i] = sigma;
        _cut[i * _types + j] = _cut[j * _types + i] = c;
        _set[i * _types + j] = _set[j * _types + i] = true;
        _ready = false;
    }

    private void Prepare()
    {
        if (_ready) return;
        var n = _types * _types;
        _lj1 = new double[n];
        _lj2 = new double[n];
        _lj3 = new double[n];
        _lj4 = new double[n];
        _cutSq = new double[n];
        _offset = new double[n];
        _mixedEps = new double[n];
        _mixedSig = new double[n];
        _mixedCut = new double[n];
        _anyOffset = false;
        for (var i = 0; i < _types; i++)
        {
            for (var j = 0; j < _types; j++)
            {
                var k = i * _types + j;
                if (Restrict is { } only && !only(Math.Min(i, j), Math.Max(i, j))) continue;
                double eps, sig, cut;
                if (_set[k])
                {
                    (eps, sig, cut) = (_epsilon[k], _sigma[k], _cut[k]);
                }
                else
                {
                    int ii = i * _types + i, jj = j * _types + j;
                    if (!_set[ii] || !_set[jj] || (Restrict is { } r && (!r(i, i) || !r(j, j))))
                        throw new UserInputException($"pair_coeff for lj/cut is missing for types {i + 1} {j + 1}; set it (or both {i + 1} {i + 1} and {j + 1} {j + 1} for mixing)");
                    // LAMMPS' init_one mixes (i, j) with i <= j: mix_energy(eps_ii, eps_jj, sig_ii, sig_jj).
                    int lo = Math.Min(i, j) * (_types + 1), hi = Math.Max(i, j) * (_types + 1);
                    eps = MixEnergy(_epsilon[lo], _epsilon[hi], _sigma[lo], _sigma[hi]);
                    sig = MixDistance(_sigma[lo], _sigma[hi]);
                    cut = MixDistance(_cut[lo], _cut[hi]);
                }
                (_mixedEps[k], _mixedSig[k], _mixedCut[k]) = (eps, sig, cut);
                _lj1[k] = 48.0 * eps * Math.Pow(sig, 12.0);
                _lj2[k] = 24.0 * eps * Math.Pow(sig, 6.0);
                _lj3[k] = 4.0 * eps * Math.Pow(sig, 12.0);
                _lj4[k] = 4.0 * eps * Math.Pow(sig, 6.0);
                _cutSq[k] = cut * cut;
                if (Shift && cut > 0.0)
                {
                    var ratio = sig / cut;
                    _offset[k] = 4.0 * eps * (Math.Pow(ratio, 12.0) - Math.Pow(ratio, 6.0));
                    _anyOffset |= _offset[k] != 0.0;
                }
            }
        }
        _ready = true;
    }

    private double MixEnergy(double eps1, double eps2, double sig1, double sig2) => Mix switch
    {
        PairMixRule.SixthPower => 2.0 * Math.Sqrt(eps1 * eps2) * Math.Pow(sig1, 3.0) * Math.Pow(sig2, 3.0) / (Math.Pow(sig1, 6.0) + Math.Pow(sig2, 6.0)),
        _ => Math.Sqrt(eps1 * eps2),
    };

    private double MixDistance(double sig1, double sig2) => Mix switch
    {
        PairMixRule.Arithmetic => 0.5 * (sig1 + sig2),
        PairMixRule.SixthPower => Math.Pow(0.5 * (Math.Pow(sig1, 6.0) + Math.Pow(sig2, 6.0)), 1.0 / 6.0),
        _ => Math.Sqrt(sig1 * sig2),
    };

    /// <inheritdoc />
    public double CutoffSquared(int i, int j)
    {
        Prepare();
        return _cutSq[i * _types + j];
    }

    /// <inheritdoc />
    public double Single(int i, int j, double rsq, out double fforce)
    {
        Prepare();
        var k = i * _types + j;
        var r2inv = 1.0 / rsq;
        var r6inv = r2inv * r2inv * r2inv;
        fforce = r6inv * (_lj1[k] * r6inv - _lj2[k]) * r2inv;
        return r6inv * (_lj3[k] * r6inv - _lj4[k]) - _offset[k];
    }

    /// <summary>LAMMPS' etail/ptail summed over type pairs (i ≤ j, off-diagonal twice), added as etail/V and ptail/V.</summary>
    private void AddTail(ForceRequest request, ForceResult result)
    {
        var counts = new double[_types];
        for (var k = 0; k < request.LocalCount; k++) counts[request.Types[k]] += 1.0;
        double etail = 0, ptail = 0;
        for (var i = 0; i < _types; i++)
        {
            for (var j = i; j < _types; j++)
            {
                var k = i * _types + j;
                if (_cutSq[k] == 0.0) continue;
                double eps = _mixedEps[k], sig = _mixedSig[k], cut = _mixedCut[k];
                var sig2 = sig * sig;
                var sig6 = sig2 * sig2 * sig2;
                var rc3 = cut * cut * cut;
                var rc6 = rc3 * rc3;
                var rc9 = rc3 * rc6;
                var e = 8.0 * Math.PI * counts[i] * counts[j] * eps * sig6 * (sig6 - 3.0 * rc6) / (9.0 * rc9);
                var p = 16.0 * Math.PI * counts[i] * counts[j] * eps * sig6 * (2.0 * sig6 - 3.0 * rc6) / (9.0 * rc9);
                etail += e;
                ptail += p;
                if (i != j)
                {
                    etail += e;
                    ptail += p;
                }
            }
        }
        var volume = Math.Abs((request.Box ?? throw new InvalidOperationException("lj/cut: tail corrections need a periodic box")).Volume);
        result.Energy += etail / volume;
        var w = ptail / volume;
        result.Virial[0] += w;
        result.Virial[4] += w;
        result.Virial[8] += w;
    }

    /// <inheritdoc />
    public NeighborKind NeighborKind => NeighborKind.HalfWithGhosts;

    /// <summary>
    /// On the half list over ghosts when the request carries one (what the MD loop builds: each pair once, ghost forces
    /// folded onto their owners), otherwise on a half selection of the full periodic list (same result up to rounding).
    /// </summary>
    public void Compute(ForceRequest request, ForceResult result)
    {
        if (request.HalfNeighbors is { } half)
        {
            ComputeHalf(half, request.PerAtom, request.Parallel ?? new ParallelOptions(), result);
            if (Tail) AddTail(request, result);
            return;
        }
        if (request.Neighbors is null) throw new ArgumentException("lj/cut needs a neighbor list (half over ghosts, or full periodic)", nameof(request));
        if (request.AtomCount != request.LocalCount)
        {
            ComputeFullWithGhosts(request, result);
            return;
        }
        ComputeFull(request, result);
        if (Tail) AddTail(request, result);
    }

    /// <summary>
    /// A full list over the local centers whose entries name local or ghost atoms (a subdomain of a decomposed run):
    /// every pair is seen from both sides, so each center takes only its own force and half the pair's energy and
    /// virial (LAMMPS' newton off); ghosts get no force.
    /// </summary>
    private void ComputeFullWithGhosts(ForceRequest request, ForceResult result)
    {
        Prepare();
        result.Resize(request.AtomCount);
        var nl = request.Neighbors!;
        var types = request.Types;
        var eatom = result.AtomEnergy;
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var i = 0; i < request.LocalCount; i++)
        {
            var rowType = types[i] * _types;
            double fix = 0, fiy = 0, fiz = 0;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                double dx = -nl.Dx[e], dy = -nl.Dy[e], dz = -nl.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                var k = rowType + types[nl.Owner[e]];
                if (rsq >= _cutSq[k]) continue;
                var r2inv = 1.0 / rsq;
                var r6inv = r2inv * r2inv * r2inv;
                var fpair = r6inv * (_lj1[k] * r6inv - _lj2[k]) * r2inv;
                fix += dx * fpair;
                fiy += dy * fpair;
                fiz += dz * fpair;
                var evdwl = 0.5 * r6inv * (_lj3[k] * r6inv - _lj4[k]);
                energy += evdwl;
                if (request.PerAtom) eatom[i] += evdwl;
                vxx += 0.5 * dx * dx * fpair;
                vyy += 0.5 * dy * dy * fpair;
                vzz += 0.5 * dz * dz * fpair;
                vxy += 0.5 * dx * dy * fpair;
                vxz += 0.5 * dx * dz * fpair;
                vyz += 0.5 * dy * dz * fpair;
            }
            result.Fx[i] = fix;
            result.Fy[i] = fiy;
            result.Fz[i] = fiz;
        }
        result.Energy = energy;
        var w = result.Virial;
        w[0] = vxx;
        w[4] = vyy;
        w[8] = vzz;
        w[1] = w[3] = vxy;
        w[2] = w[6] = vxz;
        w[5] = w[7] = vyz;
    }

    private void ComputeFull(ForceRequest request, ForceResult result)
    {
        Prepare();
        var n = request.AtomCount;
        result.Resize(n);
        var nl = request.Neighbors!;
        var types = request.Types;
        var fx = result.Fx;
        var fy = result.Fy;
        var fz = result.Fz;
        var eatom = result.AtomEnergy;
        var perAtom = request.PerAtom;
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var i = 0; i < n; i++)
        {
            var rowType = types[i] * _types;
            double fix = 0, fiy = 0, fiz = 0;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var j = nl.Owner[e];
                if (j < i || (j == i && !PositiveShift(nl.ShiftA[e], nl.ShiftB[e], nl.ShiftC[e]))) continue;
                // LAMMPS' del = r_i − r_j.
                double dx = -nl.Dx[e], dy = -nl.Dy[e], dz = -nl.Dz[e];
                var rsq = dx * dx + dy * dy + dz * dz;
                var k = rowType + types[j];
                if (rsq >= _cutSq[k]) continue;
                var r2inv = 1.0 / rsq;
                var r6inv = r2inv * r2inv * r2inv;
                var forcelj = r6inv * (_lj1[k] * r6inv - _lj2[k]);
                var fpair = forcelj * r2inv;
                fix += dx * fpair;
                fiy += dy * fpair;
                fiz += dz * fpair;
                fx[j] -= dx * fpair;
                fy[j] -= dy * fpair;
                fz[j] -= dz * fpair;
                var evdwl = r6inv * (_lj3[k] * r6inv - _lj4[k]) - _offset[k];
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
        var w = result.Virial;
        w[0] = vxx;
        w[4] = vyy;
        w[8] = vzz;
        w[1] = w[3] = vxy;
        w[2] = w[6] = vxz;
        w[5] = w[7] = vyz;
    }

    private void ComputeHalf(HalfNeighborList list, bool perAtom, ParallelOptions parallel, ForceResult result)
    {
        Prepare();
        var atoms = list.Atoms;
        var n = atoms.LocalCount;
        var total = atoms.TotalCount;
        result.Resize(n);
        PairBuffers.Zeroed(ref _f, 3 * total);
        if (perAtom) PairBuffers.Zeroed(ref _e, total);
        PairBuffers.Zeroed(ref _slabSums, SumsPerSlab * list.SlabCount);
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
    }

    /// <summary>All pairs of the centers of one slab; writes only atoms of this slab and the next <c>SlabReach</c>.</summary>
    private void ComputeSlab(int slab)
    {
        var list = _list!;
        var types = list.Atoms.Types;
        var centers = list.CenterArray;
        var offsets = list.OffsetArray;
        var start = list.SlabStartArray;
        ref var pos = ref MemoryMarshal.GetArrayDataReference(list.Atoms.Positions);
        ref var f = ref MemoryMarshal.GetArrayDataReference(_f);
        ref var nbr = ref MemoryMarshal.GetArrayDataReference(list.NeighborArray);
        ref var type = ref MemoryMarshal.GetArrayDataReference(types);
        ref var lj1 = ref MemoryMarshal.GetArrayDataReference(_lj1);
        ref var lj2 = ref MemoryMarshal.GetArrayDataReference(_lj2);
        ref var lj3 = ref MemoryMarshal.GetArrayDataReference(_lj3);
        ref var lj4 = ref MemoryMarshal.GetArrayDataReference(_lj4);
        ref var cutSq = ref MemoryMarshal.GetArrayDataReference(_cutSq);
        var eatom = _e;
        var perAtom = _perAtom;
        var ntypes = _types;
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        var sums = default(VectorSums);
        for (var k = start[slab]; k < start[slab + 1]; k++)
        {
            var i = centers[k];
            ref var pi = ref Unsafe.Add(ref pos, 3 * i);
            double xi = pi, yi = Unsafe.Add(ref pi, 1), zi = Unsafe.Add(ref pi, 2);
            var rowType = types[i] * ntypes;
            double fix = 0, fiy = 0, fiz = 0;
            int end = offsets[k + 1];
            var e = offsets[k];
            if (!perAtom && !_anyOffset)
                e = VectorPairs(ref pos, ref f, ref nbr, ref type, e, end, rowType, xi, yi, zi, ref fix, ref fiy, ref fiz, ref sums);
            for (; e < end; e++)
            {
                var j = Unsafe.Add(ref nbr, e);
                ref var pj = ref Unsafe.Add(ref pos, 3 * j);
                double dx = xi - pj, dy = yi - Unsafe.Add(ref pj, 1), dz = zi - Unsafe.Add(ref pj, 2);
                var rsq = dx * dx + dy * dy + dz * dz;
                var t = rowType + Unsafe.Add(ref type, j);
                if (rsq >= Unsafe.Add(ref cutSq, t)) continue;
                var r2inv = 1.0 / rsq;
                var r6inv = r2inv * r2inv * r2inv;
                var forcelj = r6inv * (Unsafe.Add(ref lj1, t) * r6inv - Unsafe.Add(ref lj2, t));
                var fpair = forcelj * r2inv;
                double fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
                fix += fx;
                fiy += fy;
                fiz += fz;
                ref var fj = ref Unsafe.Add(ref f, 3 * j);
                fj -= fx;
                Unsafe.Add(ref fj, 1) -= fy;
                Unsafe.Add(ref fj, 2) -= fz;
                var evdwl = r6inv * (Unsafe.Add(ref lj3, t) * r6inv - Unsafe.Add(ref lj4, t)) - _offset[t];
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
            ref var fi = ref Unsafe.Add(ref f, 3 * i);
            fi += fix;
            Unsafe.Add(ref fi, 1) += fiy;
            Unsafe.Add(ref fi, 2) += fiz;
        }
        PairBuffers.StoreSlab(_slabSums, slab, energy, vxx, vyy, vzz, vxy, vxz, vyz);
        PairBuffers.StoreSlab(_slabSums, slab, Vector256.Sum(sums.Energy), Vector256.Sum(sums.Xx), Vector256.Sum(sums.Yy),
            Vector256.Sum(sums.Zz), Vector256.Sum(sums.Xy), Vector256.Sum(sums.Xz), Vector256.Sum(sums.Yz));
    }

    /// <summary>Energy and virial accumulated four pairs at a time over a slab.</summary>
    private struct VectorSums
    {
        public Vector256<double> Energy, Xx, Yy, Zz, Xy, Xz, Yz;
    }

    /// <summary>
    /// Neighbors e .. end of one center, four at a time (as many groups of four as there are); returns where the scalar
    /// loop must go on. Per pair the arithmetic is the scalar loop's; the center's force and the slab's energy and virial
    /// are summed in four lanes. The grouping depends only on the list, so results do not depend on the thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int VectorPairs(ref double pos, ref double f, ref int nbr, ref int type, int e, int end, int rowType,
        double xi, double yi, double zi, ref double fix, ref double fiy, ref double fiz, ref VectorSums sums)
    {
        if (end - e < 4) return e;
        var single = _types == 1;
        Vector256<double> lj1 = Vector256.Create(_lj1[rowType]), lj2 = Vector256.Create(_lj2[rowType]);
        Vector256<double> lj3 = Vector256.Create(_lj3[rowType]), lj4 = Vector256.Create(_lj4[rowType]);
        var cutSq = Vector256.Create(_cutSq[rowType]);
        Vector256<double> vxi = Vector256.Create(xi), vyi = Vector256.Create(yi), vzi = Vector256.Create(zi);
        Vector256<double> fxi = default, fyi = default, fzi = default;
        Span<double> buf = stackalloc double[12];
        ref var b = ref MemoryMarshal.GetReference(buf);
        for (; e + 4 <= end; e += 4)
        {
            int j0 = Unsafe.Add(ref nbr, e), j1 = Unsafe.Add(ref nbr, e + 1), j2 = Unsafe.Add(ref nbr, e + 2), j3 = Unsafe.Add(ref nbr, e + 3);
            ref var p0 = ref Unsafe.Add(ref pos, 3 * j0);
            ref var p1 = ref Unsafe.Add(ref pos, 3 * j1);
            ref var p2 = ref Unsafe.Add(ref pos, 3 * j2);
            ref var p3 = ref Unsafe.Add(ref pos, 3 * j3);
            var dx = vxi - Vector256.Create(p0, p1, p2, p3);
            var dy = vyi - Vector256.Create(Unsafe.Add(ref p0, 1), Unsafe.Add(ref p1, 1), Unsafe.Add(ref p2, 1), Unsafe.Add(ref p3, 1));
            var dz = vzi - Vector256.Create(Unsafe.Add(ref p0, 2), Unsafe.Add(ref p1, 2), Unsafe.Add(ref p2, 2), Unsafe.Add(ref p3, 2));
            var rsq = dx * dx + dy * dy + dz * dz;
            if (!single)
            {
                int t0 = rowType + Unsafe.Add(ref type, j0), t1 = rowType + Unsafe.Add(ref type, j1);
                int t2 = rowType + Unsafe.Add(ref type, j2), t3 = rowType + Unsafe.Add(ref type, j3);
                lj1 = Vector256.Create(_lj1[t0], _lj1[t1], _lj1[t2], _lj1[t3]);
                lj2 = Vector256.Create(_lj2[t0], _lj2[t1], _lj2[t2], _lj2[t3]);
                lj3 = Vector256.Create(_lj3[t0], _lj3[t1], _lj3[t2], _lj3[t3]);
                lj4 = Vector256.Create(_lj4[t0], _lj4[t1], _lj4[t2], _lj4[t3]);
                cutSq = Vector256.Create(_cutSq[t0], _cutSq[t1], _cutSq[t2], _cutSq[t3]);
            }
            var inside = Vector256.LessThan(rsq, cutSq);
            if (inside == Vector256<double>.Zero) continue;
            // Lanes beyond the cutoff get a harmless distance and are then zeroed.
            var r2inv = Vector256<double>.One / Vector256.ConditionalSelect(inside, rsq, Vector256<double>.One);
            var r6inv = r2inv * r2inv * r2inv;
            var fpair = (r6inv * (lj1 * r6inv - lj2) * r2inv) & inside;
            Vector256<double> fx = dx * fpair, fy = dy * fpair, fz = dz * fpair;
            fxi += fx;
            fyi += fy;
            fzi += fz;
            sums.Energy += (r6inv * (lj3 * r6inv - lj4)) & inside;
            sums.Xx += dx * fx;
            sums.Yy += dy * fy;
            sums.Zz += dz * fz;
            sums.Xy += dx * fy;
            sums.Xz += dx * fz;
            sums.Yz += dy * fz;
            fx.StoreUnsafe(ref b);
            fy.StoreUnsafe(ref b, 4);
            fz.StoreUnsafe(ref b, 8);
            Subtract(ref Unsafe.Add(ref f, 3 * j0), ref b, 0);
            Subtract(ref Unsafe.Add(ref f, 3 * j1), ref b, 1);
            Subtract(ref Unsafe.Add(ref f, 3 * j2), ref b, 2);
            Subtract(ref Unsafe.Add(ref f, 3 * j3), ref b, 3);
        }
        fix += Vector256.Sum(fxi);
        fiy += Vector256.Sum(fyi);
        fiz += Vector256.Sum(fzi);
        return e;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Subtract(ref double fj, ref double b, int lane)
    {
        fj -= Unsafe.Add(ref b, lane);
        Unsafe.Add(ref fj, 1) -= Unsafe.Add(ref b, 4 + lane);
        Unsafe.Add(ref fj, 2) -= Unsafe.Add(ref b, 8 + lane);
    }

    private static bool PositiveShift(int a, int b, int c) => a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0)));
}
