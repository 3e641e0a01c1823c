namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>log FILE [append]</c> or <c>log none</c>: switches the log file.</summary>
[DeckCommand("log")]
public sealed class LogCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "FILE [append] | none");
        context.Log?.Dispose();
        context.Log = null;
        if (args[0] == "none" || !context.IsRootRank) return; // under mpirun rank 0 alone writes the log
        var append = args.Count > 1 && args[1] == "append";
        var w = Core.Files.OutputLock.OpenWriter(context.OutputPath(args[0]), append, "log file");
        w.AutoFlush = true;
        w.NewLine = "\n";
        context.Log = w;
    }
}
