namespace DeepMD.Sharp.Core.Atoms;

/// <summary>
/// Per-atom data as structure of arrays: ids, types, positions, velocities, forces and periodic image counts.
/// Positions are kept inside the periodic box after every neighbor rebuild (like LAMMPS), with the image counts
/// recording how many box lengths were removed. Units are those of the simulation's unit style.
/// </summary>
public sealed class AtomState
{
    /// <summary>An empty state with room for <paramref name="capacity"/> atoms.</summary>
    public AtomState(int capacity = 0)
    {
        Resize(capacity);
        Count = 0;
    }

    /// <summary>Number of atoms.</summary>
    public int Count { get; private set; }

    /// <summary>Atom ids (LAMMPS tags, 1-based).</summary>
    public int[] Id { get; private set; } = [];

    /// <summary>Atom types, 0-based (LAMMPS type − 1).</summary>
    public int[] Type { get; private set; } = [];

    public double[] X { get; private set; } = [];

    public double[] Y { get; private set; } = [];

    public double[] Z { get; private set; } = [];

    public double[] Vx { get; private set; } = [];

    public double[] Vy { get; private set; } = [];

    public double[] Vz { get; private set; } = [];

    /// <summary>Forces of the last evaluation (arrays owned by the simulation's force result, which sets them).</summary>
    public double[] Fx { get; set; } = [];

    public double[] Fy { get; set; } = [];

    public double[] Fz { get; set; } = [];

    /// <summary>Image counts along the three lattice directions (unwrapped = wrapped + image · lattice vector).</summary>
    public int[] ImageA { get; private set; } = [];

    public int[] ImageB { get; private set; } = [];

    public int[] ImageC { get; private set; } = [];

    /// <summary>Per-atom charge (atom_style charge; 0 for atoms created without one).</summary>
    public double[] Q { get; private set; } = [];

    /// <summary>Whether the atoms carry charges (LAMMPS' atom_style charge): data files are then read and written with them.</summary>
    public bool HasCharge { get; set; }

    /// <summary>Molecule id of each atom (atom styles bond, angle, molecular, full; 0 = no molecule).</summary>
    public int[] Molecule { get; private set; } = [];

    /// <summary>
    /// LAMMPS' atom style: atomic, charge, bond, angle, molecular or full. Setting it also sets <see cref="HasCharge"/>
    /// (charge, full).
    /// </summary>
    public string Style
    {
        get => _style;
        set
        {
            _style = value;
            HasCharge = value is "charge" or "full";
        }
    }

    private string _style = "atomic";

    /// <summary>Whether the atom style carries molecule ids and bonds (bond, angle, molecular, full).</summary>
    public bool HasMolecule => _style is "bond" or "angle" or "molecular" or "full";

    /// <summary>Bonds, angles, dihedrals and impropers by atom id (empty for atomic and charge styles).</summary>
    public MolecularTopology Topology { get; set; } = new();

    /// <summary>Appends one atom at rest; returns its index.</summary>
    public int Add(int id, int type, double x, double y, double z)
    {
        if (Count == Id.Length) Resize(Math.Max(16, 2 * Count));
        var i = Count++;
        Id[i] = id;
        Type[i] = type;
        X[i] = x;
        Y[i] = y;
        Z[i] = z;
        Vx[i] = Vy[i] = Vz[i] = 0;
        ImageA[i] = ImageB[i] = ImageC[i] = 0;
        Q[i] = 0;
        Molecule[i] = 0;
        return i;
    }

    /// <summary>Removes all atoms (capacity is kept).</summary>
    public void Clear() => Count = 0;

    /// <summary>
    /// Removes the atoms whose index is marked in <paramref name="remove"/> (length ≥ <see cref="Count"/>) the way
    /// LAMMPS' delete_atoms does: scanning up, a removed atom's slot takes the current last atom (every per-atom array,
    /// forces included), so the storage order afterwards is LAMMPS'. Returns how many were removed.
    /// </summary>
    public int RemoveSwappingLast(Span<bool> remove)
    {
        var before = Count;
        var i = 0;
        while (i < Count)
        {
            if (!remove[i])
            {
                i++;
                continue;
            }
            var last = Count - 1;
            Id[i] = Id[last];
            Type[i] = Type[last];
            (X[i], Y[i], Z[i]) = (X[last], Y[last], Z[last]);
            (Vx[i], Vy[i], Vz[i]) = (Vx[last], Vy[last], Vz[last]);
            (ImageA[i], ImageB[i], ImageC[i]) = (ImageA[last], ImageB[last], ImageC[last]);
            Q[i] = Q[last];
            Molecule[i] = Molecule[last];
            if (last < Fx.Length) (Fx[i], Fy[i], Fz[i]) = (Fx[last], Fy[last], Fz[last]);
            remove[i] = remove[last];
            Count--;
        }
        return before - Count;
    }

    /// <summary>Drops unused capacity so that every array has exactly <see cref="Count"/> entries.</summary>
    public void Trim() => Resize(Count);

    /// <summary>Largest atom id, or 0 without atoms.</summary>
    public int MaxId()
    {
        var m = 0;
        for (var i = 0; i < Count; i++) m = Math.Max(m, Id[i]);
        return m;
    }

    private void Resize(int n)
    {
        static T[] Grow<T>(T[] a, int n)
        {
            var b = new T[n];
            Array.Copy(a, b, Math.Min(a.Length, n));
            return b;
        }
        Id = Grow(Id, n);
        Type = Grow(Type, n);
        X = Grow(X, n);
        Y = Grow(Y, n);
        Z = Grow(Z, n);
        Vx = Grow(Vx, n);
        Vy = Grow(Vy, n);
        Vz = Grow(Vz, n);
        ImageA = Grow(ImageA, n);
        ImageB = Grow(ImageB, n);
        ImageC = Grow(ImageC, n);
        Q = Grow(Q, n);
        Molecule = Grow(Molecule, n);
        Count = Math.Min(Count, n);
    }
}
