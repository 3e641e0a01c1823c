namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>thermo_modify norm yes|no [flush yes|no] [lost error|warn|ignore] [lost/bond error|warn|ignore] [format float|int|line|N FMT | format none] [temp ID]</c> (a lost atom or bond stops the run whatever lost says).</summary>
[DeckCommand("thermo_modify")]
public sealed class ThermoModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        for (var k = 0; k < args.Count; k += 2)
        {
            if (k + 1 >= args.Count) throw args.Error($"keyword '{args[k]}' needs a value");
            switch (args[k])
            {
                case "norm": context.Thermo.Normalize = args.YesNo(k + 1, "norm"); break;
                case "flush": break; // output is flushed at every line
                case "format":
                {
                    var t = context.Thermo;
                    if (args[k + 1] == "none")
                    {
                        (t.FloatFormat, t.IntFormat, t.FloatFormatSet, t.IntFormatSet, t.LineFormats) = ("%12.8g", "%8d", false, false, null);
                        t.ColumnFormats.Clear();
                        break;
                    }
                    if (k + 2 >= args.Count) throw new Core.Errors.UserInputException("Illegal thermo_modify command");
                    var format = args[k + 2];
                    if (args[k + 1] == "line")
                    {
                        var words = format.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        foreach (var w in words) _ = IO.CFormat.Printf(w, 1.0);
                        t.LineFormats = words;
                    }
                    else if (args[k + 1] == "float")
                    {
                        _ = IO.CFormat.Printf(format, 1.0);
                        (t.FloatFormat, t.FloatFormatSet) = (format, true);
                    }
                    else if (args[k + 1] == "int")
                    {
                        if (!format.Contains('d')) throw new Core.Errors.UserInputException("Thermo_modify int format does not contain d character");
                        _ = IO.CFormat.Printf(format, 1.0);
                        (t.IntFormat, t.IntFormatSet) = (format, true);
                    }
                    else
                    {
                        // a column number: 1..the number of columns (LAMMPS checks against its fields at this point)
                        if (!int.TryParse(args[k + 1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var column)
                            || column < 1 || column > t.Keywords.Count + 1)
                            throw new Core.Errors.UserInputException("Illegal thermo_modify command");
                        _ = IO.CFormat.Printf(format, 1.0);
                        t.ColumnFormats[column - 1] = format;
                    }
                    k++;
                    break;
                }
                case "temp":
                {
                    var id = args[k + 1];
                    var c = context.Simulation.FindCompute(id)
                        ?? (id == "thermo_temp" ? Computes.ComputeReferences.FindCompute(context, id, "thermo_modify") : null)
                        ?? throw new Core.Errors.UserInputException($"Could not find thermo_modify temperature ID {id}");
                    if (c is not Dynamics.Computes.TemperatureCompute) throw new Core.Errors.UserInputException($"Thermo_modify temperature ID does not compute temperature: compute {id} is {c.Style}");
                    if (!c.Group.IsAll) context.Out.WriteLine("WARNING: Temperature for thermo pressure is not for group all");
                    context.Thermo.TemperatureCompute = id;
                    break;
                }
                case "lost" or "lost/bond":
                    // dpsharp stops the run at a lost atom or a bond with a missing atom whatever the setting (LAMMPS'
                    // warn/ignore drop the atom and go on); decks that lose none run as in LAMMPS
                    if (args[k + 1] is not ("error" or "warn" or "ignore")) throw new Core.Errors.UserInputException("Illegal thermo_modify command");
                    break;
                default: throw args.UnknownKeyword(args[k], ["norm", "flush", "lost", "lost/bond", "format", "temp"]);
            }
        }
    }
}
