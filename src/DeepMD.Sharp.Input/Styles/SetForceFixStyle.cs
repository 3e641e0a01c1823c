namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID GROUP setforce fx fy fz</c>: constants, NULL, or equal-/atom-style variables <c>v_name</c> (no region keyword).</summary>
[FixStyle("setforce")]
public sealed class SetForceFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(3, "fx fy fz");
        if (args.Count > 3) throw args.Error($"keyword '{args[3]}' is not supported (only fx fy fz)");
        var v = ForceFixArguments.Components(context, args, "setforce", allowNull: true);
        return new FixSetForce(id, v[0], v[1], v[2]);
    }
}
