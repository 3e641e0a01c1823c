namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Bonded;

/// <summary>The bonded styles this engine computes, by kind; other LAMMPS styles are refused by name.</summary>
internal static class BondedStyleNames
{
    public static readonly string[] Bond = ["harmonic", "fene", "zero", "none"];
    public static readonly string[] Angle = ["harmonic", "zero", "none"];
    public static readonly string[] Dihedral = ["harmonic", "zero", "none"];
    public static readonly string[] Improper = ["zero", "none"];

    /// <summary>LAMMPS' "X_style command when no Xs allowed": the atom style must hold the kind.</summary>
    public static void RequireAllowed(DeckContext context, DeckArguments args, string kind)
    {
        var ok = kind switch
        {
            "bond" => context.MolecularStyle,
            "angle" => context.AtomStyle is "angle" or "molecular" or "full",
            _ => context.AtomStyle is "molecular" or "full",
        };
        if (!ok) throw args.Error($"{kind}_style command when no {kind}s allowed: atom style {context.AtomStyle} holds no {kind}s; set atom_style {(kind == "bond" ? "bond, angle, " : kind == "angle" ? "angle, " : "")}molecular or full first");
    }

    public static UserInputException Unsupported(DeckArguments args, string kind, string style, string[] supported) =>
        args.Error($"{kind} style '{style}' is not supported; supported {kind} styles: {string.Join(", ", supported)}");

    /// <summary>Parses <c>KIND_coeff N c1 c2 ...</c> into the style (N a type or type range of the topology's types).</summary>
    public static void Coeff(DeckContext context, DeckArguments args, BondedStyle? style, string kind, Func<int> typeCount)
    {
        args.RequireAtLeast(1, "N coefficients...");
        if (!context.HasSimulation) throw args.Error($"{char.ToUpperInvariant(kind[0])}{kind[1..]}_coeff command before simulation box is defined");
        if (style is null) throw args.Error($"{kind}_coeff command before {kind}_style is defined");
        var types = typeCount();
        if (types == 0) throw args.Error($"{kind}_coeff command with no {kind} types (the data file or create_box declares none)");
        var (lo, hi) = TypeRange.Parse(args, args[0], types);
        var values = new double[args.Count - 1];
        for (var k = 1; k < args.Count; k++) values[k - 1] = args.Double(k, $"{kind} coefficient");
        style.SetCoeff(lo, hi, values);
    }
}

/// <summary><c>bond_style harmonic|fene|zero|none</c> (harmonic: K r0; fene: K R0 epsilon sigma).</summary>
[DeckCommand("bond_style")]
public sealed class BondStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "harmonic|fene|zero|none");
        BondedStyleNames.RequireAllowed(context, args, "bond");
        context.Bonded.Bond = args[0] switch
        {
            "harmonic" => new BondHarmonic(),
            "fene" => new BondFene(),
            "zero" => new BondZero(),
            "none" => null,
            var s => throw BondedStyleNames.Unsupported(args, "bond", s, BondedStyleNames.Bond),
        };
    }
}

/// <summary><c>bond_coeff N args</c> for the current bond style.</summary>
[DeckCommand("bond_coeff")]
public sealed class BondCoeffCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args) =>
        BondedStyleNames.Coeff(context, args, context.Bonded.Bond, "bond", () => context.Simulation.Atoms.Topology.BondTypes);
}

/// <summary><c>angle_style harmonic|zero|none</c> (harmonic: K theta0 in degrees).</summary>
[DeckCommand("angle_style")]
public sealed class AngleStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "harmonic|zero|none");
        BondedStyleNames.RequireAllowed(context, args, "angle");
        context.Bonded.Angle = args[0] switch
        {
            "harmonic" => new AngleHarmonic(),
            "zero" => new AngleZero(),
            "none" => null,
            var s => throw BondedStyleNames.Unsupported(args, "angle", s, BondedStyleNames.Angle),
        };
    }
}

/// <summary><c>angle_coeff N args</c> for the current angle style.</summary>
[DeckCommand("angle_coeff")]
public sealed class AngleCoeffCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args) =>
        BondedStyleNames.Coeff(context, args, context.Bonded.Angle, "angle", () => context.Simulation.Atoms.Topology.AngleTypes);
}

