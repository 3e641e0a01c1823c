namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID all npt temp TSTART TSTOP TDAMP iso|aniso|tri PSTART PSTOP PDAMP [keywords]</c>.</summary>
[FixStyle("npt")]
public sealed class NptFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(8, "temp TSTART TSTOP TDAMP iso|aniso|tri PSTART PSTOP PDAMP [keywords]");
        return new FixNpt(id, NoseHooverArguments.Parse(context, args));
    }
}
