namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Neighbors;

/// <summary>
/// <c>pair_style lj/cut</c>: E = 4ε[(σ/r)¹² − (σ/r)⁶] for r &lt; rc, unshifted (LAMMPS' default), with LAMMPS'
/// geometric mixing for type pairs not set explicitly. Works in whatever unit style the simulation uses.
/// Each pair is evaluated once and the force goes to both atoms: on a <see cref="HalfNeighborList"/> in the MD loop
/// (slabs on several threads, same result for any thread count), or on a half selection of a full list.
/// </summary>
public sealed class LennardJonesCut : IHalfListPotential
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
    private double[] _lj1 = [], _lj2 = [], _lj3 = [], _lj4 = [], _cutSq = [];
    private bool _ready;

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
        for (var i = 0; i < _types; i++)
        {
            for (var j = 0; j < _types; j++)
            {
                var k = i * _types + j;
                double eps, sig, cut;
                if (_set[k])
                {
                    (eps, sig, cut) = (_epsilon[k], _sigma[k], _cut[k]);
                }
                else
                {
                    int ii = i * _types + i, jj = j * _types + j;
                    if (!_set[ii] || !_set[jj])
                        throw new UserInputException($"pair_coeff for lj/cut is missing for types {i + 1} {j + 1}; set it (or both {i + 1} {i + 1} and {j + 1} {j + 1} for mixing)");
                    eps = Math.Sqrt(_epsilon[ii] * _epsilon[jj]);
                    sig = Math.Sqrt(_sigma[ii] * _sigma[jj]);
                    cut = Math.Sqrt(_cut[ii] * _cut[jj]);
                }
                _lj1[k] = 48.0 * eps * Math.Pow(sig, 12.0);
                _lj2[k] = 24.0 * eps * Math.Pow(sig, 6.0);
                _lj3[k] = 4.0 * eps * Math.Pow(sig, 12.0);
                _lj4[k] = 4.0 * eps * Math.Pow(sig, 6.0);
                _cutSq[k] = cut * cut;
            }
        }
        _ready = true;
    }

    public void Compute(ForceRequest request, ForceResult result)
    {
        Prepare();
        var n = request.AtomCount;
        result.Resize(n);
        var nl = request.Neighbors;
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
                var evdwl = r6inv * (_lj3[k] * r6inv - _lj4[k]);
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

    public void Compute(HalfListRequest request, ForceResult result)
    {
        Prepare();
        var list = request.List;
        var atoms = list.Atoms;
        var n = atoms.LocalCount;
        var total = atoms.TotalCount;
        result.Resize(n);
        PairBuffers.Zeroed(ref _f, 3 * total);
        if (request.PerAtom) PairBuffers.Zeroed(ref _e, total);
        PairBuffers.Zeroed(ref _slabSums, SumsPerSlab * list.SlabCount);
        _list = list;
        _perAtom = request.PerAtom;
        list.ForEachSlab(request.Parallel, _slabBody ??= ComputeSlab);
        _list = null;
        atoms.FoldVectors(_f);
        PairBuffers.CopyForces(_f, result);
        if (request.PerAtom)
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
        var pos = list.Atoms.Positions;
        var types = list.Atoms.Types;
        var centers = list.CenterArray;
        var offsets = list.OffsetArray;
        var neighbors = list.NeighborArray;
        var start = list.SlabStartArray;
        double[] f = _f, eatom = _e, lj1 = _lj1, lj2 = _lj2, lj3 = _lj3, lj4 = _lj4, cutSq = _cutSq;
        var perAtom = _perAtom;
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var k = start[slab]; k < start[slab + 1]; k++)
        {
            var i = centers[k];
            double xi = pos[3 * i], yi = pos[3 * i + 1], zi = pos[3 * i + 2];
            var rowType = types[i] * _types;
            double fix = 0, fiy = 0, fiz = 0;
            for (var e = offsets[k]; e < offsets[k + 1]; e++)
            {
                var j = neighbors[e];
                var j3 = 3 * j;
                double dx = xi - pos[j3], dy = yi - pos[j3 + 1], dz = zi - pos[j3 + 2];
                var rsq = dx * dx + dy * dy + dz * dz;
                var t = rowType + types[j];
                if (rsq >= cutSq[t]) continue;
                var r2inv = 1.0 / rsq;
                var r6inv = r2inv * r2inv * r2inv;
                var forcelj = r6inv * (lj1[t] * r6inv - lj2[t]);
                var fpair = forcelj * r2inv;
                fix += dx * fpair;
                fiy += dy * fpair;
                fiz += dz * fpair;
                f[j3] -= dx * fpair;
                f[j3 + 1] -= dy * fpair;
                f[j3 + 2] -= dz * fpair;
                var evdwl = r6inv * (lj3[t] * r6inv - lj4[t]);
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
            f[3 * i] += fix;
            f[3 * i + 1] += fiy;
            f[3 * i + 2] += fiz;
        }
        PairBuffers.StoreSlab(_slabSums, slab, energy, vxx, vyy, vzz, vxy, vxz, vyz);
    }

    private static bool PositiveShift(int a, int b, int c) => a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0)));
}
