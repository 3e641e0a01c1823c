namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>pair_coeff I J args</c>: passed to the current pair style.</summary>
[DeckCommand("pair_coeff")]
public sealed class PairCoeffCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        var style = context.PairStyle ?? throw args.Error("pair_coeff before pair_style; add pair_style first");
        _ = context.Simulation;
        style.Coeff(context, args);
        context.Simulation.Potential = null;
    }
}
