namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>pair_style morse rc</c>: E = D0[e^(−2α(r−r0)) − 2e^(−α(r−r0))] for r &lt; rc. No mixing (every pair is set);
/// <c>pair_modify shift yes</c> subtracts E(rc).
/// </summary>
public sealed class MorsePotential : PairwisePotential
{
    private readonly double _globalCutoff;
    private readonly double[] _d0, _alpha, _r0, _cut, _morse1;

    public MorsePotential(int types, double globalCutoff) : base(types)
    {
        _globalCutoff = globalCutoff;
        _d0 = NewTable();
        _alpha = NewTable();
        _r0 = NewTable();
        _cut = NewTable();
        _morse1 = NewTable();
    }

    public override string Name => "morse";

    public override bool SupportsShift => true;

    protected override bool CanMix => false;

    /// <summary>Sets D0, α, r0 and the cutoff (null: the global one) for types i, j (0-based).</summary>
    public void SetCoefficients(int i, int j, double d0, double alpha, double r0, double? cutoff = null)
    {
        Put(_d0, i, j, d0);
        Put(_alpha, i, j, alpha);
        Put(_r0, i, j, r0);
        Put(_cut, i, j, cutoff ?? _globalCutoff);
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        Put(_morse1, i, j, 2.0 * At(_d0, i, j) * At(_alpha, i, j));
        return At(_cut, i, j);
    }

    protected override double OffsetAt(int i, int j, double cut)
    {
        var alphaDr = -At(_alpha, i, j) * (cut - At(_r0, i, j));
        return At(_d0, i, j) * (Math.Exp(2.0 * alphaDr) - 2.0 * Math.Exp(alphaDr));
    }

    protected override double Pair(int t, double rsq, out double fpair)
    {
        var r = Math.Sqrt(rsq);
        var dr = r - _r0[t];
        var dexp = Math.Exp(-_alpha[t] * dr);
        fpair = _morse1[t] * (dexp * dexp - dexp) / r;
        return _d0[t] * (dexp * dexp - 2.0 * dexp);
    }
}
