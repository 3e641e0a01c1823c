namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Text;

/// <summary><c>pair_style NAME args</c>: looks the style up in the registry and lets it read its arguments.</summary>
[DeckCommand("pair_style")]
public sealed class PairStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "NAME [args]");
        var style = context.Styles.CreatePairStyle(args[0]);
        if (style is null)
        {
            var close = EditDistance.Closest(args[0], context.Styles.PairStyleNames);
            throw args.Error($"unknown pair style '{args[0]}'{(close is null ? "" : $"; did you mean '{close}'?")} (available: {string.Join(" ", context.Styles.PairStyleNames)})");
        }
        style.Configure(context, args.From(1));
        context.PairStyle = style;
        context.PairStyleName = args[0];
        if (context.HasSimulation) context.Simulation.Potential = null;
    }
}
