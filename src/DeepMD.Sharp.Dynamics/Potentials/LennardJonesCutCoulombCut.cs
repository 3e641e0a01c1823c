namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>pair_style lj/cut/coul/cut rc_lj [rc_coul]</c>: 12-6 Lennard-Jones within rc_lj plus cut Coulomb qqrd2e·qi·qj/r
/// within rc_coul, each with its own cutoff per type pair; mixing, <c>pair_modify shift</c> (of the LJ part) and
/// <c>tail</c> (of the LJ part) as LAMMPS.
/// </summary>
public sealed class LennardJonesCutCoulombCut : PairwisePotential
{
    private readonly double _ljCutoff, _coulCutoff, _qqrd2e;
    private readonly double[] _epsilon, _sigma, _cutLj, _cutCoul, _cutLjSq, _cutCoulSq, _lj1, _lj2, _lj3, _lj4, _ljOffset;

    public LennardJonesCutCoulombCut(int types, double ljCutoff, double coulCutoff, double qqrd2e) : base(types)
    {
        (_ljCutoff, _coulCutoff, _qqrd2e) = (ljCutoff, coulCutoff, qqrd2e);
        _epsilon = NewTable();
        _sigma = NewTable();
        _cutLj = NewTable();
        _cutCoul = NewTable();
        _cutLjSq = NewTable();
        _cutCoulSq = NewTable();
        _lj1 = NewTable();
        _lj2 = NewTable();
        _lj3 = NewTable();
        _lj4 = NewTable();
        _ljOffset = NewTable();
    }

    public override string Name => "lj/cut/coul/cut";

    public override bool SupportsShift => true;

    public override bool SupportsTail => true;

    protected override bool UsesCharges => true;

    /// <summary>Sets ε, σ and the cutoffs (null: global; a single LJ cutoff also sets the Coulomb one, as LAMMPS) for types i, j (0-based).</summary>
    public void SetCoefficients(int i, int j, double epsilon, double sigma, double? ljCutoff = null, double? coulCutoff = null)
    {
        Put(_epsilon, i, j, epsilon);
        Put(_sigma, i, j, sigma);
        Put(_cutLj, i, j, ljCutoff ?? _ljCutoff);
        Put(_cutCoul, i, j, coulCutoff ?? ljCutoff ?? _coulCutoff);
        MarkSet(i, j);
    }

    protected override double InitPair(int i, int j)
    {
        if (!IsSet(i, j))
        {
            Put(_epsilon, i, j, MixEnergy(At(_epsilon, i, i), At(_epsilon, j, j), At(_sigma, i, i), At(_sigma, j, j)));
            Put(_sigma, i, j, MixDistance(At(_sigma, i, i), At(_sigma, j, j)));
            Put(_cutLj, i, j, MixDistance(At(_cutLj, i, i), At(_cutLj, j, j)));
            Put(_cutCoul, i, j, MixDistance(At(_cutCoul, i, i), At(_cutCoul, j, j)));
        }
        double eps = At(_epsilon, i, j), sig = At(_sigma, i, j), cutLj = At(_cutLj, i, j), cutCoul = At(_cutCoul, i, j);
        var cut = Math.Max(cutLj, cutCoul);
        Put(_cutLjSq, i, j, cutLj * cutLj);
        Put(_cutCoulSq, i, j, cutCoul * cutCoul);
        Put(_lj1, i, j, 48.0 * eps * Math.Pow(sig, 12.0));
        Put(_lj2, i, j, 24.0 * eps * Math.Pow(sig, 6.0));
        Put(_lj3, i, j, 4.0 * eps * Math.Pow(sig, 12.0));
        Put(_lj4, i, j, 4.0 * eps * Math.Pow(sig, 6.0));
        var offset = 0.0;
        if (Shift && cutLj > 0.0)
        {
            var ratio = sig / cutLj;
            offset = 4.0 * eps * (Math.Pow(ratio, 12.0) - Math.Pow(ratio, 6.0));
        }
        Put(_ljOffset, i, j, offset);
        return cut;
    }

    protected override (double Energy, double Pressure) TailTerms(int i, int j, double ni, double nj)
    {
        double eps = At(_epsilon, i, j), sig = At(_sigma, i, j), rc = At(_cutLj, i, j);
        var sig2 = sig * sig;
        var sig6 = sig2 * sig2 * sig2;
        var rc3 = rc * rc * rc;
        var rc6 = rc3 * rc3;
        var rc9 = rc3 * rc6;
        return (8.0 * Math.PI * ni * nj * eps * sig6 * (sig6 - 3.0 * rc6) / (9.0 * rc9),
            16.0 * Math.PI * ni * nj * eps * sig6 * (2.0 * sig6 - 3.0 * rc6) / (9.0 * rc9));
    }

    protected override double Pair(int t, double rsq, out double fpair) => PairCharged(t, rsq, 1.0, 1.0, out fpair, out _);

    protected override double PairCharged(int t, double rsq, double qi, double qj, out double fpair, out double ecoul)
    {
        var r2inv = 1.0 / rsq;
        double forcecoul = 0, forcelj = 0, evdwl = 0;
        ecoul = 0;
        if (rsq < _cutCoulSq[t])
        {
            forcecoul = _qqrd2e * qi * qj * Math.Sqrt(r2inv);
            ecoul = _qqrd2e * qi * qj * Math.Sqrt(r2inv);
        }
        if (rsq < _cutLjSq[t])
        {
            var r6inv = r2inv * r2inv * r2inv;
            forcelj = r6inv * (_lj1[t] * r6inv - _lj2[t]);
            evdwl = r6inv * (_lj3[t] * r6inv - _lj4[t]) - _ljOffset[t];
        }
        fpair = (forcecoul + forcelj) * r2inv;
        return ecoul + evdwl;
    }
}
