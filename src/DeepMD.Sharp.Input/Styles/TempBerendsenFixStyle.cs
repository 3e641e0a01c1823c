namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID group temp/berendsen TSTART TSTOP TDAMP</c>.</summary>
[FixStyle("temp/berendsen")]
public sealed class TempBerendsenFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireExactly(3, "TSTART TSTOP TDAMP");
        return new FixTempBerendsen(id, args.Double(0, "Tstart"), args.Double(1, "Tstop"), args.Double(2, "Tdamp"));
    }
}
