namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID all langevin TSTART TSTOP TDAMP SEED</c> (no options yet).</summary>
[FixStyle("langevin")]
public sealed class LangevinFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(4, "TSTART TSTOP TDAMP SEED");
        if (args.Count > 4) throw args.Error($"fix langevin options ({args[4]} ...) are not supported yet");
        return new FixLangevin(id, args.Double(0, "Tstart"), args.Double(1, "Tstop"), args.Double(2, "Tdamp"), args.Int(3, "seed"));
    }
}
