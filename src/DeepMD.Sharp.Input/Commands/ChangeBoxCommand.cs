namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Editing;
using DeepMD.Sharp.IO;

/// <summary>
/// <c>change_box GROUP op ... [units lattice|box]</c>, LAMMPS' sequential box changes: <c>x|y|z final lo hi</c>,
/// <c>delta dlo dhi</c>, <c>scale f</c>, <c>volume</c> (after an x/y/z op: change this direction to keep the volume the
/// previous op had; two volume ops share the change, keeping their aspect ratio); <c>xy|xz|yz final t | delta dt</c>
/// (triclinic boxes); <c>boundary x y z</c>; <c>ortho</c>, <c>triclinic</c>; <c>set</c> (remember the box for the next
/// remap); <c>remap</c> (the group's atoms keep their fractional coordinates from the remembered box to the current one).
/// Operations run in the order given; final/delta and tilts are in lattice spacings unless <c>units box</c>. Afterwards
/// all atoms are mapped into the periodic box (image counts kept), as LAMMPS does. A triclinic box with zero tilts
/// behaves as an orthogonal one here (same forces and thermo). Boundaries s and m are treated as f (no shrink-wrap).
/// </summary>
[DeckCommand("change_box")]
public sealed class ChangeBoxCommand : IDeckCommand
{
    private enum Op { Final, Delta, Scale, TiltFinal, TiltDelta, Boundary, Ortho, Triclinic, Set, Remap }

    private sealed class Operation
    {
        public Op Kind;
        public int Dim;          // 0..2 for x y z; 0 xy, 1 xz, 2 yz for tilts
        public double A, B;
        public int VDim1 = -1, VDim2 = -1;
        public string[] Boundary = [];
    }

