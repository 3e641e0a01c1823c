namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Fixes;

/// <summary><c>fix ID group print N "text" [file F] [append F] [screen yes|no] [title T]</c> (<see cref="FixPrint"/>).</summary>
[FixStyle("print")]
public sealed class PrintFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(2, "N \"text\" [file F | append F] [screen yes|no] [title T]");
        var every = args.Int(0, "N");
        if (every <= 0) throw args.Error($"N must be positive, got {every}");
        if (args[1].StartsWith("v_", StringComparison.Ordinal) && args.Count == 2)
            throw args.Error("a variable as N (v_name) is not supported yet; give a number of steps");
        string? file = null, title = null;
        var append = false;
        var screen = true;
        for (var k = 2; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
            switch (args[k])
            {
                case "file": file = args[k + 1]; append = false; break;
                case "append": file = args[k + 1]; append = true; break;
                case "screen": screen = args.YesNo(k + 1, "screen"); break;
                case "title": title = args[k + 1]; break;
                default: throw args.UnknownKeyword(args[k], ["file", "append", "screen", "title"]);
            }
        }
        StreamWriter? writer = null;
        if (file is not null)
        {
            writer = context.IsRootRank
                ? Core.Files.OutputLock.OpenWriter(context.OutputPath(file), append, $"fix {id} print file", new System.Text.UTF8Encoding(false))
                : StreamWriter.Null;
            writer.NewLine = "\n";
        }
        return new FixPrint(id, context, every, args[1], writer, screen, title);
    }
}
