namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>atom_style atomic|charge|bond|angle|molecular|full</c>: the per-atom data of data files and of the run (charges for
/// charge and full, molecule ids and bonded topology for bond, angle, molecular and full, each style allowing the terms
/// LAMMPS allows it). Other LAMMPS styles (hybrid, sphere, ...) are refused by name.
/// </summary>
[DeckCommand("atom_style")]
public sealed class AtomStyleCommand : IDeckCommand
{
    /// <summary>The styles this engine holds.</summary>
    public static readonly string[] Supported = ["atomic", "charge", "bond", "angle", "molecular", "full"];

    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "atomic");
        if (context.HasSimulation) throw args.Error("Atom_style command after simulation box is defined");
        var style = args[0];
        if (style == "hybrid")
            throw args.Error("atom style hybrid is not supported (sub-styles " + (args.Count > 1 ? string.Join(" ", Enumerable.Range(1, args.Count - 1).Select(k => args[k])) : "none") +
                "); use one of " + string.Join(", ", Supported) + " (full holds charges, molecule ids and all bonded terms)");
        if (!Supported.Contains(style))
            throw args.Error($"atom style '{style}' is not supported; use one of {string.Join(", ", Supported)}");
        if (args.Count > 1) throw args.Error($"atom style {style} takes no arguments, found '{args[1]}'");
        context.AtomStyle = style;
    }
}
