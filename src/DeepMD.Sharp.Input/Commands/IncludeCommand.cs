namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>include FILE</c>: runs another deck file, then continues here.</summary>
[DeckCommand("include")]
public sealed class IncludeCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "FILE");
        var path = context.InputPath(args[0]);
        if (!File.Exists(path)) throw args.Error($"file '{args[0]}' does not exist");
        context.Runner.RunFile(path);
    }
}
