namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>next NAME ...</c>: advances index/loop variables; when one is exhausted it is deleted and the next command is skipped.</summary>
[DeckCommand("next")]
public sealed class NextCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "NAME [NAME ...]");
        var exhausted = false;
        foreach (var name in args.Words)
        {
            if (!context.Variables.TryGetValue(name, out var v)) throw args.Error($"variable '{name}' is not defined");
            if (v.Style is not ("index" or "loop")) throw args.Error($"variable '{name}' is {v.Style}-style; next works on index and loop variables");
            v.Position++;
            if (v.Position >= v.Values.Count)
            {
                context.Variables.Remove(name);
                exhausted = true;
            }
        }
        if (exhausted) context.Runner.SkipNextCommand();
    }
}
