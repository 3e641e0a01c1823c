namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.IO;

/// <summary>
/// <c>read_data FILE</c>: box, atoms (atomic, charge or full style; image flags unwrap) and masses from a LAMMPS
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
        // Species are bound later by pair_coeff; placeholder names keep the reader from guessing elements.
        var placeholders = Enumerable.Range(1, 4096).Select(i => "type" + i).ToArray();
        var data = LammpsDataReader.Read(path, placeholders);
        var s = data.Structure;
        var cell = s.Box!;
        var (xlo, ylo, zlo) = data.BoxLo;
        var p = context.Periodic;
        var sim = context.CreateSimulation();
        sim.CreateBox(new SimulationBox(xlo, xlo + cell[0, 0], ylo, ylo + cell[1, 1], zlo, zlo + cell[2, 2],
            cell[1, 0], cell[2, 0], cell[2, 1], p[0], p[1], p[2]), data.TypeCount);
        for (var i = 0; i < s.Count; i++)
            sim.Atoms.Add(data.Ids[i], data.Types[i] - 1, s.X[i] + xlo, s.Y[i] + ylo, s.Z[i] + zlo);
        if (data.Masses is { } m)
            for (var t = 0; t < m.Length; t++) sim.SetMass(t, m[t]);
        context.Out.WriteLine($"Reading data file ...");
        context.Out.WriteLine($"  {(sim.Box!.IsTriclinic ? "triclinic" : "orthogonal")} box = ({G(xlo)} {G(ylo)} {G(zlo)}) to ({G(sim.Box.Hi[0])} {G(sim.Box.Hi[1])} {G(sim.Box.Hi[2])})");
        context.Out.WriteLine($"  {s.Count} atoms");
    }

    private static string G(double v) => Dynamics.Output.CFormat.G(v, 8);
}
