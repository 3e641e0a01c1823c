namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>echo none|screen|log|both</c>: accepted; commands are always echoed to the log only.</summary>
[DeckCommand("echo")]
public sealed class EchoCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "none|screen|log|both");
        if (args[0] is not ("none" or "screen" or "log" or "both")) throw args.UnknownKeyword(args[0], ["none", "screen", "log", "both"]);
    }
}
