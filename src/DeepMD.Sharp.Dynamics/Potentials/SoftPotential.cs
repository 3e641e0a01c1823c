namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>pair_style soft rc</c>: E = A[1 + cos(πr/rc)] for r &lt; rc. Unset pairs take A = √(Ai·Aj) (always geometric,
/// as LAMMPS) and the mixed cutoff.
/// </summary>
public sealed class SoftPotential : PairwisePotential
{
    private readonly double _globalCutoff;
    private readonly double[] _a, _cut;

    public SoftPotential(int types, double globalCutoff) : base(types)
    {
        _globalCutoff = globalCutoff;
        _a = NewTable();
        _cut = NewTable();
    }

    public override string Name => "soft";

    /// <summary>Sets A and the cutoff (null: the global one) for types i, j (0-based).</summary>
    public void SetCoefficients(int i, int j, double a, double? cutoff = null)
    {
        Put(_a, i, j, a);
        Put(_cut, i, j, cutoff ?? _globalCutoff);
        MarkSet(i, j);
    }

    /// <inheritdoc />
    public override double[]? AdaptableTable(string name) => name == "a" ? _a : null;

    /// <inheritdoc />
    public override IReadOnlyList<string> AdaptableNames => ["a"];

    protected override double InitPair(int i, int j)
    {
        if (!IsSet(i, j))
        {
            Put(_a, i, j, Math.Sqrt(At(_a, i, i) * At(_a, j, j)));
            Put(_cut, i, j, MixDistance(At(_cut, i, i), At(_cut, j, j)));
        }
        return At(_cut, i, j);
    }

    protected override double Pair(int t, double rsq, out double fpair)
    {
        var r = Math.Sqrt(rsq);
        var arg = Math.PI * r / _cut[t];
        fpair = r > 0.0 ? _a[t] * Math.Sin(arg) * Math.PI / _cut[t] / r : 0.0;
        return _a[t] * (1.0 + Math.Cos(arg));
    }
}
