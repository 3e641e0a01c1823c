namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>processors Px Py Pz</c> (LAMMPS): the grid of MPI ranks a decomposed run splits the box into, <c>*</c> for a
/// value chosen to minimise the communicated surface. Must come before the box exists. On one process (no MPI
/// launcher) only a grid of one rank is accepted (<c>* * *</c>, <c>1 1 1</c>).
/// </summary>
[DeckCommand("processors")]
public sealed class ProcessorsCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "Px Py Pz");
        if (args.Count > 3) throw args.Error($"processors options ({args[3]} ...) are not supported yet");
        if (context.HasSimulation) throw new UserInputException("processors must come before the box is defined (create_box, read_data)");
        var ranks = context.Communicator?.Size ?? 1;
        long fixedProduct = 1;
        for (var k = 0; k < 3; k++)
        {
            if (args[k] == "*") continue;
            var p = args.Int(k, $"P{"xyz"[k]}");
            if (p < 1) throw new UserInputException($"processors: {"xyz"[k]} needs a positive number of ranks or *, got {args[k]}");
            fixedProduct *= p;
        }
        if (fixedProduct > ranks || ranks % fixedProduct != 0)
            throw new UserInputException($"processors {args[0]} {args[1]} {args[2]} cannot be a grid of {ranks} MPI rank{(ranks == 1 ? "" : "s")}{(ranks == 1 ? " (run it under mpirun with more ranks)" : "")}");
        context.Processors = [args[0], args[1], args[2]];
    }
}
