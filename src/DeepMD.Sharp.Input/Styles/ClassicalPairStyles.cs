namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input.Commands;

/// <summary><c>pair_style zbl INNER OUTER</c>; <c>pair_coeff I J Zi Zj</c> (Zi = Zj when I = J).</summary>
[PairStyle("zbl")]
public sealed class ZblPairStyle : PairwisePairStyle<ZblPotential>
{
    private double _inner, _outer;

    public override void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(2, "INNER OUTER");
        _inner = args.Double(0, "inner cutoff");
        _outer = args.Double(1, "outer cutoff");
        if (!(_inner > 0) || _inner > _outer) throw args.Error($"Illegal pair_style command: needs 0 < inner <= outer (got {_inner} {_outer})");
    }

    protected override Action<ZblPotential, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 4, 4, "I J Zi Zj");
        var zi = args.Double(2, "Zi");
        var zj = args.Double(3, "Zj");
        var n = context.Simulation.TypeCount;
        var (ilo, ihi) = TypeRange.Parse(args, args[0], n);
        var (jlo, jhi) = TypeRange.Parse(args, args[1], n);
        if (zi != zj && Math.Max(ilo, jlo) <= Math.Min(ihi, jhi))
            throw args.Error($"Incorrect args for pair coefficients: zbl needs equal Z values for like types (types {args[0]} {args[1]} include I = J; got {zi} and {zj})");
        return (p, i, j) => p.SetCoefficients(i, j, zi, zj);
    }

    protected override ZblPotential Create(DeckContext context)
    {
        // qqr2e · qelectron² and one Å in the deck's distance unit (LAMMPS' force constants).
        var (qqr2e, angstrom) = context.Units.Name switch
        {
            "metal" => (14.399645, 1.0),
            "real" => (332.06371, 1.0),
            "lj" => (1.0, 1.0),
            var u => throw new UserInputException($"pair_style zbl: units {u} are not supported (use metal, real or lj)"),
        };
        return new ZblPotential(context.Simulation.TypeCount, _inner, _outer, qqr2e, angstrom);
    }
}

/// <summary><c>pair_style soft RC</c>; <c>pair_coeff I J A [RC]</c>.</summary>
[PairStyle("soft")]
public sealed class SoftPairStyle : PairwisePairStyle<SoftPotential>
{
    private double _cutoff;

    public override void Configure(DeckContext context, DeckArguments args) => _cutoff = GlobalCutoff(args);

    protected override Action<SoftPotential, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 3, 4, "I J A [RC]");
        var a = args.Double(2, "A");
        var rc = OptionalCutoff(args, 3);
        return (p, i, j) => p.SetCoefficients(i, j, a, rc);
    }

    protected override SoftPotential Create(DeckContext context) => new(context.Simulation.TypeCount, _cutoff);
}

/// <summary><c>pair_style morse RC</c>; <c>pair_coeff I J D0 ALPHA R0 [RC]</c>.</summary>
[PairStyle("morse")]
public sealed class MorsePairStyle : PairwisePairStyle<MorsePotential>
{
    private double _cutoff;

    public override void Configure(DeckContext context, DeckArguments args) => _cutoff = GlobalCutoff(args);

    protected override Action<MorsePotential, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 5, 6, "I J D0 ALPHA R0 [RC]");
        var d0 = args.Double(2, "D0");
        var alpha = args.Double(3, "alpha");
        var r0 = args.Double(4, "r0");
        var rc = OptionalCutoff(args, 5);
        return (p, i, j) => p.SetCoefficients(i, j, d0, alpha, r0, rc);
    }

    protected override MorsePotential Create(DeckContext context) => new(context.Simulation.TypeCount, _cutoff);
}

/// <summary><c>pair_style buck RC</c>; <c>pair_coeff I J A RHO C [RC]</c>.</summary>
[PairStyle("buck")]
public sealed class BuckPairStyle : PairwisePairStyle<BuckinghamPotential>
{
    private double _cutoff;

    public override void Configure(DeckContext context, DeckArguments args) => _cutoff = GlobalCutoff(args);

    protected override Action<BuckinghamPotential, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 5, 6, "I J A RHO C [RC]");
        var a = args.Double(2, "A");
        var rho = args.Double(3, "rho");
        if (!(rho > 0)) throw args.Error($"Incorrect args for pair coefficients: rho must be positive, got {rho}");
        var c = args.Double(4, "C");
        var rc = OptionalCutoff(args, 5);
        return (p, i, j) => p.SetCoefficients(i, j, a, rho, c, rc);
    }

    protected override BuckinghamPotential Create(DeckContext context) => new(context.Simulation.TypeCount, _cutoff);
}

/// <summary><c>pair_style born RC</c>; <c>pair_coeff I J A RHO SIGMA C D [RC]</c>.</summary>
[PairStyle("born")]
public sealed class BornPairStyle : PairwisePairStyle<BornPotential>
{
    private double _cutoff;

    public override void Configure(DeckContext context, DeckArguments args) => _cutoff = GlobalCutoff(args);

    protected override Action<BornPotential, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 7, 8, "I J A RHO SIGMA C D [RC]");
        var a = args.Double(2, "A");
        var rho = args.Double(3, "rho");
        if (!(rho > 0)) throw args.Error($"Incorrect args for pair coefficients: rho must be positive, got {rho}");
        var sigma = args.Double(4, "sigma");
        var c = args.Double(5, "C");
        var d = args.Double(6, "D");
        var rc = OptionalCutoff(args, 7);
        return (p, i, j) => p.SetCoefficients(i, j, a, rho, sigma, c, d, rc);
    }

    protected override BornPotential Create(DeckContext context) => new(context.Simulation.TypeCount, _cutoff);
}

