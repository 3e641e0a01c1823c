namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>pair_style born rc</c> (Born–Mayer–Huggins): E = A e^((σ−r)/ρ) − C/r⁶ + D/r⁸ for r &lt; rc. No mixing; supports
/// <c>pair_modify shift</c> and <c>tail</c> (LAMMPS' formulas).
/// </summary>
public sealed class BornPotential : PairwisePotential
{
    private readonly double _globalCutoff;
    private readonly double[] _a, _rho, _sigma, _c, _d, _cut, _rhoinv, _born1, _born2, _born3;

    public BornPotential(int types, double globalCutoff) : base(types)
    {
        _globalCutoff = globalCutoff;
        _a = NewTable();
        _rho = NewTable();
        _sigma = NewTable();
        _c = NewTable();
        _d = NewTable();
        _cut = NewTable();
        _rhoinv = NewTable();
        _born1 = NewTable();
        _born2 = NewTable();
        _born3 = NewTable();
    }

    public override string Name => "born";

    public override bool SupportsShift => true;

    public override bool SupportsTail => true;

    protected override bool CanMix => false;

    /// <summary>Sets A, ρ, σ, C, D and the cutoff (null: the global one) for types i, j (0-based).</summary>
    public void SetCoefficients(int i, int j, double a, double rho, double sigma, double c, double d, double? cutoff = null)
    {
        if (!(rho > 0)) throw new Core.Errors.UserInputException($"born: rho must be positive for types {i + 1} {j + 1}, got {rho}");
        Put(_a, i, j, a);
        Put(_rho, i, j, rho);
        Put(_sigma, i, j, sigma);
        Put(_c, i, j, c);
        Put(_d, i, j, d);
        Put(_cut, i, j, cutoff ?? _globalCutoff);
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        Put(_rhoinv, i, j, 1.0 / At(_rho, i, j));
        Put(_born1, i, j, At(_a, i, j) / At(_rho, i, j));
        Put(_born2, i, j, 6.0 * At(_c, i, j));
        Put(_born3, i, j, 8.0 * At(_d, i, j));
        return At(_cut, i, j);
    }

    protected override double OffsetAt(int i, int j, double cut)
    {
        var rexp = Math.Exp((At(_sigma, i, j) - cut) * At(_rhoinv, i, j));
        return At(_a, i, j) * rexp - At(_c, i, j) / Math.Pow(cut, 6.0) + At(_d, i, j) / Math.Pow(cut, 8.0);
    }

    protected override (double Energy, double Pressure) TailTerms(int i, int j, double ni, double nj)
    {
        double a = At(_a, i, j), c = At(_c, i, j), d = At(_d, i, j), sigma = At(_sigma, i, j), rho1 = At(_rho, i, j), rc = At(_cut, i, j);
        var rho2 = rho1 * rho1;
        var rho3 = rho2 * rho1;
        var rc2 = rc * rc;
        var rc3 = rc2 * rc;
        var rc5 = rc3 * rc2;
        var e = 2.0 * Math.PI * ni * nj
            * (a * Math.Exp((sigma - rc) / rho1) * rho1 * (rc2 + 2.0 * rho1 * rc + 2.0 * rho2) - c / (3.0 * rc3) + d / (5.0 * rc5));
        var p = (-1 / 3.0) * 2.0 * Math.PI * ni * nj
            * (-a * Math.Exp((sigma - rc) / rho1) * (rc3 + 3.0 * rho1 * rc2 + 6.0 * rho2 * rc + 6.0 * rho3) + 2.0 * c / rc3 - 8.0 * d / (5.0 * rc5));
        return (e, p);
    }

    protected override double Pair(int t, double rsq, out double fpair)
    {
        var r2inv = 1.0 / rsq;
        var r6inv = r2inv * r2inv * r2inv;
        var r = Math.Sqrt(rsq);
        var rexp = Math.Exp((_sigma[t] - r) * _rhoinv[t]);
        var forceborn = _born1[t] * r * rexp - _born2[t] * r6inv + _born3[t] * r2inv * r6inv;
        fpair = forceborn * r2inv;
        return _a[t] * rexp - _c[t] * r6inv + _d[t] * r6inv * r2inv;
    }
}
