namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID all nvt temp TSTART TSTOP TDAMP [tchain N] [tloop N] [drag D]</c>.</summary>
[FixStyle("nvt")]
public sealed class NvtFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(4, "temp TSTART TSTOP TDAMP [tchain N] [tloop N] [drag D]");
        if (args[0] != "temp") throw args.UnknownKeyword(args[0], ["temp"]);
        double t0 = args.Double(1, "Tstart"), t1 = args.Double(2, "Tstop"), damp = args.Double(3, "Tdamp");
        int chain = 3, loops = 1;
        double drag = 0;
        for (var k = 4; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
            switch (args[k])
            {
                case "tchain": chain = args.Int(k + 1, "tchain"); break;
                case "tloop": loops = args.Int(k + 1, "tloop"); break;
                case "drag": drag = args.Double(k + 1, "drag"); break;
                default: throw args.UnknownKeyword(args[k], ["tchain", "tloop", "drag"]);
            }
        }
        return new FixNvt(id, t0, t1, damp, chain, loops, drag);
    }
}
