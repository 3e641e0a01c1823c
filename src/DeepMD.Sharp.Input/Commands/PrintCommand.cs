namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>print TEXT [screen yes|no]</c>: variables in quoted text are substituted when printing.</summary>
[DeckCommand("print")]
public sealed class PrintCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "TEXT");
        var text = context.Runner.Substitute(args[0].Replace("'", "\u0001").Replace("\"", "\u0002")).Replace("\u0001", "'").Replace("\u0002", "\"");
        var screen = true;
        for (var k = 1; k + 1 < args.Count; k += 2)
        {
            if (args[k] == "screen") screen = args.YesNo(k + 1, "screen");
            else if (args[k] is "file" or "append" or "universe") throw args.Error($"keyword '{args[k]}' is not supported yet");
            else throw args.UnknownKeyword(args[k], ["screen"]);
        }
        if (screen) context.Out.WriteLine(text);
        else context.Log?.WriteLine(text);
    }
}
