namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>neighbor SKIN bin|nsq</c>: the skin distance (the build method is always a cell list).</summary>
[DeckCommand("neighbor")]
public sealed class NeighborCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(2, "SKIN bin|nsq|multi");
        var skin = args.Double(0, "skin");
        if (skin < 0) throw args.Error("the skin must not be negative");
        if (args[1] is not ("bin" or "nsq" or "multi")) throw args.UnknownKeyword(args[1], ["bin", "nsq", "multi"]);
        context.SetSkin(skin);
    }
}
