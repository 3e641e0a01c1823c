namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>pair_style buck rc</c>: E = A e^(−r/ρ) − C/r⁶ for r &lt; rc. No mixing; supports <c>pair_modify shift</c> and
/// <c>tail</c> (LAMMPS' formulas).
/// </summary>
public sealed class BuckinghamPotential : PairwisePotential
{
    private readonly double _globalCutoff;
    private readonly double[] _a, _rho, _c, _cut, _rhoinv, _buck1, _buck2;

    public BuckinghamPotential(int types, double globalCutoff) : base(types)
    {
        _globalCutoff = globalCutoff;
        _a = NewTable();
        _rho = NewTable();
        _c = NewTable();
        _cut = NewTable();
        _rhoinv = NewTable();
        _buck1 = NewTable();
        _buck2 = NewTable();
    }

    public override string Name => "buck";

    public override bool SupportsShift => true;

    public override bool SupportsTail => true;

    protected override bool CanMix => false;

    /// <summary>Sets A, ρ, C and the cutoff (null: the global one) for types i, j (0-based).</summary>
    public void SetCoefficients(int i, int j, double a, double rho, double c, double? cutoff = null)
    {
        if (!(rho > 0)) throw new Core.Errors.UserInputException($"buck: rho must be positive for types {i + 1} {j + 1}, got {rho}");
        Put(_a, i, j, a);
        Put(_rho, i, j, rho);
        Put(_c, i, j, c);
        Put(_cut, i, j, cutoff ?? _globalCutoff);
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        Put(_rhoinv, i, j, 1.0 / At(_rho, i, j));
        Put(_buck1, i, j, At(_a, i, j) / At(_rho, i, j));
        Put(_buck2, i, j, 6.0 * At(_c, i, j));
        return At(_cut, i, j);
    }

    protected override double OffsetAt(int i, int j, double cut)
    {
        var rexp = Math.Exp(-cut / At(_rho, i, j));
        return At(_a, i, j) * rexp - At(_c, i, j) / Math.Pow(cut, 6.0);
    }

    protected override (double Energy, double Pressure) TailTerms(int i, int j, double ni, double nj)
    {
        double a = At(_a, i, j), c = At(_c, i, j), rho1 = At(_rho, i, j), rc = At(_cut, i, j);
        var rho2 = rho1 * rho1;
        var rho3 = rho2 * rho1;
        var rc2 = rc * rc;
        var rc3 = rc2 * rc;
        var e = 2.0 * Math.PI * ni * nj * (a * Math.Exp(-rc / rho1) * rho1 * (rc2 + 2.0 * rho1 * rc + 2.0 * rho2) - c / (3.0 * rc3));
        var p = (-1 / 3.0) * 2.0 * Math.PI * ni * nj
            * (-a * Math.Exp(-rc / rho1) * (rc3 + 3.0 * rho1 * rc2 + 6.0 * rho2 * rc + 6.0 * rho3) + 2.0 * c / rc3);
        return (e, p);
    }

    protected override double Pair(int t, double rsq, out double fpair)
    {
        var r2inv = 1.0 / rsq;
        var r6inv = r2inv * r2inv * r2inv;
        var r = Math.Sqrt(rsq);
        var rexp = Math.Exp(-r * _rhoinv[t]);
        var forcebuck = _buck1[t] * r * rexp - _buck2[t] * r6inv;
        fpair = forcebuck * r2inv;
        return _a[t] * rexp - _c[t] * r6inv;
    }
}
