namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input.Commands;

/// <summary>The <c>pair_modify</c> settings of one pair style (LAMMPS' defaults: geometric mixing, no shift, no tail).</summary>
public sealed class PairModifySettings
{
    public PairMixRule Mix { get; set; } = PairMixRule.Geometric;

    public bool Shift { get; set; }

    public bool Tail { get; set; }

    /// <summary>Gives the settings to a built potential that has them (the classical pairwise styles, lj/cut).</summary>
    public void ApplyTo(IPotential potential)
    {
        if (Shift && Tail) throw new Core.Errors.UserInputException("Cannot have both pair_modify shift and tail set to yes");
        switch (potential)
        {
            case PairwisePotential p:
                (p.Mix, p.Shift, p.Tail) = (Mix, Shift, Tail);
                break;
            case LennardJonesCut lj:
                (lj.Mix, lj.Shift, lj.Tail) = (Mix, Shift, Tail);
                break;
        }
    }
}

/// <summary>A pair style that takes <c>pair_modify</c> settings.</summary>
public interface IModifiablePairStyle
{
    PairModifySettings Modify { get; }
}

/// <summary>A pair style that a hybrid style can restrict to some type pairs (0-based, i ≤ j).</summary>
public interface IRestrictablePairStyle
{
    Func<int, int, bool>? Restrict { get; set; }
}

/// <summary>
/// The deck side of a classical pairwise style: <c>pair_style NAME args</c> read by <see cref="Configure"/>,
/// <c>pair_coeff I J args</c> checked at once and kept per type pair (LAMMPS' loop: i over I's range, j ≥ i over J's),
/// applied to a fresh potential at <see cref="Build"/> with the <c>pair_modify</c> settings.
/// </summary>
public abstract class PairwisePairStyle<TPotential> : IPairStyle, IModifiablePairStyle, IRestrictablePairStyle
    where TPotential : IPotential
{
    private readonly List<(int I, int J, Action<TPotential, int, int> Set)> _coeffs = [];

    public PairModifySettings Modify { get; } = new();

    public Func<int, int, bool>? Restrict { get; set; }

    public abstract void Configure(DeckContext context, DeckArguments args);

    /// <summary>Checks the coefficient words (after I J) and returns how they are set for one type pair.</summary>
    protected abstract Action<TPotential, int, int> ParseCoeff(DeckContext context, DeckArguments args);

    /// <summary>A new potential for the deck's atom types, with the pair_style settings.</summary>
    protected abstract TPotential Create(DeckContext context);

    public void Coeff(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "I J args");
        var n = context.Simulation.TypeCount;
        var (ilo, ihi) = TypeRange.Parse(args, args[0], n);
        var (jlo, jhi) = TypeRange.Parse(args, args[1], n);
        var set = ParseCoeff(context, args);
        var count = 0;
        for (var i = ilo; i <= ihi; i++)
            for (var j = Math.Max(jlo, i); j <= jhi; j++)
            {
                _coeffs.Add((i - 1, j - 1, set));
                count++;
            }
        if (count == 0) throw args.Error($"Incorrect args for pair coefficients: no type pair I <= J in '{args[0]} {args[1]}'");
    }

    public IPotential Build(DeckContext context)
    {
        var p = Create(context);
        foreach (var c in _coeffs) c.Set(p, c.I, c.J);
        Modify.ApplyTo(p);
        switch (p)
        {
            case PairwisePotential pw:
                pw.Restrict = Restrict;
                break;
            case LennardJonesCut lj:
                lj.Restrict = Restrict;
                break;
        }
        _ = p.Cutoff; // checks that every type pair has coefficients
        return p;
    }

    /// <summary>The optional trailing cutoff of a pair_coeff line at word <paramref name="at"/>.</summary>
    protected static double? OptionalCutoff(DeckArguments args, int at) => args.Count > at ? args.Double(at, "cutoff") : null;

    /// <summary>Checks the number of pair_coeff words (I J included).</summary>
    protected static void CoeffCount(DeckArguments args, int min, int max, string usage)
    {
        if (args.Count < min || args.Count > max) throw args.Error($"Incorrect args for pair coefficients; needs: pair_coeff {usage}");
    }

    /// <summary>A positive global cutoff, the only pair_style argument.</summary>
    protected static double GlobalCutoff(DeckArguments args)
    {
        args.RequireExactly(1, "RC");
        var rc = args.Double(0, "cutoff");
        if (!(rc > 0)) throw args.Error("the cutoff must be positive");
        return rc;
    }
}
