namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input.Commands;

/// <summary><c>pair_style lj/cut RC</c>; <c>pair_coeff I J EPSILON SIGMA [RC]</c>.</summary>
[PairStyle("lj/cut")]
public sealed class LjCutPairStyle : IPairStyle
{
    private double _cutoff;
    private readonly List<(int I, int J, double Eps, double Sig, double? Rc)> _coeffs = [];

    public void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "RC");
        _cutoff = args.Double(0, "cutoff");
        if (!(_cutoff > 0)) throw args.Error("the cutoff must be positive");
    }

    public void Coeff(DeckContext context, DeckArguments args)
    {
        if (args.Count is < 4 or > 5) throw args.Error("lj/cut needs: pair_coeff I J EPSILON SIGMA [RC]");
        var n = context.Simulation.TypeCount;
        var (ilo, ihi) = TypeRange.Parse(args, args[0], n);
        var (jlo, jhi) = TypeRange.Parse(args, args[1], n);
        var eps = args.Double(2, "epsilon");
        var sig = args.Double(3, "sigma");
        double? rc = args.Count == 5 ? args.Double(4, "cutoff") : null;
        for (var i = ilo; i <= ihi; i++)
            for (var j = Math.Max(jlo, i); j <= jhi; j++)
                _coeffs.Add((i - 1, j - 1, eps, sig, rc));
    }

    public IPotential Build(DeckContext context)
    {
        var lj = new LennardJonesCut(context.Simulation.TypeCount, _cutoff);
        foreach (var c in _coeffs) lj.SetCoefficients(c.I, c.J, c.Eps, c.Sig, c.Rc);
        _ = lj.Cutoff; // checks that every type pair has coefficients
        return lj;
    }
}
