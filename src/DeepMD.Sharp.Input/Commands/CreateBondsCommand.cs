namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// LAMMPS' <c>create_bonds</c>: <c>many G1 G2 btype rmin rmax</c> bonds every pair of atoms, one in each group, whose
/// distance (minimum image) is within [rmin, rmax]; <c>single/bond btype a1 a2</c>, <c>single/angle atype a1 a2 a3</c>,
/// <c>single/dihedral dtype a1 a2 a3 a4</c> and <c>single/improper itype a1 a2 a3 a4</c> add one term by atom ids.
/// Optional <c>special yes|no</c>. As in LAMMPS, many needs a pair style and special_bonds 1-2 weights of 0, and pairs
/// already bonded are bonded again. New bonds of many are listed by the smaller id, then the larger (LAMMPS lists
/// them by its atom order and neighbor order: the same bonds). dpsharp derives the 1-2/1-3/1-4 lists from the bonds at
/// the next force evaluation, so <c>special no</c> does not defer the special-list update as in LAMMPS (a warning
/// says so).
/// </summary>
[DeckCommand("create_bonds")]
public sealed class CreateBondsCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (!context.HasSimulation) throw args.Error("Create_bonds command before simulation box is defined");
        if (!context.MolecularStyle) throw args.Error($"Cannot use create_bonds with non-molecular system (atom style {context.AtomStyle}; use bond, angle, molecular or full)");
        if (args.Count < 4) throw args.Error("Illegal create_bonds command: usage create_bonds many G1 G2 btype rmin rmax | single/bond btype a1 a2 | single/angle atype a1 a2 a3 | single/dihedral|single/improper type a1 a2 a3 a4 [special yes|no]");
        var sim = context.Simulation;
        var atoms = sim.Atoms;
        var topo = atoms.Topology;
        var style = args[0];
        int fixedArgs = style switch
        {
            "many" => 6,
            "single/bond" => 4,
            "single/angle" => 5,
            "single/dihedral" or "single/improper" => 6,
            _ => throw args.Error($"Illegal create_bonds command: unknown style '{style}' (many, single/bond, single/angle, single/dihedral, single/improper)"),
        };
        if (args.Count < fixedArgs || style == "many" && args.Count != fixedArgs && args.Count != fixedArgs + 2)
            throw args.Error($"Illegal create_bonds command: {style} needs {fixedArgs - 1} arguments");
        var special = true;
        for (var k = fixedArgs; k < args.Count; k += 2)
        {
            if (args[k] != "special" || k + 1 >= args.Count) throw args.Error($"Illegal create_bonds command: unknown keyword '{args[k]}' (special yes|no)");
            special = args.YesNo(k + 1, "special");
        }
        if (!special)
        {
            if (style == "many") throw args.Error("Cannot use special no with create_bonds many");
            context.Out.WriteLine("WARNING: create_bonds special no: dpsharp updates the 1-2/1-3/1-4 lists from the bonds at the next force evaluation anyway");
        }

        var type = args.Int(style == "many" ? 3 : 1, "type"); // many G1 G2 btype rmin rmax
        (string kind, int types) = style switch
        {
            "many" or "single/bond" => ("bond", topo.BondTypes),
            "single/angle" => ("angle", topo.AngleTypes),
            "single/dihedral" => ("dihedral", topo.DihedralTypes),
            _ => ("improper", topo.ImproperTypes),
        };
        if (type <= 0 || type > types) throw args.Error($"Invalid {kind} type in create_bonds command: {type} is not within 1..{types}");

        if (style == "many")
        {
            Many(context, args, type);
        }
        else
        {
            var ids = new int[fixedArgs - 2];
            for (var k = 0; k < ids.Length; k++) ids[k] = args.Int(2 + k, "atom ID");
            if (ids.Distinct().Count() != ids.Length) throw args.Error("Illegal create_bonds command: the atom IDs must differ");
            var present = new HashSet<int>();
            for (var i = 0; i < atoms.Count; i++) present.Add(atoms.Id[i]);
            var what = style["single/".Length..];
            foreach (var id in ids)
                if (!present.Contains(id)) throw args.Error($"Create_bonds single/{what} atoms do not exist: atom {id} is not defined");
            var term = ids.Length switch
            {
                2 => new BondedTerm(type, ids[0], ids[1]),
                3 => new BondedTerm(type, ids[0], ids[1], ids[2]),
                _ => new BondedTerm(type, ids[0], ids[1], ids[2], ids[3]),
            };
            (style switch
            {
                "single/bond" => topo.Bonds,
                "single/angle" => topo.Angles,
                "single/dihedral" => topo.Dihedrals,
                _ => topo.Impropers,
            }).Add(term);
        }
        context.Bonded.Invalidate();
    }

    private static void Many(DeckContext context, DeckArguments args, int type)
    {
        var sim = context.Simulation;
        var a = sim.Atoms;
        var g1 = context.Group(args[1]);
        var g2 = context.Group(args[2]);
        var rmin = args.Double(4, "rmin");
        var rmax = args.Double(5, "rmax");
        if (rmin > rmax) throw args.Error($"Illegal create_bonds command: rmin {rmin} > rmax {rmax}");
        if (context.PairStyle is null) throw args.Error("Create_bonds requires a pair style be defined");
        var sp = context.Bonded.Special;
        if (sp.Lj[0] != 0 || sp.Coul[0] != 0) throw args.Error("Create_bonds command requires special_bonds 1-2 weights be 0.0");
        double rminsq = rmin * rmin, rmaxsq = rmax * rmax;
        var box = sim.Box!;
        var found = new List<(int, int)>();
        // Every pair once (O(N²) over the two groups' atoms; decks bond a few thousand atoms at most).
        var members = new List<int>();
        for (var i = 0; i < a.Count; i++)
            if (g1.Contains(a.Id[i]) || g2.Contains(a.Id[i])) members.Add(i);
        Span<double> d = stackalloc double[3];
        for (var p = 0; p < members.Count; p++)
        {
            var i = members[p];
            for (var q = p + 1; q < members.Count; q++)
            {
                var j = members[q];
                bool in1i = g1.Contains(a.Id[i]), in2i = g2.Contains(a.Id[i]), in1j = g1.Contains(a.Id[j]), in2j = g2.Contains(a.Id[j]);
                if (!(in1i && in2j || in2i && in1j)) continue;
                // LAMMPS takes the difference from the smaller id to the larger.
                var (lo, hi) = a.Id[i] < a.Id[j] ? (i, j) : (j, i);
                d[0] = a.X[lo] - a.X[hi];
                d[1] = a.Y[lo] - a.Y[hi];
                d[2] = a.Z[lo] - a.Z[hi];
                Dynamics.Bonded.BondedForces.MinimumImage(box, d);
                var rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                if (rsq < rminsq || rsq > rmaxsq) continue;
                found.Add((a.Id[lo], a.Id[hi]));
            }
        }
        found.Sort();
        var topo = a.Topology;
        foreach (var (x, y) in found) topo.Bonds.Add(new BondedTerm(type, x, y));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Added {found.Count} bonds, new total = {topo.Bonds.Count}"));
    }
}
