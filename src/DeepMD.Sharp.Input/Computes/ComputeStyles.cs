namespace DeepMD.Sharp.Input.Computes;

using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.Dynamics.Groups;
using DeepMD.Sharp.Input.Commands;

/// <summary>The compute styles a deck can use, and their arguments as LAMMPS reads them (docs/computes.md).</summary>
public static class ComputeStyles
{
    /// <summary>Supported compute style names.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["chunk/atom", "com", "com/chunk", "coord/atom", "displace/atom", "heat/flux", "ke", "ke/atom", "momentum", "msd", "msd/chunk", "orientorder/atom", "pe", "pe/atom", "pressure", "property/atom", "rdf", "reduce", "stress/atom", "temp", "temp/com", "temp/deform", "temp/partial", "temp/ramp", "temp/region", "vacf"];

    private static readonly string[] EnergyTerms = ["pair", "bond", "angle", "dihedral", "improper", "kspace", "fix"];

    /// <summary>Creates compute <paramref name="id"/> of <paramref name="style"/>; <paramref name="args"/> are the words after the style.</summary>
    public static Compute Create(DeckContext context, string id, AtomGroup group, string style, DeckArguments args)
    {
        var sim = context.Simulation;
        switch (style)
        {
            case "temp":
                NoArguments(args);
                return new ComputeTemp(id, group);
            case "temp/deform":
                NoArguments(args);
                return new ComputeTempDeform(id, group);
            case "temp/com":
                NoArguments(args);
                return new ComputeTempCom(id, group);
            case "temp/partial":
            {
                if (args.Count != 3) throw new Core.Errors.UserInputException("Illegal compute temp/partial command");
                bool Flag(int k) => args[k] switch { "0" => false, "1" => true, _ => throw new Core.Errors.UserInputException("Illegal compute temp/partial command") };
                var (x, y, z) = (Flag(0), Flag(1), Flag(2));
                if (z && sim.Dimension == 2) throw new Core.Errors.UserInputException("Compute temp/partial cannot use vz for 2d systemx");
                return new ComputeTempPartial(id, group, x, y, z);
            }
            case "temp/ramp":
            {
                // compute ID group temp/ramp vdim vlo vhi dim clo chi [units box|lattice] (LAMMPS' compute_temp_ramp)
                if (args.Count < 6) throw new Core.Errors.UserInputException("Illegal compute temp command");
                var lattice = true;
                for (var k = 6; k < args.Count; k += 2)
                {
                    if (args[k] != "units" || k + 1 >= args.Count) throw new Core.Errors.UserInputException("Illegal compute temp/ramp command");
                    lattice = args[k + 1] switch { "box" => false, "lattice" => true, _ => throw new Core.Errors.UserInputException("Illegal compute temp/ramp command") };
                }
                double[] scale = [1.0, 1.0, 1.0];
                if (lattice)
                {
                    var lat = context.Lattice ?? throw new Core.Errors.UserInputException("Use of compute temp/ramp with undefined lattice");
                    scale = [lat.XLattice, lat.YLattice, lat.ZLattice];
                }
                var vDim = args[0] switch { "vx" => 0, "vy" => 1, "vz" => 2, _ => throw new Core.Errors.UserInputException("Illegal compute temp/ramp command") };
                var cDim = args[3] switch { "x" => 0, "y" => 1, "z" => 2, _ => throw new Core.Errors.UserInputException("Illegal compute temp/ramp command") };
                return new ComputeTempRamp(id, group, vDim, scale[vDim] * args.Double(1, "vlo"), scale[vDim] * args.Double(2, "vhi"),
                    cDim, scale[cDim] * args.Double(4, "clo"), scale[cDim] * args.Double(5, "chi"));
            }
            case "temp/region":
            {
                if (args.Count != 1) throw new Core.Errors.UserInputException("Illegal compute temp/region command");
                if (!context.Regions.TryGetValue(args[0], out var region)) throw new Core.Errors.UserInputException($"Region ID for compute temp/region does not exist: {args[0]}");
                return new ComputeTempRegion(id, group, region.Contains);
            }
            case "ke":
                NoArguments(args);
                return new ComputeKe(id, group);
            case "ke/atom":
                NoArguments(args);
                return new ComputeKeAtom(id, group);
            case "com":
                NoArguments(args);
                return new ComputeCom(id, group);
            case "momentum":
                NoArguments(args);
                return new ComputeMomentum(id, group);
            case "vacf":
                NoArguments(args);
                return new ComputeVacf(id, group, sim);
            case "pe":
            {
                if (!group.IsAll) throw args.Error("Compute pe must use group all");
                var terms = EnergyKeywords(args, 0);
                var all = terms.Count == 0;
                return new ComputePe(id, group, pair: all || terms.Contains("pair"), bond: all || terms.Contains("bond"), angle: all || terms.Contains("angle"), dihedral: all || terms.Contains("dihedral"));
            }
            case "pe/atom":
            {
                var terms = EnergyKeywords(args, 0);
                if (terms.Count > 0 && !terms.Contains("pair"))
                    throw args.Error("only the pair term has per-atom energies here (bonded, kspace and fix terms do not exist); use 'pe/atom' or 'pe/atom pair'");
                string[] molecular = ["bond", "angle", "dihedral", "improper"];
                var pairOnly = terms.Count > 0 && !molecular.All(terms.Contains);
                if (pairOnly && terms.Any(molecular.Contains))
                    throw args.Error("per-atom energies of some bonded terms only are not kept here; use 'pe/atom pair' or all terms");
                return new ComputePeAtom(id, group, pairOnly);
            }
            case "pressure":
            {
                if (!group.IsAll) throw args.Error("Compute pressure must use group all");
                args.RequireAtLeast(1, "temp-ID|NULL [ke] [pair] [virial] ...");
                var temp = TemperatureCompute(context, args, args[0]);
                var (kinetic, virial) = PressureKeywords(args);
                return new ComputePressure(id, group, temp, kinetic, virial);
            }
            case "stress/atom":
            {
                args.RequireAtLeast(1, "temp-ID|NULL [ke] [pair] [virial] ...");
                _ = TemperatureCompute(context, args, args[0]);
                var (kinetic, virial) = PressureKeywords(args);
                return new ComputeStressAtom(id, group, kinetic, virial);
            }
            case "rdf":
                return Rdf(context, id, group, args);
            case "msd":
            {
                bool com = false, average = false;
                for (var k = 0; k < args.Count; k += 2)
                {
                    if (k + 1 >= args.Count) throw args.Error($"'{args[k]}' needs a value yes or no");
                    switch (args[k])
                    {
                        case "com": com = args.YesNo(k + 1, "com"); break;
                        case "average": average = args.YesNo(k + 1, "average"); break;
                        default: throw args.UnknownKeyword(args[k], ["com", "average"]);
                    }
                }
                return new ComputeMsd(id, group, sim, com, average);
            }
            case "chunk/atom":
                args.RequireAtLeast(1, "molecule|type|bin/1d|bin/2d");
                if (args[0] is "bin/1d" or "bin/2d") return ChunkBins.Create(context, id, group, args);
                if (args.Count > 1) throw args.Error($"chunk/atom options ({args[1]} ...) are not supported; the defaults (nchunk once, compress no, ids every) apply");
                return new ComputeChunkAtom(id, group, sim, args[0]);
            case "com/chunk":
                args.RequireExactly(1, "chunkID");
                return new ComputeComChunk(id, group, ComputeChunkAtom.Find(sim, id, args[0]));
            case "msd/chunk":
                args.RequireExactly(1, "chunkID");
                return new ComputeMsdChunk(id, group, ComputeChunkAtom.Find(sim, id, args[0]));
            case "coord/atom":
                return CoordAtom(context, id, group, args);
            case "orientorder/atom":
                return OrientOrder(id, group, args);
            case "property/atom":
                return new ComputePropertyAtom(id, group, args.Words, sim);
            case "displace/atom":
                if (args.Count != 0) throw new Core.Errors.UserInputException(args[0] == "refresh" ? "compute displace/atom: refresh is not supported yet" : "Illegal compute displace/atom command");
                return new ComputeDisplaceAtom(id, group, sim);
            case "reduce":
                return Reduce(context, id, group, args);
            case "heat/flux":
            {
                // compute ID group heat/flux KE-ID PE-ID STRESS-ID (LAMMPS' compute_heat_flux and its error texts)
                if (args.Count != 3) throw new Core.Errors.UserInputException("Illegal compute heat/flux command");
                Compute Find(string cid) => sim.FindCompute(cid) ?? throw new Core.Errors.UserInputException("Could not find compute heat/flux compute ID");
                var (ke, pe, stress) = (Find(args[0]), Find(args[1]), Find(args[2]));
                if (ke.Style != "ke/atom") throw new Core.Errors.UserInputException("Compute heat/flux compute ID does not compute ke/atom");
                if (pe.Style != "pe/atom") throw new Core.Errors.UserInputException("Compute heat/flux compute ID does not compute pe/atom");
                if (stress.Style != "stress/atom") throw new Core.Errors.UserInputException("Compute heat/flux compute ID does not compute stress/atom");
                return new ComputeHeatFlux(id, group, ke, pe, stress);
            }
            default:
                var close = Dynamics.Text.EditDistance.Closest(style, Names);
                throw new Core.Errors.UserInputException($"unknown compute style '{style}'{(close is null ? "" : $"; did you mean '{close}'?")} (available: {string.Join(" ", Names)})");
        }
    }

