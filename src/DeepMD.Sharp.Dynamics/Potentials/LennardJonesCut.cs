namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;

/// <summary>
/// <c>pair_style lj/cut</c>: E = 4ε[(σ/r)¹² − (σ/r)⁶] for r &lt; rc, unshifted (LAMMPS' default), with LAMMPS'
/// geometric mixing for type pairs not set explicitly. Works in whatever unit style the simulation uses.
/// Each pair is evaluated once (a half selection of the full list) and the force goes to both atoms.
/// </summary>
public sealed class LennardJonesCut : IPotential
{
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

    private static bool PositiveShift(int a, int b, int c) => a > 0 || (a == 0 && (b > 0 || (b == 0 && c > 0)));
}
