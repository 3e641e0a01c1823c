namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.IO;

/// <summary>
/// <c>write_data FILE [nocoeff] [nofix] [pair ii|ij]</c>: writes a LAMMPS data file (atom style atomic, with image
/// flags and velocities) relative to the working directory. Under mpirun, rank 0 alone writes it (between runs every
/// rank holds the whole system, in its original order). No coefficient sections are written, so
/// <c>nocoeff</c> and <c>pair</c> change nothing.
/// </summary>
[DeckCommand("write_data")]
public sealed class WriteDataCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "FILE [nocoeff] [nofix] [pair ii|ij]");
        for (var k = 1; k < args.Count; k++)
        {
            switch (args[k])
            {
                case "nocoeff":
                case "nofix":
                case "nolabelmap":
                    break;
                case "pair":
                    if (k + 1 >= args.Count || args[k + 1] is not ("ii" or "ij")) throw args.Error("pair needs ii or ij");
                    k++;
                    break;
                default: throw args.UnknownKeyword(args[k], ["nocoeff", "nofix", "pair"]);
            }
        }
        if (args[0].Contains('*')) throw args.Error("'*' in the file name (timestep substitution) is not supported");
        context.Out.WriteLine("System init for write_data ...");
        var sim = context.Simulation;
        var box = sim.Box ?? throw new Core.Errors.UserInputException("write_data before the box exists");
        if (!context.IsRootRank) return; // every rank holds the whole system between runs; rank 0 writes
        LammpsDataWriter.Write(context.OutputPath(args[0]), box, sim.Atoms, sim.TypeCount, sim.Masses, sim.Step, sim.Units.Name);
    }
}
