namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Atoms;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID group property/atom i_NAME|d_NAME ... [ghost yes|no]</c>: declares custom per-atom integer or floating-point
/// vectors (LAMMPS' fix property/atom), held in <see cref="Simulation.CustomProperties"/> until the fix is removed. The
/// <c>mol</c>, <c>q</c> and <c>rmass</c> attributes and the array forms (<c>i2_</c>, <c>d2_</c>) are refused by name.
/// </summary>
[FixStyle("property/atom")]
public sealed class PropertyAtomFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count < 1) throw new UserInputException("Illegal fix property/atom command");
        if (context.Communicator is { Size: > 1 })
            throw new UserInputException("fix property/atom: custom per-atom vectors do not travel with atoms between ranks yet; run this deck in one process (without mpirun)");
        var names = new List<(string Name, bool Integer)>();
        for (var k = 0; k < args.Count; k++)
        {
            var w = args[k];
            if (w == "ghost")
            {
                if (k + 1 >= args.Count || args[k + 1] is not ("yes" or "no")) throw new UserInputException("Illegal fix property/atom command");
                k++; // ghost atoms do not carry custom values here: every evaluation that reads them does so by atom id
                continue;
            }
            if (w is "mol" or "q" or "rmass" || w.StartsWith("i2_", StringComparison.Ordinal) || w.StartsWith("d2_", StringComparison.Ordinal))
                throw new UserInputException($"fix property/atom: '{w}' is not supported yet (custom vectors i_NAME and d_NAME are)");
            if (w.Length > 2 && (w.StartsWith("i_", StringComparison.Ordinal) || w.StartsWith("d_", StringComparison.Ordinal)))
            {
                if (names.Any(n => n.Name == w[2..])) throw new UserInputException("Fix property/atom vector name already exists");
                names.Add((w[2..], w[0] == 'i'));
                continue;
            }
            throw new UserInputException("Illegal fix property/atom command");
        }
        if (names.Count == 0) throw new UserInputException("Illegal fix property/atom command");
        var props = context.Simulation.CustomProperties;
        foreach (var (name, _) in names)
            if (props.Find(name) is not null) throw new UserInputException("Fix property/atom vector name already exists");
        foreach (var (name, integer) in names) props.Add(name, integer);
        return new FixPropertyAtom(id, props, [.. names.Select(n => n.Name)]);
    }

    /// <summary>The fix itself does nothing during a run; removing it (unfix) removes its vectors, as in LAMMPS.</summary>
    private sealed class FixPropertyAtom(string id, CustomAtomProperties props, string[] names) : Fix(id), IDisposable
    {
        public override string Style => "property/atom";

        public override bool SupportsGroups => true;

        public void Dispose()
        {
            foreach (var n in names) props.Remove(n);
        }
    }
}
