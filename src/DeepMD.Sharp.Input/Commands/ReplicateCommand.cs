namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Dynamics.Editing;
using DeepMD.Sharp.IO;

/// <summary><c>replicate nx ny nz</c>: copies the system into an nx × ny × nz supercell with LAMMPS' ids and image flags.</summary>
[DeckCommand("replicate")]
public sealed class ReplicateCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "nx ny nz");
        if (args.Count > 3 && args[3] != "bbox") throw args.UnknownKeyword(args[3], ["bbox"]);
        var sim = context.Simulation;
        int nx = args.Int(0, "nx"), ny = args.Int(1, "ny"), nz = args.Int(2, "nz");
        var maxId = sim.Atoms.MaxId();
        context.Out.WriteLine("Replicating atoms ...");
        Replicator.Replicate(sim, nx, ny, nz);
        // Copies keep the groups of their originals (LAMMPS copies the group mask).
        foreach (var (name, group) in context.Groups.ToList())
        {
            if (group.Ids is not { } ids) continue;
            var copies = Enumerable.Range(0, nx * ny * nz).SelectMany(k => ids.Select(id => id + k * maxId));
            context.Groups[name] = Dynamics.Groups.AtomGroup.Of(name, copies);
        }
        var b = sim.Box!;
        context.Out.WriteLine($"  {(b.IsTriclinic ? "triclinic" : "orthogonal")} box = ({CFormat.G(b.Lo[0], 8)} {CFormat.G(b.Lo[1], 8)} {CFormat.G(b.Lo[2], 8)}) to ({CFormat.G(b.Hi[0], 8)} {CFormat.G(b.Hi[1], 8)} {CFormat.G(b.Hi[2], 8)})");
        context.Out.WriteLine($"  {sim.AtomCount} atoms");
    }
}
