namespace DeepMD.Sharp.Dynamics.Atoms;

/// <summary>
/// The custom per-atom vectors a deck declares with <c>fix property/atom i_NAME d_NAME</c> (LAMMPS' atom->ivector and
/// dvector): set with <c>set … i_NAME/d_NAME</c>, read by <c>compute property/atom</c>, dumps and <c>balance … weight
/// store</c>. Values are kept by atom id, so they follow the atoms whatever their storage order; an atom without a value
/// holds 0, as a newly created atom does in LAMMPS.
/// </summary>
public sealed class CustomAtomProperties
{
    private readonly Dictionary<string, CustomAtomProperty> _byName = new(StringComparer.Ordinal);

    /// <summary>The declared properties' names (without their i_/d_ prefix).</summary>
    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>The property called <paramref name="name"/> (without its i_/d_ prefix), or null.</summary>
    public CustomAtomProperty? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Declares a property; a name already declared is LAMMPS' "Fix property/atom vector name already exists".</summary>
    public CustomAtomProperty Add(string name, bool integer)
    {
        if (_byName.ContainsKey(name)) throw new Core.Errors.UserInputException("Fix property/atom vector name already exists");
        var p = new CustomAtomProperty(name, integer);
        _byName[name] = p;
        return p;
    }

    /// <summary>Forgets a property (its fix was removed).</summary>
    public void Remove(string name) => _byName.Remove(name);

    /// <summary>
    /// Looks up a deck word <c>i_NAME</c> or <c>d_NAME</c>: the property when it exists with that kind, else null
    /// (the caller words the error as LAMMPS does for its command).
    /// </summary>
    public CustomAtomProperty? FindPrefixed(string word)
    {
        if (word.Length < 3 || word[1] != '_' || (word[0] != 'i' && word[0] != 'd')) return null;
        var p = Find(word[2..]);
        return p is not null && p.IsInteger == (word[0] == 'i') ? p : null;
    }
}

/// <summary>One custom per-atom vector, integer (i_) or floating point (d_), by atom id.</summary>
public sealed class CustomAtomProperty(string name, bool integer)
{
    private double[] _byId = [];

    public string Name { get; } = name;

    public bool IsInteger { get; } = integer;

    /// <summary>The value of the atom with id <paramref name="id"/> (0 when never set).</summary>
    public double Get(int id) => (uint)id < (uint)_byId.Length ? _byId[id] : 0.0;

    /// <summary>Sets the value of atom <paramref name="id"/>; an integer property keeps the integer part (C's cast).</summary>
    public void Set(int id, double value)
    {
        if (id < 0) throw new ArgumentOutOfRangeException(nameof(id));
        if (id >= _byId.Length) Array.Resize(ref _byId, Math.Max(id + 1, 2 * _byId.Length));
        _byId[id] = IsInteger ? Math.Truncate(value) : value;
    }
}