    /// <summary><c>orientorder/atom [degrees N l…] [nnn N|NULL] [wl yes|no] [wl/hat yes|no] [components l] [cutoff Rc] [chunksize N]</c>.</summary>
    private static Compute OrientOrder(string id, AtomGroup group, DeckArguments args)
    {
        Core.Errors.UserInputException Illegal(string why) => args.Error($"Illegal compute orientorder/atom command: {why}");
        int[] degrees = [4, 6, 8, 10, 12];
        int nnn = 12, component = -1;
        bool wl = false, wlHat = false;
        double cutoff = 0;
        for (var k = 0; k < args.Count;)
        {
            if (k + 2 > args.Count) throw Illegal($"{args[k]} needs a value");
            switch (args[k])
            {
                case "nnn":
                    nnn = args[k + 1] == "NULL" ? 0 : args.Int(k + 1, "nnn");
                    if (nnn <= 0 && args[k + 1] != "NULL") throw Illegal("nnn must be positive or NULL");
                    k += 2;
                    break;
                case "degrees":
                {
                    var count = args.Int(k + 1, "degree count");
                    if (count <= 0 || k + 2 + count > args.Count) throw Illegal("degrees N needs N degrees");
                    degrees = new int[count];
                    for (var d = 0; d < count; d++)
                    {
                        degrees[d] = args.Int(k + 2 + d, "degree");
                        if (degrees[d] < 0) throw Illegal("a degree must be ≥ 0");
                    }
                    k += 2 + count;
                    break;
                }
                case "wl": wl = args.YesNo(k + 1, "wl"); k += 2; break;
                case "wl/hat": wlHat = args.YesNo(k + 1, "wl/hat"); k += 2; break;
                case "components":
                    component = args.Int(k + 1, "components degree");
                    k += 2;
                    break;
                case "cutoff":
                    cutoff = args.Double(k + 1, "cutoff");
                    if (cutoff <= 0) throw Illegal("cutoff must be positive");
                    k += 2;
                    break;
                case "chunksize":
                    if (args.Int(k + 1, "chunksize") <= 0) throw Illegal("chunksize must be positive");
                    k += 2;
                    break;
                default: throw args.UnknownKeyword(args[k], ["degrees", "nnn", "wl", "wl/hat", "components", "cutoff", "chunksize"]);
            }
        }
        if (component >= 0 && !degrees.Contains(component)) throw Illegal($"components {component} is not one of the degrees");
        return new ComputeOrientOrderAtom(id, group, degrees, nnn, wl, wlHat, component, cutoff);
    }

