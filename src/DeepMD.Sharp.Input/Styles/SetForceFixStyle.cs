namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID GROUP setforce fx fy fz</c> with constant values or NULL (no variables, no region keyword).</summary>
[FixStyle("setforce")]
public sealed class SetForceFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(3, "fx fy fz");
        if (args.Count > 3) throw args.Error($"keyword '{args[3]}' is not supported (only fx fy fz)");
        double? Component(int i)
        {
            if (args[i] == "NULL") return null;
            if (args[i].StartsWith("v_", StringComparison.Ordinal)) throw args.Error($"variable force '{args[i]}' is not supported; give a number or NULL");
            return args.Double(i, "force component");
        }
        return new FixSetForce(id, Component(0), Component(1), Component(2));
    }
}
