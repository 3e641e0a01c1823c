namespace DeepMD.Sharp.Input;

using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Loading;

/// <summary>
/// What <c>dpsharp styles</c> and the deck command <c>info styles</c> print: the deck commands, pair styles and fix
/// styles of a <see cref="StyleRegistry"/> (those from other assemblies marked with it), the descriptors the model
/// reader knows, and the backends of a <see cref="BackendRegistry"/> in the order automatic selection tries them,
/// each with whether it can run here and why not.
/// </summary>
public static class StyleListing
{
    private const int Width = 100;

    /// <summary>Writes the listing to <paramref name="o"/>.</summary>
    public static void Write(TextWriter o, StyleRegistry styles, BackendRegistry backends)
    {
        Names(o, "commands", StyleKind.Command, styles.CommandNames.ToList(), styles);
        Names(o, "pair styles", StyleKind.PairStyle, styles.PairStyleNames.ToList(), styles);
        Names(o, "fix styles", StyleKind.FixStyle, styles.FixStyleNames.ToList(), styles);
        Wrapped(o, $"compute styles ({Computes.ComputeStyles.Names.Count}):", Computes.ComputeStyles.Names);
        var readers = DescriptorReaders.Names.Select(n => DescriptorReaders.Find(n)!).ToList();
        Wrapped(o, $"descriptors ({readers.Count}):", readers.Select(r => r.Aliases.Count == 0 ? r.Name : $"{r.Name} ({string.Join(", ", r.Aliases)})"));
        var list = backends.Backends;
        o.WriteLine($"backends ({list.Count}, in the order --backend auto tries them):");
        var providers = backends.Providers;
        var nameWidth = list.Max(b => Label(b).Length);
        foreach (var b in list)
        {
            var available = b.IsAvailable(out var device);
            var descriptors = providers.Where(p => p.Backend == b.Name).Select(p => p.Descriptor == IEvaluatorProvider.AnyDescriptor ? "any descriptor" : p.Descriptor).Distinct();
            o.WriteLine($"  {Label(b).PadRight(nameWidth)}  {(available ? "available" : "not available")}: {b.Summary}; {string.Join(", ", descriptors)}");
            if (!available) o.WriteLine($"  {"".PadRight(nameWidth)}  needs {b.Requirement}: {device}");
            else if (device.Length > 0) o.WriteLine($"  {"".PadRight(nameWidth)}  device: {device}");
        }
    }

    private static string Label(BackendInfo b) => b.Aliases.Count == 0 ? b.Name : $"{b.Name} ({string.Join(", ", b.Aliases)})";

    private static void Names(TextWriter o, string title, StyleKind kind, List<string> names, StyleRegistry styles)
    {
        var own = typeof(StyleListing).Assembly.GetName().Name;
        Wrapped(o, $"{title} ({names.Count}):", names.Select(n => styles.Origin(kind, n) is { } origin && origin != own ? $"{n} [{origin}]" : n));
    }

    /// <summary>The title, then the words on indented lines of at most <see cref="Width"/> characters.</summary>
    private static void Wrapped(TextWriter o, string title, IEnumerable<string> words)
    {
        o.WriteLine(title);
        var line = "  ";
        foreach (var w in words)
        {
            if (line.Length > 2 && line.Length + 1 + w.Length > Width)
            {
                o.WriteLine(line);
                line = "  ";
            }
            line += (line.Length > 2 ? " " : "") + w;
        }
        if (line.Length > 2) o.WriteLine(line);
    }
}
