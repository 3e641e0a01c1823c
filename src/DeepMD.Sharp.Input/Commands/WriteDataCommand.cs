namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.IO;

/// <summary>
/// <c>write_data FILE [nocoeff] [nofix] [pair ii|ij]</c>: writes a LAMMPS data file (the deck's atom style, with image
/// flags, velocities, molecule ids, Bond/Angle Coeffs of the bonded styles and the bonded terms) relative to the working directory. Under mpirun, rank 0 alone writes it (between runs every
/// rank holds the whole system, in its original order). Pair Coeffs are not written, so <c>pair</c> changes nothing;
/// <c>nocoeff</c> leaves out the bonded coefficient sections.
/// </summary>
[DeckCommand("write_data")]
public sealed class WriteDataCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "FILE [nocoeff] [nofix] [pair ii|ij]");
        var noCoeff = false;
        for (var k = 1; k < args.Count; k++)
        {
            switch (args[k])
            {
                case "nocoeff":
                    noCoeff = true;
                    break;
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
        sim.ShrinkWrapBox(); // LAMMPS' write_data does pbc and reset_box first
        if (!context.IsRootRank) return; // every rank holds the whole system between runs; rank 0 writes
        LammpsDataWriter.Write(context.OutputPath(args[0]), box, sim.Atoms, sim.TypeCount, sim.Masses, sim.Step, sim.Units.Name, noCoeff ? null : Coeffs(sim));
    }

    /// <summary>Bond Coeffs and Angle Coeffs of the bonded styles with every type set (as LAMMPS' write_data), then sections kept from the data file.</summary>
    private static List<(string, string?, IReadOnlyList<string>)> Coeffs(Dynamics.Simulation sim)
    {
        var list = new List<(string, string?, IReadOnlyList<string>)>();
        var topo = sim.Atoms.Topology;
        void Add(string section, Dynamics.Bonded.BondedStyle? style, int types)
        {
            if (style is null || types == 0 || style.CoeffNames.Length == 0) return;
            var lines = new List<string>();
            for (var t = 1; t <= types; t++)
            {
                if (style.Coeff(t) is not { } c) return;
                lines.Add(t.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + string.Join(" ", c.Select(v => CFormat.G(v, 15))));
            }
            list.Add((section, style.Name, lines));
        }
        if (sim.Atoms.HasMolecule)
        {
            Add("Bond Coeffs", sim.Bonded.Bond, topo.BondTypes);
            Add("Angle Coeffs", sim.Bonded.Angle, topo.AngleTypes);
            Add("Dihedral Coeffs", sim.Bonded.Dihedral, topo.DihedralTypes);
        }
        foreach (var (name, (style, lines)) in topo.Coeffs) list.Add((name, style, lines));
        return list;
    }
}
