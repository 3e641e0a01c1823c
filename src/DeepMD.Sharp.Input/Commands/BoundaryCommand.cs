namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// <c>boundary x y z</c>: per direction p (periodic), or f (fixed), s (shrink-wrapped) or m (shrink-wrapped with the
/// created box as minimum), one letter for both faces or two for lo and hi (e.g. <c>fs</c>), as LAMMPS.
/// </summary>
[DeckCommand("boundary")]
public sealed class BoundaryCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(3, "x y z (each p, f, s or m)");
        if (context.HasSimulation) throw args.Error("Boundary command after simulation box is defined");
        var faces = SimulationBox.ParseBoundary([args[0], args[1], args[2]], out var error) ?? throw args.Error(error!);
        context.Boundary = faces;
        for (var d = 0; d < 3; d++) context.Periodic[d] = faces[2 * d] == 'p';
    }
}
