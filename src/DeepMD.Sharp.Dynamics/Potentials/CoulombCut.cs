namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>pair_style coul/cut rc</c>: E = qqrd2e·qi·qj/r for r &lt; rc (cut Coulomb, no shift), charges from
/// atom_style charge. Unset pairs take the mixed cutoff.
/// </summary>
public sealed class CoulombCut : PairwisePotential
{
    private readonly double _globalCutoff, _qqrd2e;
    private readonly double[] _cut, _scale;

    /// <summary><paramref name="qqrd2e"/>: the unit system's qqr2e (metal 14.399645, real 332.06371, lj 1).</summary>
    public CoulombCut(int types, double globalCutoff, double qqrd2e) : base(types)
    {
        _globalCutoff = globalCutoff;
        _qqrd2e = qqrd2e;
        _cut = NewTable();
        _scale = NewTable();
    }

    public override string Name => "coul/cut";

    protected override bool UsesCharges => true;

    /// <summary>Sets the cutoff (null: the global one) for types i, j (0-based).</summary>
    public void SetCoefficients(int i, int j, double? cutoff = null)
    {
        Put(_cut, i, j, cutoff ?? _globalCutoff);
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        if (!IsSet(i, j)) Put(_cut, i, j, MixDistance(At(_cut, i, i), At(_cut, j, j)));
        Put(_scale, i, j, 1.0);
        return At(_cut, i, j);
    }

    protected override double Pair(int t, double rsq, out double fpair) => PairCharged(t, rsq, 1.0, 1.0, out fpair, out _);

    protected override double PairCharged(int t, double rsq, double qi, double qj, out double fpair, out double ecoul)
    {
        var r2inv = 1.0 / rsq;
        var rinv = Math.Sqrt(r2inv);
        var forcecoul = _qqrd2e * _scale[t] * qi * qj * rinv;
        fpair = forcecoul * r2inv;
        ecoul = _qqrd2e * _scale[t] * qi * qj * rinv;
        return ecoul;
    }
}
