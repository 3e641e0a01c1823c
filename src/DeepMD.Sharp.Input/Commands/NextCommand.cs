namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>next NAME ...</c>: advances index, loop, uloop, file (next line) and atomfile (next set) variables; when one is exhausted it is deleted and the next command is skipped.</summary>
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
            if (v.Style is not ("index" or "loop" or "uloop" or "file" or "atomfile")) throw new Core.Errors.UserInputException($"Invalid variable style with next command: variable '{name}' is {v.Style}-style (next works on index, loop, uloop, file and atomfile variables)");
            var more = true;
            if (v.Style == "atomfile") more = VariableCommand.AdvanceAtomFile(context, v);
            else v.Position++;
            if (!more || v.Position >= v.Values.Count && v.Style != "atomfile")
            {
                context.Variables.Remove(name);
                exhausted = true;
            }
        }
        if (exhausted) context.Runner.SkipNextCommand();
    }
}