/// <summary><c>pair_style lj/smooth/linear RC</c>; <c>pair_coeff I J EPSILON SIGMA [RC]</c>.</summary>
[PairStyle("lj/smooth/linear")]
public sealed class LjSmoothLinearPairStyle : PairwisePairStyle<LennardJonesSmoothLinear>
{
    private double _cutoff;

    public override void Configure(DeckContext context, DeckArguments args) => _cutoff = GlobalCutoff(args);

    protected override Action<LennardJonesSmoothLinear, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 4, 5, "I J EPSILON SIGMA [RC]");
        var eps = args.Double(2, "epsilon");
        var sig = args.Double(3, "sigma");
        var rc = OptionalCutoff(args, 4);
        return (p, i, j) => p.SetCoefficients(i, j, eps, sig, rc);
    }

    protected override LennardJonesSmoothLinear Create(DeckContext context) => new(context.Simulation.TypeCount, _cutoff);
}

/// <summary><c>pair_style table lookup|linear|spline N</c>; <c>pair_coeff I J FILE KEYWORD [RC]</c> (file relative to the deck).</summary>
[PairStyle("table")]
public sealed class TablePairStyle : PairwisePairStyle<TablePotential>
{
    private TableInterpolation _style;
    private int _length;

    public override void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "lookup|linear|spline N");
        _style = args[0] switch
        {
            "lookup" => TableInterpolation.Lookup,
            "linear" => TableInterpolation.Linear,
            "spline" => TableInterpolation.Spline,
            "bitmap" => throw args.Error("table style 'bitmap' is not supported; use linear or spline"),
            _ => throw args.Error($"Unknown table style '{args[0]}' in pair_style command (lookup, linear, spline)"),
        };
        _length = args.Int(1, "table length N");
        if (_length < 2) throw args.Error($"Illegal number of pair table entries: {_length}");
        if (args.Count > 2) throw args.Error($"keyword '{args[2]}' is not supported (table styles for long-range solvers)");
    }

    protected override Action<TablePotential, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 4, 5, "I J FILE KEYWORD [RC]");
        var file = context.InputPath(args[2]);
        var keyword = args[3];
        var rc = OptionalCutoff(args, 4);
        // Read once here so a bad file or keyword names this line; every type pair of the line shares the table.
        var probe = new TablePotential(1, _style, _length);
        try
        {
            probe.SetCoefficients(0, 0, file, keyword, rc);
        }
        catch (UserInputException ex)
        {
            throw args.Error(ex.Message);
        }
        return (p, i, j) => p.SetCoefficients(i, j, file, keyword, rc);
    }

    protected override TablePotential Create(DeckContext context) => new(context.Simulation.TypeCount, _style, _length);
}

/// <summary>LAMMPS' qqr2e (Coulomb constant) per unit style, with qelectron² (1 in these styles).</summary>
internal static class CoulombConstant
{
    public static double For(string units, string style) => units switch
    {
        "metal" => 14.399645,
        "real" => 332.06371,
        "lj" => 1.0,
        _ => throw new UserInputException($"pair_style {style}: units {units} are not supported (use metal, real or lj)"),
    };
}

/// <summary><c>pair_style coul/cut RC</c>; <c>pair_coeff I J [RC]</c>; needs <c>atom_style charge</c>.</summary>
[PairStyle("coul/cut")]
public sealed class CoulCutPairStyle : PairwisePairStyle<CoulombCut>
{
    private double _cutoff;

    public override void Configure(DeckContext context, DeckArguments args) => _cutoff = GlobalCutoff(args);

    protected override Action<CoulombCut, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 2, 3, "I J [RC]");
        var rc = OptionalCutoff(args, 2);
        return (p, i, j) => p.SetCoefficients(i, j, rc);
    }

    protected override CoulombCut Create(DeckContext context) =>
        new(context.Simulation.TypeCount, _cutoff, CoulombConstant.For(context.Units.Name, "coul/cut"));
}

/// <summary><c>pair_style lj/cut/coul/cut RC_LJ [RC_COUL]</c>; <c>pair_coeff I J EPSILON SIGMA [RC_LJ [RC_COUL]]</c>; needs <c>atom_style charge</c>.</summary>
[PairStyle("lj/cut/coul/cut")]
public sealed class LjCutCoulCutPairStyle : PairwisePairStyle<LennardJonesCutCoulombCut>
{
    private double _ljCutoff, _coulCutoff;

    public override void Configure(DeckContext context, DeckArguments args)
    {
        if (args.Count is < 1 or > 2) throw args.Error("Illegal pair_style command; needs: lj/cut/coul/cut RC_LJ [RC_COUL]");
        _ljCutoff = args.Double(0, "LJ cutoff");
        _coulCutoff = args.Count == 2 ? args.Double(1, "Coulomb cutoff") : _ljCutoff;
        if (!(_ljCutoff > 0) || !(_coulCutoff > 0)) throw args.Error("the cutoffs must be positive");
    }

    protected override Action<LennardJonesCutCoulombCut, int, int> ParseCoeff(DeckContext context, DeckArguments args)
    {
        CoeffCount(args, 4, 6, "I J EPSILON SIGMA [RC_LJ [RC_COUL]]");
        var eps = args.Double(2, "epsilon");
        var sig = args.Double(3, "sigma");
        var rcLj = OptionalCutoff(args, 4);
        double? rcCoul = args.Count > 5 ? args.Double(5, "Coulomb cutoff") : null;
        return (p, i, j) => p.SetCoefficients(i, j, eps, sig, rcLj, rcCoul);
    }

    protected override LennardJonesCutCoulombCut Create(DeckContext context) =>
        new(context.Simulation.TypeCount, _ljCutoff, _coulCutoff, CoulombConstant.For(context.Units.Name, "lj/cut/coul/cut"));
}
