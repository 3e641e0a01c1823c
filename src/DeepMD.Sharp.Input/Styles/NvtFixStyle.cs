namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID all nvt temp TSTART TSTOP TDAMP [tchain N] [tloop N] [drag D]</c>.</summary>
[FixStyle("nvt")]
public sealed class NvtFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(4, "temp TSTART TSTOP TDAMP [tchain N] [tloop N] [drag D]");
        return new FixNvt(id, NoseHooverArguments.Parse(context, args));
    }
}
