namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Dynamics.Units;

/// <summary>
/// <c>read_restart FILE</c>: units, box, masses, atoms (with the atom style, charges, molecule ids, bonds, angles,
/// dihedrals, impropers and special_bonds weights), step, timestep and neighbor settings from a dpsharp checkpoint
/// (in place of create_box/read_data); bond/angle styles and coefficients are defined again, like the pair style. Define pair_style/pair_coeff and the fixes again (same ids and styles: their
/// thermostat and random-generator states are restored); the first run then continues the saved run exactly.
/// </summary>
[DeckCommand("read_restart")]
public sealed class ReadRestartCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "FILE");
        if (context.HasSimulation) throw args.Error("a simulation box already exists; read_restart replaces create_box/read_data");
        var path = context.InputPath(args[0]);
        var checkpoint = CheckpointFile.Read(path);
        context.Units = UnitSystem.FromName(checkpoint.Units);
        for (var d = 0; d < 3; d++) context.Periodic[d] = checkpoint.Periodic[d];
        // the checkpoint keeps periodicity only: shrink-wrapped faces come back as fixed ones
        context.Boundary = string.Concat(checkpoint.Periodic.Select(p => p ? "pp" : "ff"));
        context.AtomStyle = checkpoint.AtomStyle;
        var sim = context.CreateSimulation();
        checkpoint.ApplyTo(sim);
        context.SetTimestep(checkpoint.Timestep);
        context.SetSkin(checkpoint.Skin);
        context.NeighborEvery = checkpoint.NeighborEvery;
        context.NeighborDelay = checkpoint.NeighborDelay;
        context.NeighborCheck = checkpoint.NeighborCheck;
        context.Out.WriteLine($"Reading restart file {args[0]} ...");
        context.Out.WriteLine($"  restoring units {checkpoint.Units}, step {checkpoint.Step}, {checkpoint.AtomCount} atoms, {checkpoint.Masses.Length} atom types");
        if (checkpoint.Fixes.Count > 0)
            context.Out.WriteLine($"  saved fix states: {string.Join(", ", checkpoint.Fixes.Select(f => $"{f.Id} ({f.Style})"))}; define these fixes again to continue them");
    }
}
