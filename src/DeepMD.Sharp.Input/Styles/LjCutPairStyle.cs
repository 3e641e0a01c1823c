namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Potentials;

/// <summary><c>pair_style lj/cut RC</c>; <c>pair_coeff I J EPSILON SIGMA [RC]</c>.</summary>
[PairStyle("lj/cut")]
public sealed class LjCutPairStyle : PairwisePairStyle<LennardJonesCut>
{
    private double _cutoff;

    public override void Configure(DeckContext context, DeckArguments args) => _cutoff = GlobalCutoff(args);

    protected override Action<LennardJonesCut, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        if (args.Count is < 4 or > 5) throw args.Error("lj/cut needs: pair_coeff I J EPSILON SIGMA [RC]");
        var eps = args.Double(2, "epsilon");
        var sig = args.Double(3, "sigma");
        var rc = OptionalCutoff(args, 4);
        return (p, i, j) => p.SetCoefficients(i, j, eps, sig, rc);
    }

    protected override LennardJonesCut Create(DeckContext context) => new(context.Simulation.TypeCount, _cutoff);
}