    public void Execute(DeckContext context, DeckArguments args)
    {
        if (!context.HasSimulation) throw new UserInputException("Change_box command before simulation box is defined");
        if (args.Count < 2) throw Illegal();
        var sim = context.Simulation;
        if (sim.Decomposed is not null) throw new UserInputException("change_box is not supported in a run over several ranks yet; run the deck on one process");
        if (!context.Groups.TryGetValue(args[0], out var group)) throw new UserInputException($"Could not find change_box group ID {args[0]}");
        var dimension = sim.Dimension;
        var ops = new List<Operation>();
        var k = 1;
        while (k < args.Count)
        {
            var w = args[k];
            if (w is "x" or "y" or "z")
            {
                if (k + 2 > args.Count) throw Illegal();
                var dim = w[0] - 'x';
                if (dimension == 2 && dim == 2) throw new UserInputException("Cannot change_box in z dimension for 2d simulation");
                if (k + 1 >= args.Count) throw Illegal();
                switch (args[k + 1])
                {
                    case "final" or "delta":
                        if (k + 4 > args.Count) throw Illegal();
                        ops.Add(new Operation { Kind = args[k + 1] == "final" ? Op.Final : Op.Delta, Dim = dim, A = Number(args[k + 2]), B = Number(args[k + 3]) });
                        k += 4;
                        break;
                    case "scale":
                        if (k + 3 > args.Count) throw Illegal();
                        ops.Add(new Operation { Kind = Op.Scale, Dim = dim, A = Number(args[k + 2]) });
                        k += 3;
                        break;
                    case "volume":
                        var prev = ops.Count > 0 ? ops[^1] : null;
                        if (prev is null || prev.Kind is not (Op.Final or Op.Delta or Op.Scale) || prev.Dim == dim || prev.VDim2 >= 0)
                            throw new UserInputException("Change_box volume used incorrectly");
                        if (prev.VDim1 >= 0) prev.VDim2 = dim;
                        else prev.VDim1 = dim;
                        k += 2;
                        break;
                    default:
                        throw Illegal();
                }
            }
            else if (w is "xy" or "xz" or "yz")
            {
                if (k + 2 > args.Count) throw Illegal();
                var dim = w == "xy" ? 0 : w == "xz" ? 1 : 2;
                if (dimension == 2 && dim > 0) throw new UserInputException("Cannot change_box in xz or yz for 2d simulation");
                if (args[k + 1] is not ("final" or "delta") || k + 3 > args.Count) throw Illegal();
                ops.Add(new Operation { Kind = args[k + 1] == "final" ? Op.TiltFinal : Op.TiltDelta, Dim = dim, A = Number(args[k + 2]) });
                k += 3;
            }
            else if (w == "boundary")
            {
                if (k + 4 > args.Count) throw Illegal();
                ops.Add(new Operation { Kind = Op.Boundary, Boundary = [args[k + 1], args[k + 2], args[k + 3]] });
                k += 4;
            }
            else if (w is "ortho" or "triclinic" or "set" or "remap")
            {
                ops.Add(new Operation { Kind = w switch { "ortho" => Op.Ortho, "triclinic" => Op.Triclinic, "set" => Op.Set, _ => Op.Remap } });
                k++;
            }
            else break;
        }
        if (ops.Count == 0) throw Illegal();
        var lattice = true;
        while (k < args.Count)
        {
            if (args[k] != "units" || k + 2 > args.Count) throw Illegal();
            lattice = args[k + 1] switch { "box" => false, "lattice" => true, _ => throw Illegal() };
            k += 2;
        }
        // LAMMPS scales distances by the lattice when any x/y/z or tilt operation is present (units lattice, the default)
        double[] scale = [1, 1, 1];
        if (lattice && ops.Any(o => o.Kind is Op.Final or Op.Delta or Op.Scale or Op.TiltFinal or Op.TiltDelta) && context.Lattice is { } lat)
            scale = [lat.XLattice, lat.YLattice, lat.ZLattice];

        context.Out.WriteLine("Changing box ...");
        var box = sim.Box!;
        var a = sim.Atoms;
        // atoms into the current box first (LAMMPS' pbc()), then remember it for remap
        for (var i = 0; i < a.Count; i++)
            box.Remap(ref a.X[i], ref a.Y[i], ref a.Z[i], ref a.ImageA[i], ref a.ImageB[i], ref a.ImageC[i]);
        sim.ShrinkWrapBox(); // LAMMPS' reset_box: shrink-wrapped faces on the atoms before the operations
        double[] lo = [.. box.Lo], hi = [.. box.Hi];
        double xy = box.Xy, xz = box.Xz, yz = box.Yz;
        var saved = Save(lo, hi, xy, xz, yz);
        var moveAtoms = ops.Any(o => o.Kind is not (Op.Ortho or Op.Triclinic));
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case Op.Final or Op.Delta or Op.Scale:
                {
                    var volume = dimension == 2 ? (hi[0] - lo[0]) * (hi[1] - lo[1]) : (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
                    var d = op.Dim;
                    if (op.Kind == Op.Final)
                    {
                        lo[d] = scale[d] * op.A;
                        hi[d] = scale[d] * op.B;
                    }
                    else if (op.Kind == Op.Delta)
                    {
                        lo[d] += scale[d] * op.A;
                        hi[d] += scale[d] * op.B;
                    }
                    else
                    {
                        var mid = 0.5 * (lo[d] + hi[d]);
                        lo[d] = mid + op.A * (lo[d] - mid);
                        hi[d] = mid + op.A * (hi[d] - mid);
                    }
                    if (op.VDim1 >= 0) PreserveVolume(lo, hi, op.VDim1, op.VDim2, volume, dimension);
                    Apply(context, lo, hi, xy, xz, yz);
                    break;
                }
                case Op.TiltFinal or Op.TiltDelta:
                {
                    if (!box.IsTriclinic && !context.TriclinicBox) throw new UserInputException("Cannot change box tilt factors for orthogonal box");
                    var s = op.Dim == 2 ? scale[1] : scale[0];
                    ref var t = ref op.Dim == 0 ? ref xy : ref op.Dim == 1 ? ref xz : ref yz;
                    t = op.Kind == Op.TiltFinal ? s * op.A : t + s * op.A;
                    Apply(context, lo, hi, xy, xz, yz);
                    break;
                }
                case Op.Boundary:
                {
                    var faces = SimulationBox.ParseBoundary(op.Boundary, out var why)
                        ?? throw new UserInputException(why == "Both sides of boundary must be periodic" ? why : "Illegal change_box command");
                    var periodic = new bool[3];
                    for (var d = 0; d < 3; d++) periodic[d] = faces[2 * d] == 'p';
                    if (dimension == 2 && !periodic[2]) throw new UserInputException("Cannot change box z boundary to non-periodic for a 2d simulation");
                    // LAMMPS zeroes the image counts of directions that are not periodic (and warns when any was set)
                    var reset = false;
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (!periodic[0] && a.ImageA[i] != 0) { a.ImageA[i] = 0; reset = true; }
                        if (!periodic[1] && a.ImageB[i] != 0) { a.ImageB[i] = 0; reset = true; }
                        if (!periodic[2] && a.ImageC[i] != 0) { a.ImageC[i] = 0; reset = true; }
                    }
                    if (reset) context.Out.WriteLine("WARNING: Resetting image flags for non-periodic dimensions");
                    for (var d = 0; d < 3; d++)
                    {
                        box.Periodic[d] = periodic[d];
                        context.Periodic[d] = periodic[d];
                    }
                    box.SetBoundary(faces, expand: false);
                    context.Boundary = faces;
                    Apply(context, lo, hi, xy, xz, yz);
                    break;
                }
                case Op.Ortho:
                    if (xy != 0 || xz != 0 || yz != 0) throw new UserInputException("Cannot change box to orthogonal when tilt is non-zero");
                    if (context.Dumps.Count > 0) throw new UserInputException("Cannot change box ortho/triclinic with dumps defined");
                    context.TriclinicBox = false;
                    PrintBox(context, lo, hi, xy, xz, yz);
                    break;
                case Op.Triclinic:
                    if (context.Dumps.Count > 0) throw new UserInputException("Cannot change box ortho/triclinic with dumps defined");
                    context.TriclinicBox = true;
                    PrintBox(context, lo, hi, xy, xz, yz);
                    break;
                case Op.Set:
                    saved = Save(lo, hi, xy, xz, yz);
                    break;
                case Op.Remap:
                {
                    var now = Save(lo, hi, xy, xz, yz);
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (!group.Contains(a.Id[i])) continue;
                        var (l0, l1, l2) = ToLamda(saved, a.X[i], a.Y[i], a.Z[i]);
                        (a.X[i], a.Y[i], a.Z[i]) = FromLamda(now, l0, l1, l2);
                    }
                    saved = now;
                    break;
                }
            }
        }
        sim.ShrinkWrapBox(); // LAMMPS applies shrink-wrapping after the operations
        if (!moveAtoms) return;
        // map every atom into the new box, keeping image counts; atoms outside a non-periodic face are refused
        AtomDisplacer.RemapAll(sim);
        for (var i = 0; i < a.Count; i++)
            if (!box.InsideNonPeriodic(a.X[i], a.Y[i], a.Z[i]))
                throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                    $"Lost atoms via change_box: atom {a.Id[i]} at ({a.X[i]:G6}, {a.Y[i]:G6}, {a.Z[i]:G6}) is outside the new box along a non-periodic direction (LAMMPS drops such atoms); enlarge the box or use remap"));
    }

    /// <summary>Sets the simulation box (checks the tilt as LAMMPS' set_initial_box) and prints it as LAMMPS' print_box.</summary>
    private static void Apply(DeckContext context, double[] lo, double[] hi, double xy, double xz, double yz)
    {
        var box = context.Simulation.Box!;
        for (var d = 0; d < 3; d++)
            if (!(hi[d] > lo[d])) throw new UserInputException("Box bounds are invalid or missing");
        var p = box.Periodic;
        if ((p[0] && Math.Abs(xy / (hi[0] - lo[0])) > 0.5) || (p[0] && Math.Abs(xz / (hi[0] - lo[0])) > 0.5) || (p[1] && Math.Abs(yz / (hi[1] - lo[1])) > 0.5))
            throw new UserInputException("Triclinic box skew is too large");
        box.Reshape(lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], xy, xz, yz);
        // LAMMPS' set_initial_box after each operation: shrink-wrapped faces move out by 1e-4 of the new lengths
        // ('m' faces take the new bounds as their minimum); the next operation starts from those bounds
        if (box.ShrinkWraps)
        {
            box.SetBoundary(box.Faces);
            for (var d = 0; d < 3; d++) (lo[d], hi[d]) = (box.Lo[d], box.Hi[d]);
        }
        PrintBox(context, lo, hi, xy, xz, yz);
    }

    private static void PrintBox(DeckContext context, double[] lo, double[] hi, double xy, double xz, double yz)
    {
        static string G(double v) => CFormat.G(v, 8);
        var tri = xy != 0 || xz != 0 || yz != 0 || context.TriclinicBox;
        context.Out.WriteLine($"  {(tri ? "triclinic" : "orthogonal")} box = ({G(lo[0])} {G(lo[1])} {G(lo[2])}) to ({G(hi[0])} {G(hi[1])} {G(hi[2])})"
            + (tri ? $" with tilt ({G(xy)} {G(xz)} {G(yz)})" : ""));
    }

    /// <summary>LAMMPS' volume_preserve: rescale one direction (or two, by √) about its middle to the old volume.</summary>
    private static void PreserveVolume(double[] lo, double[] hi, int d1, int d2, double oldVolume, int dimension)
    {
        var newVolume = (hi[0] - lo[0]) * (hi[1] - lo[1]);
        if (dimension == 3) newVolume *= hi[2] - lo[2];
        var s = oldVolume / newVolume;
        if (d2 < 0)
        {
            Stretch(lo, hi, d1, s);
            return;
        }
        Stretch(lo, hi, d1, Math.Sqrt(s));
        Stretch(lo, hi, d2, Math.Sqrt(s));
    }

    private static void Stretch(double[] lo, double[] hi, int d, double s)
    {
        var mid = 0.5 * (lo[d] + hi[d]);
        var delta = lo[d] - mid;
        lo[d] = mid + s * delta;
        delta = hi[d] - mid;
        hi[d] = mid + s * delta;
    }

    /// <summary>A box state as LAMMPS keeps it for lamda coordinates: boxlo and h (xprd yprd zprd yz xz xy) with h_inv.</summary>
    private static double[] Save(double[] lo, double[] hi, double xy, double xz, double yz)
    {
        double h0 = hi[0] - lo[0], h1 = hi[1] - lo[1], h2 = hi[2] - lo[2], h3 = yz, h4 = xz, h5 = xy;
        return
        [
            lo[0], lo[1], lo[2], h0, h1, h2, h3, h4, h5,
            1.0 / h0, 1.0 / h1, 1.0 / h2, -h3 / (h1 * h2), (h3 * h5 - h1 * h4) / (h0 * h1 * h2), -h5 / (h0 * h1),
        ];
    }

    private static (double, double, double) ToLamda(double[] s, double x, double y, double z)
    {
        double d0 = x - s[0], d1 = y - s[1], d2 = z - s[2];
        return (s[9] * d0 + s[14] * d1 + s[13] * d2, s[10] * d1 + s[12] * d2, s[11] * d2);
    }

    private static (double, double, double) FromLamda(double[] s, double l0, double l1, double l2) =>
        (s[3] * l0 + s[8] * l1 + s[7] * l2 + s[0], s[4] * l1 + s[6] * l2 + s[1], s[5] * l2 + s[2]);

    private static UserInputException Illegal() => new("Illegal change_box command");

    private static double Number(string w) =>
        double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v
        : throw new UserInputException($"Expected floating point parameter instead of '{w}' in input script or data file");
}
