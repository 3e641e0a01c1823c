namespace DeepMD.Sharp.Models.Loading;

using DeepMD.Sharp.Models.Descriptors;

/// <summary>
/// The descriptors <see cref="ModelReader"/> reads, by DeePMD-kit's <c>type</c> string: se_e2_a, se_e2_r, se_atten (dpa1), se_atten_v2, dpa2, dpa3 and hybrid built in,
/// others added with <see cref="Register"/> (explicitly, by the program or plugin that defines them).
/// </summary>
public static class DescriptorReaders
{
    private static readonly object Lock = new();
    private static readonly List<DescriptorReader> Types = [SeE2ASpec.ReadAs, SeE2RSpec.ReadAs, SeAttenSpec.ReadAs, SeAttenSpec.ReadAsV2, Dpa2Spec.ReadAs, Dpa3Spec.ReadAs, HybridSpec.ReadAs];

    /// <summary>The canonical type strings, in registration order.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Lock) return Types.Select(t => t.Name).ToList();
        }
    }

    /// <summary>Adds a descriptor type, or replaces the one with the same name.</summary>
    public static void Register(DescriptorReader type)
    {
        ArgumentNullException.ThrowIfNull(type);
        lock (Lock)
        {
            var k = Types.FindIndex(t => t.Name == type.Name);
            if (k >= 0) Types[k] = type;
            else Types.Add(type);
        }
    }

    /// <summary>Removes the descriptor type called <paramref name="name"/>; whether there was one.</summary>
    public static bool Unregister(string name)
    {
        lock (Lock) return Types.RemoveAll(t => t.Name == name) > 0;
    }

    /// <summary>The descriptor type stored as <paramref name="type"/> (its name or an alias), or null.</summary>
    public static DescriptorReader? Find(string type)
    {
        lock (Lock) return Types.FirstOrDefault(t => t.Name == type) ?? Types.FirstOrDefault(t => t.Aliases.Contains(type));
    }
}
