namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>dimension 2|3</c> before the box exists, as LAMMPS: 3 is the default; 2 makes a 2-d system (2-d lattices, z
/// periodic, 2N − 2 degrees of freedom, pressure per area, no neighbor images along z; see <see cref="Dynamics.Simulation.Dimension"/>).
/// </summary>
[DeckCommand("dimension")]
public sealed class DimensionCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count != 1) throw new UserInputException("Illegal dimension command");
        if (context.HasSimulation) throw new UserInputException("Dimension command after simulation box is defined");
        context.Dimension = args[0] switch
        {
            "3" => 3,
            "2" => 2,
            _ => throw new UserInputException("Illegal dimension command"),
        };
    }
}

/// <summary>
/// <c>newton on|off [on|off]</c>: whether pair (and bond) forces on ghost atoms are sent back to their owners. A serial
/// dpsharp run computes each pair once either way, so the setting changes nothing but is checked as LAMMPS checks it.
/// </summary>
[DeckCommand("newton")]
public sealed class NewtonCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        static bool OnOff(string w) => w switch
        {
            "on" => true,
            "off" => false,
            _ => throw new UserInputException("Illegal newton command"),
        };
        if (args.Count is < 1 or > 2) throw new UserInputException("Illegal newton command");
        OnOff(args[0]);
        var bond = OnOff(args[args.Count - 1]);
        if (context.HasSimulation && bond != context.NewtonBond) throw new UserInputException("Newton bond change after simulation box is defined");
        context.NewtonBond = bond;
    }
}

/// <summary>
/// <c>comm_modify</c>: how ghost atoms are communicated between processors (mode, cutoff, group, vel). One process
/// has no neighbours to talk to, so the settings are checked and kept nowhere.
/// </summary>
[DeckCommand("comm_modify")]
public sealed class CommModifyCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count < 1) throw new UserInputException("Illegal comm_modify command");
        for (var k = 0; k < args.Count; k++)
        {
            if (k + 1 >= args.Count) throw new UserInputException("Illegal comm_modify command");
            switch (args[k])
            {
                case "mode" when args[k + 1] is "single" or "multi" or "multi/old":
                case "group":
                case "vel" when args[k + 1] is "yes" or "no":
                    k++;
                    break;
                case "cutoff" or "cutoff/multi" or "cutoff/multi/old" or "reduce/multi":
                    var j = args[k] == "cutoff" ? k + 1 : k + 2;
                    if (args[k] == "reduce/multi") { break; }
                    if (j >= args.Count || !double.TryParse(args[j], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var c))
                        throw new UserInputException("Illegal comm_modify command");
                    if (c < 0) throw new UserInputException("Invalid cutoff in comm_modify command");
                    k = j;
                    break;
                default:
                    throw new UserInputException("Illegal comm_modify command");
            }
        }
    }
}
