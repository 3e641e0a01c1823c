namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID all nve</c>.</summary>
[FixStyle("nve")]
public sealed class NveFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count != 0) throw args.Error("takes no arguments");
        return new FixNve(id);
    }
}
