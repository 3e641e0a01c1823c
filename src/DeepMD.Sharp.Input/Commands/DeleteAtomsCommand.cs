namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>delete_atoms group G | region R [compress yes|no]</c>, as LAMMPS: the atoms of a group, or inside a region (at
/// their current positions), are removed as LAMMPS removes them (a removed atom's slot takes the last atom); with
/// <c>compress yes</c> (the default) the remaining atoms get the ids 1..N in that storage order (LAMMPS' tag_extend: the
/// same ids as LAMMPS when no run has sorted the atoms since they were created). Groups keep their atoms under the new ids, and fixes their groups. Prints "Deleted N atoms, new total
/// = M". For molecular styles, <c>mol yes</c> deletes whole molecules and <c>bond yes</c> (or mol yes) their bonded
/// terms; compress is ignored with LAMMPS' warning. The styles <c>overlap</c>, <c>porosity</c> are not supported yet.
/// </summary>
[DeckCommand("delete_atoms")]
public sealed class DeleteAtomsCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (!context.HasSimulation) throw new UserInputException("Delete_atoms command before simulation box is defined");
        if (args.Count < 1) throw new UserInputException("Illegal delete_atoms command");
        var sim = context.Simulation;
        var a = sim.Atoms;
        var remove = new bool[a.Count];
        int next;
        switch (args[0])
        {
            case "group":
            {
                if (args.Count < 2) throw new UserInputException("Illegal delete_atoms command");
                if (!context.Groups.TryGetValue(args[1], out var g)) throw new UserInputException("Could not find delete_atoms group ID");
                for (var i = 0; i < a.Count; i++) remove[i] = g.Contains(a.Id[i]);
                next = 2;
                break;
            }
            case "region":
            {
                if (args.Count < 2) throw new UserInputException("Illegal delete_atoms command");
                if (!context.Regions.TryGetValue(args[1], out var r)) throw new UserInputException("Could not find delete_atoms region ID");
                for (var i = 0; i < a.Count; i++) remove[i] = r.Contains(a.X[i], a.Y[i], a.Z[i]);
                next = 2;
                break;
            }
            case "overlap" or "porosity" or "variable" or "partial":
                throw args.Error($"style '{args[0]}' is not supported yet (use group or region)");
            default:
                throw new UserInputException("Illegal delete_atoms command");
        }
        var compress = true;
        bool bond = false, mol = false;
        for (var k = next; k < args.Count; k += 2)
        {
            if (k + 2 > args.Count) throw new UserInputException("Illegal delete_atoms command");
            switch (args[k])
            {
                case "compress": compress = args[k + 1] switch { "yes" => true, "no" => false, _ => throw new UserInputException("Illegal delete_atoms command") }; break;
                case "bond" or "mol":
                    if (!a.HasMolecule) throw new UserInputException($"Cannot delete_atoms {args[k]} yes for non-molecular systems");
                    var yes = args[k + 1] switch { "yes" => true, "no" => false, _ => throw new UserInputException("Illegal delete_atoms command") };
                    if (args[k] == "bond") bond = yes;
                    else mol = yes;
                    break;
                default: throw new UserInputException("Illegal delete_atoms command");
            }
        }
        if (mol)
        {
            // LAMMPS' mol yes: every atom of a molecule (id > 0) with one selected atom goes too.
            var molecules = new HashSet<int>();
            for (var i = 0; i < a.Count; i++)
                if (remove[i] && a.Molecule[i] > 0) molecules.Add(a.Molecule[i]);
            for (var i = 0; i < a.Count; i++)
                if (molecules.Contains(a.Molecule[i])) remove[i] = true;
        }
        var removedIds = new HashSet<int>();
        for (var i = 0; i < a.Count; i++)
            if (remove[i]) removedIds.Add(a.Id[i]);
        var before = a.Count;
        a.RemoveSwappingLast(remove);
        // LAMMPS' bond yes (also implied by mol yes): the bonds, angles, ... of deleted atoms go with them; without it
        // they stay and the next run stops with "Bond atoms missing".
        if ((bond || mol) && a.HasMolecule) a.Topology.RemoveAtoms(removedIds);
        if (compress && a.HasMolecule)
        {
            context.Out.WriteLine("WARNING: Ignoring 'compress yes' for molecular system");
            compress = false;
        }
        if (compress)
        {
            var newId = new Dictionary<int, int>(a.Count);
            for (var i = 0; i < a.Count; i++)
            {
                newId[a.Id[i]] = i + 1;
                a.Id[i] = i + 1;
            }
            var renamed = new Dictionary<AtomGroup, AtomGroup>(ReferenceEqualityComparer.Instance);
            foreach (var (name, g) in context.Groups.ToList())
            {
                if (g.IsAll) continue;
                var mapped = AtomGroup.Of(name, g.Ids!.Where(newId.ContainsKey).Select(id => newId[id]));
                renamed[g] = mapped;
                context.Groups[name] = mapped;
            }
            foreach (var f in sim.Fixes)
                if (!f.Group.IsAll)
                    f.Group = renamed.TryGetValue(f.Group, out var m) ? m : AtomGroup.Of(f.Group.Name, f.Group.Ids!.Where(newId.ContainsKey).Select(id => newId[id]));
            // computes hold their group too (compute temp on a group counts its atoms by id)
            foreach (var c in sim.Computes)
                if (!c.Group.IsAll)
                    c.Group = renamed.TryGetValue(c.Group, out var m) ? m : AtomGroup.Of(c.Group.Name, c.Group.Ids!.Where(newId.ContainsKey).Select(id => newId[id]));
        }
        context.Out.WriteLine($"Deleted {before - a.Count} atoms, new total = {a.Count}");
        sim.ShrinkWrapBox(); // LAMMPS' delete_atoms ends with pbc and reset_box
    }
}