    private static void NoArguments(DeckArguments args)
    {
        if (args.Count != 0) throw args.Error($"takes no arguments, got '{string.Join(" ", args.Words)}'");
    }

    private static HashSet<string> EnergyKeywords(DeckArguments args, int start)
    {
        var set = new HashSet<string>();
        for (var k = start; k < args.Count; k++)
        {
            if (!EnergyTerms.Contains(args[k])) throw args.UnknownKeyword(args[k], EnergyTerms);
            set.Add(args[k]);
        }
        return set;
    }

    private static TemperatureCompute? TemperatureCompute(DeckContext context, DeckArguments args, string id)
    {
        if (id == "NULL") return null;
        var c = ComputeReferences.FindCompute(context, id, "pressure temperature");
        return c as TemperatureCompute ?? throw args.Error($"compute {id} ({c.Style}) does not compute temperature; give a temperature compute (temp, temp/deform)");
    }

    /// <summary>Pressure keywords after temp-ID: none = every term; otherwise ke and/or the virial (pair and virial are the same here).</summary>
    private static (bool Kinetic, bool Virial) PressureKeywords(DeckArguments args)
    {
        if (args.Count == 1) return (true, true);
        bool kinetic = false, virial = false;
        string[] valid = ["ke", "pair", "virial", "bond", "angle", "dihedral", "improper", "kspace", "fix"];
        for (var k = 1; k < args.Count; k++)
        {
            switch (args[k])
            {
                case "ke": kinetic = true; break;
                case "pair" or "virial": virial = true; break;
                case "bond" or "angle" or "dihedral" or "improper" or "kspace" or "fix": break;
                default: throw args.UnknownKeyword(args[k], valid);
            }
        }
        return (kinetic, virial);
    }

