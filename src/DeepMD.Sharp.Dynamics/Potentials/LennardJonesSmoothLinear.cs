namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>pair_style lj/smooth/linear rc</c>: 12-6 Lennard-Jones shifted so that energy and force both vanish at the
/// cutoff, E = E_LJ(r) − E_LJ(rc) − (r − rc)·E'_LJ(rc). Unset pairs are mixed (<c>pair_modify mix</c>).
/// </summary>
public sealed class LennardJonesSmoothLinear : PairwisePotential
{
    private readonly double _globalCutoff;
    private readonly double[] _epsilon, _sigma, _cut, _lj1, _lj2, _lj3, _lj4, _ljcut, _dljcut;

    public LennardJonesSmoothLinear(int types, double globalCutoff) : base(types)
    {
        _globalCutoff = globalCutoff;
        _epsilon = NewTable();
        _sigma = NewTable();
        _cut = NewTable();
        _lj1 = NewTable();
        _lj2 = NewTable();
        _lj3 = NewTable();
        _lj4 = NewTable();
        _ljcut = NewTable();
        _dljcut = NewTable();
    }

    public override string Name => "lj/smooth/linear";

    /// <summary>Sets ε, σ and the cutoff (null: the global one) for types i, j (0-based).</summary>
    public void SetCoefficients(int i, int j, double epsilon, double sigma, double? cutoff = null)
    {
        Put(_epsilon, i, j, epsilon);
        Put(_sigma, i, j, sigma);
        Put(_cut, i, j, cutoff ?? _globalCutoff);
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        if (!IsSet(i, j))
        {
            Put(_epsilon, i, j, MixEnergy(At(_epsilon, i, i), At(_epsilon, j, j), At(_sigma, i, i), At(_sigma, j, j)));
            Put(_sigma, i, j, MixDistance(At(_sigma, i, i), At(_sigma, j, j)));
            Put(_cut, i, j, MixDistance(At(_cut, i, i), At(_cut, j, j)));
        }
        double eps = At(_epsilon, i, j), sig = At(_sigma, i, j), cut = At(_cut, i, j);
        Put(_lj1, i, j, 48.0 * eps * Math.Pow(sig, 12.0));
        Put(_lj2, i, j, 24.0 * eps * Math.Pow(sig, 6.0));
        Put(_lj3, i, j, 4.0 * eps * Math.Pow(sig, 12.0));
        Put(_lj4, i, j, 4.0 * eps * Math.Pow(sig, 6.0));
        var cut6inv = Math.Pow(cut, -6.0);
        var cutinv = 1.0 / cut;
        Put(_ljcut, i, j, cut6inv * (At(_lj3, i, j) * cut6inv - At(_lj4, i, j)));
        Put(_dljcut, i, j, cutinv * cut6inv * (At(_lj1, i, j) * cut6inv - At(_lj2, i, j)));
        return cut;
    }

    protected override double Pair(int t, double rsq, out double fpair)
    {
        var r2inv = 1.0 / rsq;
        var r6inv = r2inv * r2inv * r2inv;
        var rinv = Math.Sqrt(r2inv);
        var forcelj = r6inv * (_lj1[t] * r6inv - _lj2[t]);
        forcelj = rinv * forcelj - _dljcut[t];
        fpair = forcelj * rinv;
        var r = Math.Sqrt(rsq);
        var e = r6inv * (_lj3[t] * r6inv - _lj4[t]);
        return e - _ljcut[t] + (r - _cut[t]) * _dljcut[t];
    }
}
