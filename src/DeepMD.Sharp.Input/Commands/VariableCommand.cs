namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Input.Parsing;

/// <summary>
/// <c>variable NAME index|loop|equal|string|delete ...</c>: index and loop variables keep their first definition
/// (as in LAMMPS, so a command-line value wins), equal and string are redefined.
/// </summary>
[DeckCommand("variable")]
public sealed class VariableCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "NAME STYLE args");
        var name = args[0];
        var style = args[1];
        var vars = context.Variables;
        switch (style)
        {
            case "delete":
                vars.Remove(name);
                return;
            case "index":
                args.RequireAtLeast(3, "NAME index value1 [value2 ...]");
                if (vars.ContainsKey(name)) return;
                vars[name] = new DeckVariable { Name = name, Style = style, Values = args.Words.Skip(2).ToList() };
                return;
            case "loop":
            {
                args.RequireAtLeast(3, "NAME loop N | NAME loop N1 N2 [pad]");
                if (vars.ContainsKey(name)) return;
                int lo = 1, hi = args.Int(2, "loop count");
                if (args.Count >= 4 && args[3] != "pad")
                {
                    lo = hi;
                    hi = args.Int(3, "loop end");
                }
                var pad = args.Words.Contains("pad");
                var width = hi.ToString(CultureInfo.InvariantCulture).Length;
                var values = Enumerable.Range(lo, Math.Max(0, hi - lo + 1))
                    .Select(v => pad ? v.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0') : v.ToString(CultureInfo.InvariantCulture)).ToList();
                vars[name] = new DeckVariable { Name = name, Style = style, Values = values };
                return;
            }
            case "equal" or "string":
                args.RequireAtLeast(3, $"NAME {style} TEXT");
                vars[name] = new DeckVariable { Name = name, Style = style, Values = [string.Join(" ", args.Words.Skip(2))] };
                return;
            default:
                throw args.UnknownKeyword(style, ["index", "loop", "equal", "string", "delete"]);
        }
    }
}
