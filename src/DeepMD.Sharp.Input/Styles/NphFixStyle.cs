namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID all nph iso|aniso|tri PSTART PSTOP PDAMP [keywords]</c>.</summary>
[FixStyle("nph")]
public sealed class NphFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(4, "iso|aniso|tri PSTART PSTOP PDAMP [keywords]");
        return new FixNph(id, NoseHooverArguments.Parse(context, args));
    }
}