    private static ComputeRdf Rdf(DeckContext context, string id, AtomGroup group, DeckArguments args)
    {
        args.RequireAtLeast(1, "Nbin [itype jtype ...] [cutoff Rc]");
        var bins = args.Int(0, "Nbin");
        if (bins < 1) throw args.Error($"Nbin must be at least 1, got {bins}");
        var ntypes = context.Simulation.TypeCount;
        var end = 1;
        while (end < args.Count && args[end] != "cutoff") end++;
        double? cutoff = null;
        for (var k = end; k < args.Count; k += 2)
        {
            if (args[k] != "cutoff") throw args.UnknownKeyword(args[k], ["cutoff"]);
            var rc = args.Double(k + 1, "cutoff");
            cutoff = rc > 0 ? rc : null;
        }
        var pairWords = end - 1;
        if (pairWords % 2 != 0) throw args.Error("type pairs come in twos: rdf Nbin itype1 jtype1 itype2 jtype2 ...");
        var pairs = new List<(int, int, int, int)>();
        for (var k = 1; k < end; k += 2)
        {
            var (ilo, ihi) = TypeRange.Parse(args, args[k], ntypes);
            var (jlo, jhi) = TypeRange.Parse(args, args[k + 1], ntypes);
            pairs.Add((ilo, ihi, jlo, jhi));
        }
        return new ComputeRdf(id, group, bins, pairs, cutoff);
    }

    private static ComputeCoordAtom CoordAtom(DeckContext context, string id, AtomGroup group, DeckArguments args)
    {
        args.RequireAtLeast(1, "cutoff Rc [group group2-ID] [typeN ...]");
        var k = 0;
        if (args[0] == "cutoff") k = 1;
        else if (args[0] == "orientorder") throw args.Error("the orientorder style is not supported; use cutoff");
        var rc = args.Double(k, "cutoff");
        if (rc <= 0) throw args.Error($"the cutoff must be positive, got {rc}");
        k++;
        var group2 = AtomGroup.All;
        if (k < args.Count && args[k] == "group")
        {
            group2 = context.Group(args[k + 1]);
            k += 2;
        }
        var ntypes = context.Simulation.TypeCount;
        var ranges = new List<(int, int)>();
        for (; k < args.Count; k++) ranges.Add(TypeRange.Parse(args, args[k], ntypes));
        if (ranges.Count == 0) ranges.Add((1, ntypes));
        return new ComputeCoordAtom(id, group, rc, group2, ranges);
    }

