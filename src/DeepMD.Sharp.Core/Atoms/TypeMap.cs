namespace DeepMD.Sharp.Core.Atoms;

using DeepMD.Sharp.Core.Errors;

/// <summary>The ordered list of element (species) names of a model; type index i is <c>Names[i]</c>.</summary>
public sealed class TypeMap
{
    private readonly Dictionary<string, int> _index;

    public TypeMap(IEnumerable<string> names)
    {
        Names = names.ToArray();
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Names.Count; i++)
        {
            if (!_index.TryAdd(Names[i], i))
                throw new UserInputException($"type map lists '{Names[i]}' twice: [{string.Join(", ", Names)}]");
        }
    }

    /// <summary>Element names in type order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of types.</summary>
    public int Count => Names.Count;

    /// <summary>The type index of <paramref name="name"/>, or -1 if the map does not contain it.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out var i) ? i : -1;

    public override string ToString() => string.Join(",", Names);
}
