namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>thermo_modify norm yes|no [flush yes|no] [lost error|warn|ignore] [lost/bond error|warn|ignore] [format float|int FMT] [temp ID]</c> (a lost atom or bond stops the run whatever lost says).</summary>
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
                    if (k + 2 >= args.Count) throw args.Error("format needs: format float|int FORMAT");
                    _ = IO.CFormat.Printf(args[k + 2], 1.0);
                    if (args[k + 1] == "float") context.Thermo.FloatFormat = args[k + 2];
                    else if (args[k + 1] == "int") context.Thermo.IntFormat = args[k + 2];
                    else throw args.Error("only 'format float FMT' and 'format int FMT' are supported");
                    k++;
                    break;
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