    private static ComputeReduce Reduce(DeckContext context, string id, AtomGroup group, DeckArguments args)
    {
        args.RequireAtLeast(2, "sum|min|max|ave|sumsq|avesq|sumabs|aveabs input1 [input2 ...]");
        var mode = args[0] switch
        {
            "sum" => ReduceMode.Sum,
            "sumsq" => ReduceMode.SumSq,
            "sumabs" => ReduceMode.SumAbs,
            "min" => ReduceMode.Min,
            "max" => ReduceMode.Max,
            "ave" => ReduceMode.Ave,
            "avesq" => ReduceMode.AveSq,
            "aveabs" => ReduceMode.AveAbs,
            _ => throw args.UnknownKeyword(args[0], ["sum", "min", "max", "ave", "sumsq", "avesq", "sumabs", "aveabs"]),
        };
        var inputs = new List<ReduceInput>();
        var words = new List<string>();
        foreach (var w in args.Words.Skip(1))
        {
            if (w == "replace") throw args.Error("the replace keyword is not supported yet");
            if (w.StartsWith("c_", StringComparison.Ordinal) && w.Contains('*'))
            {
                // Wildcards run over a per-atom array's columns here.
                if (!DeckReference.TryParse(w, out var r) || r.Wildcard != "*") throw args.Error($"'{w}': only c_ID[*] wildcards are supported in compute reduce");
                var c = ComputeReferences.FindCompute(context, r.Id, "compute reduce");
                if (!c.HasPerAtom || c.PerAtomColumns == 0) throw args.Error($"'{w}': compute {r.Id} has no per-atom array");
                for (var col = 1; col <= c.PerAtomColumns; col++) words.Add($"c_{r.Id}[{col}]");
            }
            else words.Add(w);
        }
        foreach (var w in words)
        {
            Func<Dynamics.Simulation, int, double>? attribute = w switch
            {
                "x" => (s, i) => s.Atoms.X[i],
                "y" => (s, i) => s.Atoms.Y[i],
                "z" => (s, i) => s.Atoms.Z[i],
                "vx" => (s, i) => s.Atoms.Vx[i],
                "vy" => (s, i) => s.Atoms.Vy[i],
                "vz" => (s, i) => s.Atoms.Vz[i],
                "fx" => (s, i) => s.Atoms.Fx[i],
                "fy" => (s, i) => s.Atoms.Fy[i],
                "fz" => (s, i) => s.Atoms.Fz[i],
                _ => null,
            };
            if (attribute is not null)
            {
                inputs.Add(new ReduceInput(w, attribute, null, -1));
                continue;
            }
            if (!DeckReference.TryParse(w, out var r) || r.J is not null)
                throw args.Error($"'{w}' is not a reduce input (x y z vx vy vz fx fy fz, c_ID, c_ID[N])");
            if (r.Kind == 'v')
            {
                // LAMMPS: an atom-style variable, evaluated for the atoms (the group's are reduced)
                if (r.I is not null) throw new Core.Errors.UserInputException("Compute reduce variable is not atom-style variable");
                if (!context.Variables.TryGetValue(r.Id, out var variable)) throw new Core.Errors.UserInputException("Variable name for compute reduce does not exist");
                if (!variable.IsPerAtom) throw new Core.Errors.UserInputException("Compute reduce variable is not atom-style variable");
                var name = r.Id;
                inputs.Add(new ReduceInput(w, null, null, -1) { Values = _ => context.Runner.AtomVariable(name, "compute reduce") });
                continue;
            }
            if (r.Kind == 'f') throw args.Error($"'{w}': no fix has per-atom values here");
            var compute = ComputeReferences.FindCompute(context, r.Id, "compute reduce");
            if (!compute.HasPerAtom) throw args.Error($"Compute reduce compute does not calculate per-atom values: {w} ({compute.Style})");
            if (r.I is null && compute.PerAtomColumns != 0) throw args.Error($"Compute reduce compute does not calculate a per-atom vector: {w} has {compute.PerAtomColumns} columns; use {w}[N]");
            if (r.I is not null && (compute.PerAtomColumns == 0 || r.I > compute.PerAtomColumns))
                throw args.Error(compute.PerAtomColumns == 0 ? $"Compute reduce compute does not calculate a per-atom array: {w}" : $"Compute reduce compute array is accessed out-of-range: {w}");
            inputs.Add(new ReduceInput(w, null, compute, r.I is null ? -1 : r.I.Value - 1));
        }
        return new ComputeReduce(id, group, mode, inputs);
    }
}
