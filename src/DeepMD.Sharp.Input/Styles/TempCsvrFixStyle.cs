namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID group temp/csvr TSTART TSTOP TDAMP SEED</c>.</summary>
[FixStyle("temp/csvr")]
public sealed class TempCsvrFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireExactly(4, "TSTART TSTOP TDAMP SEED");
        return new FixTempCsvr(id, args.Double(0, "Tstart"), args.Double(1, "Tstop"), args.Double(2, "Tdamp"), args.Int(3, "seed"));
    }
}
