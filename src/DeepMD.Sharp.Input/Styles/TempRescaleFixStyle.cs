namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID group temp/rescale N TSTART TSTOP WINDOW FRACTION</c>.</summary>
[FixStyle("temp/rescale")]
public sealed class TempRescaleFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireExactly(5, "N TSTART TSTOP WINDOW FRACTION");
        return new FixTempRescale(id, args.Int(0, "N"), args.Double(1, "Tstart"), args.Double(2, "Tstop"), args.Double(3, "window"), args.Double(4, "fraction"));
    }
}