/// <summary>
/// <c>dihedral_style harmonic|zero|none</c> (harmonic: K d n); zero keeps the dihedrals (written, counted) without
/// force; other styles are refused.
/// </summary>
[DeckCommand("dihedral_style")]
public sealed class DihedralStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "harmonic|zero|none");
        BondedStyleNames.RequireAllowed(context, args, "dihedral");
        if (!BondedStyleNames.Dihedral.Contains(args[0])) throw BondedStyleNames.Unsupported(args, "dihedral", args[0], BondedStyleNames.Dihedral);
        context.Bonded.DihedralStyle = args[0];
        context.Bonded.Dihedral = args[0] switch
        {
            "harmonic" => new DihedralHarmonic(),
            _ => null,
        };
    }
}

/// <summary><c>dihedral_coeff N args</c> for the current dihedral style (zero: accepted, nothing to compute).</summary>
[DeckCommand("dihedral_coeff")]
public sealed class DihedralCoeffCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (context.Bonded.DihedralStyle is null) throw args.Error("dihedral_coeff command before dihedral_style is defined");
        if (context.Bonded.Dihedral is { } style)
            BondedStyleNames.Coeff(context, args, style, "dihedral", () => context.Simulation.Atoms.Topology.DihedralTypes);
    }
}

/// <summary><c>improper_style zero|none</c>: impropers are kept and written; no improper force is computed.</summary>
[DeckCommand("improper_style")]
public sealed class ImproperStyleCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "zero|none");
        BondedStyleNames.RequireAllowed(context, args, "improper");
        if (!BondedStyleNames.Improper.Contains(args[0])) throw BondedStyleNames.Unsupported(args, "improper", args[0], BondedStyleNames.Improper);
        context.Bonded.ImproperStyle = args[0];
    }
}

/// <summary><c>improper_coeff N [...]</c> for improper_style zero.</summary>
[DeckCommand("improper_coeff")]
public sealed class ImproperCoeffCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (context.Bonded.ImproperStyle is null) throw args.Error("improper_coeff command before improper_style is defined");
    }
}

/// <summary>
/// <c>special_bonds [lj/coul w1 w2 w3] [lj w1 w2 w3] [coul w1 w2 w3] [fene|charmm|amber|dreiding] [angle yes|no] [dihedral yes|no]</c>:
/// weights of the pair interaction of 1-2, 1-3, 1-4 neighbors (LAMMPS' keywords; each call starts from 0 0 0, as LAMMPS does).
/// </summary>
[DeckCommand("special_bonds")]
public sealed class SpecialBondsCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        var sp = context.Bonded.Special;
        // LAMMPS resets to the defaults at each special_bonds command.
        double[] lj = [0, 0, 0], coul = [0, 0, 0];
        bool angle = false, dihedral = false;
        void Three(int k, double[] into)
        {
            if (k + 3 >= args.Count) throw args.Error($"{args[k]} needs three weights (1-2 1-3 1-4)");
            for (var j = 0; j < 3; j++)
            {
                var w = args.Double(k + 1 + j, "special weight");
                if (w < 0 || w > 1) throw args.Error($"special weight {w} is outside 0..1");
                into[j] = w;
            }
        }
        for (var k = 0; k < args.Count; k++)
        {
            switch (args[k])
            {
                case "lj/coul":
                    Three(k, lj);
                    Array.Copy(lj, coul, 3);
                    k += 3;
                    break;
                case "lj":
                    Three(k, lj);
                    k += 3;
                    break;
                case "coul":
                    Three(k, coul);
                    k += 3;
                    break;
                case "fene":
                    (lj[0], lj[1], lj[2]) = (0, 1, 1);
                    (coul[0], coul[1], coul[2]) = (0, 1, 1);
                    break;
                case "charmm":
                    (lj[0], lj[1], lj[2]) = (0, 0, 0);
                    (coul[0], coul[1], coul[2]) = (0, 0, 0);
                    break;
                case "amber":
                    (lj[0], lj[1], lj[2]) = (0, 0, 0.5);
                    (coul[0], coul[1], coul[2]) = (0, 0, 5.0 / 6.0);
                    break;
                case "dreiding":
                    (lj[0], lj[1], lj[2]) = (0, 0, 1);
                    (coul[0], coul[1], coul[2]) = (0, 0, 1);
                    break;
                case "angle":
                    angle = args.YesNo(k + 1, "angle");
                    k++;
                    break;
                case "dihedral":
                    dihedral = args.YesNo(k + 1, "dihedral");
                    k++;
                    break;
                default:
                    throw args.UnknownKeyword(args[k], ["lj/coul", "lj", "coul", "fene", "charmm", "amber", "dreiding", "angle", "dihedral"]);
            }
        }
        lj.CopyTo(sp.Lj, 0);
        coul.CopyTo(sp.Coul, 0);
        sp.Angle = angle;
        sp.Dihedral = dihedral;
        context.Bonded.Invalidate();
    }
}
