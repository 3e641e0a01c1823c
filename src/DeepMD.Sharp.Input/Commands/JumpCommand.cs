namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>jump SELF [LABEL]</c>: continue after a label of the current file (loops with next).</summary>
[DeckCommand("jump")]
public sealed class JumpCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "SELF [LABEL]");
        if (args[0] != "SELF") throw args.Error("only 'jump SELF [label]' is supported (jumping to another file is not)");
        if (args.Count > 1) context.Runner.JumpToLabel(args[1]);
        else context.Runner.JumpToStart();
    }
}
