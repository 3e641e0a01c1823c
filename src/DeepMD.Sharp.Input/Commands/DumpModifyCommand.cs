namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>dump_modify ID element E1 E2 ... | every N | sort id | flush yes</c>.</summary>
[DeckCommand("dump_modify")]
public sealed class DumpModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "ID keyword value ...");
        if (!context.Dumps.TryGetValue(args[0], out var d)) throw args.Error($"no dump with id '{args[0]}'");
        var k = 1;
        while (k < args.Count)
        {
            switch (args[k])
            {
                case "element":
                    var n = context.Simulation.TypeCount;
                    if (k + n >= args.Count + 0 && args.Count - k - 1 < n) throw args.Error($"element needs {n} names (one per atom type)");
                    d.Elements = args.Words.Skip(k + 1).Take(n).ToArray();
                    k += n + 1;
                    break;
                case "every":
                    d.Every = args.Int(k + 1, "every");
                    k += 2;
                    break;
                case "sort":
                    if (args[k + 1] is not ("id" or "off")) throw args.Error("only 'sort id' is supported (atoms are always in id order)");
                    k += 2;
                    break;
                case "flush" or "first" or "pbc":
                    k += 2;
                    break;
                default:
                    throw args.UnknownKeyword(args[k], ["element", "every", "sort", "flush"]);
            }
        }
    }
}
