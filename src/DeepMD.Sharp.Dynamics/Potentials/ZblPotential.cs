namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>pair_style zbl inner outer</c>: the Ziegler–Biersack–Littmark universal screened nuclear repulsion
/// E = Zi Zj e²/(4πε₀ r) φ(r/a), a = 0.46850 Å / (Zi^0.23 + Zj^0.23), with LAMMPS' switching polynomial between the
/// inner and outer cutoffs (energy, force and curvature reach zero at the outer one). Mixed pairs use the Z of each
/// type (set by <c>pair_coeff i i Z Z</c>), as LAMMPS does.
/// </summary>
public sealed class ZblPotential : PairwisePotential
{
    private const double Pzbl = 0.23, A0 = 0.46850;
    private const double C1 = 0.02817, C2 = 0.28022, C3 = 0.50986, C4 = 0.18175;
    private const double D1 = 0.20162, D2 = 0.40290, D3 = 0.94229, D4 = 3.19980;
    private readonly double _inner, _outer, _innerSq, _qqr2e, _angstrom;
    private readonly double[] _z, _zi, _zj;
    private readonly double[] _d1a, _d2a, _d3a, _d4a, _zze, _sw1, _sw2, _sw3, _sw4, _sw5;

    /// <summary>
    /// Creates the style; <paramref name="qqr2eQe2"/> is the unit system's qqr2e·qelectron² (metal: 14.399645) and
    /// <paramref name="angstrom"/> one Å in its distance unit.
    /// </summary>
    public ZblPotential(int types, double inner, double outer, double qqr2eQe2, double angstrom) : base(types)
    {
        if (!(inner > 0) || inner > outer) throw new UserInputException($"zbl needs 0 < inner <= outer, got inner {inner} outer {outer}");
        (_inner, _outer, _innerSq, _qqr2e, _angstrom) = (inner, outer, inner * inner, qqr2eQe2, angstrom);
        _z = new double[types];
        _zi = NewTable();
        _zj = NewTable();
        _d1a = NewTable();
        _d2a = NewTable();
        _d3a = NewTable();
        _d4a = NewTable();
        _zze = NewTable();
        _sw1 = NewTable();
        _sw2 = NewTable();
        _sw3 = NewTable();
        _sw4 = NewTable();
        _sw5 = NewTable();
    }

    public override string Name => "zbl";

    /// <summary>Sets the nuclear charges for types i, j (0-based); for i = j both must be equal (the type's Z).</summary>
    public void SetCoefficients(int i, int j, double zi, double zj)
    {
        if (i == j)
        {
            if (zi != zj) throw new UserInputException($"zbl: pair_coeff {i + 1} {j + 1} needs equal Z values (got {zi} and {zj})");
            _z[i] = zi;
        }
        _zi[i * TypeCount + j] = zi;
        _zj[i * TypeCount + j] = zj;
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        if (IsSet(i, j)) SetPair(i, j, _zi[i * TypeCount + j], _zj[i * TypeCount + j]);
        else SetPair(i, j, _z[i], _z[j]);
        return _outer;
    }

    private void SetPair(int i, int j, double zi, double zj)
    {
        var ainv = (Math.Pow(zi, Pzbl) + Math.Pow(zj, Pzbl)) / (A0 * _angstrom);
        Put(_d1a, i, j, D1 * ainv);
        Put(_d2a, i, j, D2 * ainv);
        Put(_d3a, i, j, D3 * ainv);
        Put(_d4a, i, j, D4 * ainv);
        Put(_zze, i, j, zi * zj * _qqr2e);
        var t = i * TypeCount + j;
        var tc = _outer - _inner;
        var fc = Energy(_outer, t);
        var fcp = Derivative(_outer, t);
        var fcpp = SecondDerivative(_outer, t);
        var swa = (-3.0 * fcp + tc * fcpp) / (tc * tc);
        var swb = (2.0 * fcp - tc * fcpp) / (tc * tc * tc);
        var swc = -fc + (tc / 2.0) * fcp - (tc * tc / 12.0) * fcpp;
        Put(_sw1, i, j, swa);
        Put(_sw2, i, j, swb);
        Put(_sw3, i, j, swa / 3.0);
        Put(_sw4, i, j, swb / 4.0);
        Put(_sw5, i, j, swc);
    }

    private double Energy(double r, int t)
    {
        var rinv = 1.0 / r;
        var sum = C1 * Math.Exp(-_d1a[t] * r);
        sum += C2 * Math.Exp(-_d2a[t] * r);
        sum += C3 * Math.Exp(-_d3a[t] * r);
        sum += C4 * Math.Exp(-_d4a[t] * r);
        return _zze[t] * sum * rinv;
    }

    private double Derivative(double r, int t)
    {
        double d1 = _d1a[t], d2 = _d2a[t], d3 = _d3a[t], d4 = _d4a[t];
        var rinv = 1.0 / r;
        double e1 = Math.Exp(-d1 * r), e2 = Math.Exp(-d2 * r), e3 = Math.Exp(-d3 * r), e4 = Math.Exp(-d4 * r);
        var sum = C1 * e1;
        sum += C2 * e2;
        sum += C3 * e3;
        sum += C4 * e4;
        var sumP = -C1 * d1 * e1;
        sumP -= C2 * d2 * e2;
        sumP -= C3 * d3 * e3;
        sumP -= C4 * d4 * e4;
        return _zze[t] * (sumP - sum * rinv) * rinv;
    }

    private double SecondDerivative(double r, int t)
    {
        double d1 = _d1a[t], d2 = _d2a[t], d3 = _d3a[t], d4 = _d4a[t];
        var rinv = 1.0 / r;
        double e1 = Math.Exp(-d1 * r), e2 = Math.Exp(-d2 * r), e3 = Math.Exp(-d3 * r), e4 = Math.Exp(-d4 * r);
        var sum = C1 * e1;
        sum += C2 * e2;
        sum += C3 * e3;
        sum += C4 * e4;
        var sumP = C1 * e1 * d1;
        sumP += C2 * e2 * d2;
        sumP += C3 * e3 * d3;
        sumP += C4 * e4 * d4;
        var sumPp = C1 * e1 * d1 * d1;
        sumPp += C2 * e2 * d2 * d2;
        sumPp += C3 * e3 * d3 * d3;
        sumPp += C4 * e4 * d4 * d4;
        return _zze[t] * (sumPp + 2.0 * sumP * rinv + 2.0 * sum * rinv * rinv) * rinv;
    }

    protected override double Pair(int t, double rsq, out double fpair)
    {
        var r = Math.Sqrt(rsq);
        var fp = Derivative(r, t);
        var e = Energy(r, t) + _sw5[t];
        if (rsq > _innerSq)
        {
            var s = r - _inner;
            fp += s * s * (_sw1[t] + _sw2[t] * s);
            e += s * s * s * (_sw3[t] + _sw4[t] * s);
        }
        fpair = fp * (-1.0 / r);
        return e;
    }
}
