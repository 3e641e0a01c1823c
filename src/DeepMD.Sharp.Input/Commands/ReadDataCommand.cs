namespace DeepMD.Sharp.Input.Commands;


/// <summary>
/// <c>read_data FILE</c>: box, atoms (atom_style atomic, charge, bond, angle, molecular or full: charges, molecule ids, bonds, angles, dihedrals, impropers; positions and image flags as written) and masses from a LAMMPS
/// data file. The path is relative to the deck's folder.
/// </summary>
[DeckCommand("read_data")]
public sealed class ReadDataCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "FILE");
        if (args.Count > 1) throw args.Error($"read_data options ({args[1]} ...) are not supported yet");
        var path = context.InputPath(args[0]);
        if (!File.Exists(path)) throw args.Error($"data file '{args[0]}' does not exist (looked in {context.DeckDirectory} and {context.WorkingDirectory})");
        var sim = context.CreateSimulation();
        SimulationFactory.LoadLammpsData(sim, path, context.Periodic, context.AtomStyle);
        var (xlo, ylo, zlo) = (sim.Box!.Lo[0], sim.Box.Lo[1], sim.Box.Lo[2]);
        context.Out.WriteLine($"Reading data file ...");
        context.Out.WriteLine($"  {(sim.Box!.IsTriclinic ? "triclinic" : "orthogonal")} box = ({G(xlo)} {G(ylo)} {G(zlo)}) to ({G(sim.Box.Hi[0])} {G(sim.Box.Hi[1])} {G(sim.Box.Hi[2])})");
        // LAMMPS' set_initial_box, then (shrink-wrapped faces) reset_box around the atoms read
        sim.Box.SetBoundary(context.Boundary);
        sim.ShrinkWrapBox();
        context.Out.WriteLine($"  {sim.AtomCount} atoms");
        var topo = sim.Atoms.Topology;
        if (topo.Bonds.Count > 0) context.Out.WriteLine($"  {topo.Bonds.Count} bonds");
        if (topo.Angles.Count > 0) context.Out.WriteLine($"  {topo.Angles.Count} angles");
        if (topo.Dihedrals.Count > 0) context.Out.WriteLine($"  {topo.Dihedrals.Count} dihedrals");
        if (topo.Impropers.Count > 0) context.Out.WriteLine($"  {topo.Impropers.Count} impropers");
        context.ApplyDataCoeffs(sim);
    }

    private static string G(double v) => IO.CFormat.G(v, 8);
}
