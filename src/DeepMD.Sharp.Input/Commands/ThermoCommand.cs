namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>thermo N</c>: print thermo every N steps (0: first and last step of each run).</summary>
[DeckCommand("thermo")]
public sealed class ThermoCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "N");
        var n = args.Int(0, "thermo interval");
        if (n < 0) throw args.Error("the interval must not be negative");
        context.Thermo.Every = n;
    }
}
