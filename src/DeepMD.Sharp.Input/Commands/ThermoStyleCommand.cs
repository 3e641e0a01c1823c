namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Text;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary><c>thermo_style one | multi | custom KEYWORD ...</c>.</summary>
[DeckCommand("thermo_style")]
public sealed class ThermoStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "one|multi|custom KEYWORD ...");
        var t = context.Thermo;
        // LAMMPS makes a new thermo output: earlier thermo_modify settings (formats, norm) are gone.
        t.FloatFormat = "%12.8g";
        t.IntFormat = "%8d";
        t.FloatFormatSet = t.IntFormatSet = false;
        t.LineFormats = null;
        t.ColumnFormats.Clear();
        t.Normalize = null;
        switch (args[0])
        {
            case "one":
                t.Multi = false;
                t.Custom = false;
                t.Keywords = [.. ThermoKeywords.One];
                break;
            case "multi":
                t.Multi = true;
                t.Custom = false;
                break;
            case "custom":
                args.RequireAtLeast(2, "custom KEYWORD ...");
                var list = new List<string>();
                foreach (var w in args.Words.Skip(1))
                {
                    if ((w.StartsWith("c_", StringComparison.Ordinal) || w.StartsWith("f_", StringComparison.Ordinal)) && w.Length > 2)
                    {
                        // A compute or fix value, found when the run starts (LAMMPS checks it at init); c_ID[*] expands now.
                        if (w.Contains('*')) list.AddRange(Computes.ComputeReferences.Expand(context, [w], vectorMode: false));
                        else list.Add(w);
                        continue;
                    }
                    if (w.StartsWith("v_", StringComparison.Ordinal) && w.Length > 2)
                    {
                        // An equal-style variable, evaluated at each output (LAMMPS checks it when the run starts).
                        list.Add(w);
                        continue;
                    }
                    if (!ThermoKeywords.TryGet(w, out _))
                    {
                        var close = EditDistance.Closest(w, ThermoKeywords.Names);
                        throw args.Error($"unknown thermo keyword '{w}'{(close is null ? "" : $"; did you mean '{close}'?")}");
                    }
                    list.Add(w);
                }
                t.Multi = false;
                t.Custom = true;
                t.Keywords = list;
                break;
            default:
                throw args.UnknownKeyword(args[0], ["one", "multi", "custom"]);
        }
    }
}
