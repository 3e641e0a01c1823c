namespace DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// A named set of atoms (LAMMPS' <c>group</c>). Membership is fixed when the group is defined, by atom id, as in
/// LAMMPS (atoms created later join only <c>all</c>). <see cref="All"/> contains every atom, present or future.
/// </summary>
public sealed class AtomGroup
{
    private readonly HashSet<int>? _ids;

    private AtomGroup(string name, HashSet<int>? ids)
    {
        Name = name;
        _ids = ids;
    }

    /// <summary>The group of all atoms.</summary>
    public static AtomGroup All { get; } = new("all", null);

    /// <summary>A group of the given atom ids.</summary>
    public static AtomGroup Of(string name, IEnumerable<int> ids) => new(name, [.. ids]);

    public string Name { get; }

    /// <summary>Whether this is <c>all</c>.</summary>
    public bool IsAll => _ids is null;

    /// <summary>
    /// Adds an atom to the group (LAMMPS sets the group's bit in a new atom's mask: fix deposit puts each atom it inserts
    /// in its own group); nothing for <c>all</c>.
    /// </summary>
    public void Include(int atomId) => _ids?.Add(atomId);

    /// <summary>Whether the atom with this id belongs to the group.</summary>
    public bool Contains(int atomId) => _ids is null || _ids.Contains(atomId);

    /// <summary>Member ids (null for <c>all</c>).</summary>
    public IReadOnlyCollection<int>? Ids => _ids;

    /// <summary>Number of atoms of <paramref name="atoms"/> in the group.</summary>
    public int Count(Core.Atoms.AtomState atoms)
    {
        if (_ids is null) return atoms.Count;
        var n = 0;
        for (var i = 0; i < atoms.Count; i++) if (_ids.Contains(atoms.Id[i])) n++;
        return n;
    }
}
