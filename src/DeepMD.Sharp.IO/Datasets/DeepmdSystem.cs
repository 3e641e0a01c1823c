namespace DeepMD.Sharp.IO.Datasets;

/// <summary>
/// One DeePMD-kit training system: a fixed list of atom types and a number of labelled frames
/// (deepmd/npy directory or deepmd/hdf5 group). Units: Å, eV, eV/Å.
/// </summary>
public sealed class DeepmdSystem
{
    /// <summary>Creates a system; arrays are frame-major as in the <c>.npy</c> files.</summary>
    public DeepmdSystem(string name, int[] types, string[]? typeNames, bool periodic, int frameCount,
        double[] coords, double[]? boxes, double[]? energies, double[]? forces, double[]? virials)
    {
        Name = name;
        Types = types;
        TypeNames = typeNames;
        Periodic = periodic;
        FrameCount = frameCount;
        Coords = coords;
        Boxes = boxes;
        Energies = energies;
        Forces = forces;
        Virials = virials;
    }

    /// <summary>Where the system came from (directory, or <c>file#/group</c>).</summary>
    public string Name { get; }

    /// <summary>Per-atom type index into <see cref="TypeNames"/> (type.raw), length <see cref="AtomCount"/>.</summary>
    public int[] Types { get; }

    /// <summary>Element names from type_map.raw, or null when the system has none.</summary>
    public string[]? TypeNames { get; }

    /// <summary>False when the system has the <c>nopbc</c> marker.</summary>
    public bool Periodic { get; }

    /// <summary>Number of frames over all sets.</summary>
    public int FrameCount { get; }

    /// <summary>Number of atoms per frame.</summary>
    public int AtomCount => Types.Length;

    /// <summary>Coordinates, Å: [frame][atom][3].</summary>
    public double[] Coords { get; }

    /// <summary>Cells, Å: [frame][9], rows are lattice vectors; null without PBC.</summary>
    public double[]? Boxes { get; }

    /// <summary>Frame energies, eV: [frame]; null when not labelled.</summary>
    public double[]? Energies { get; }

    /// <summary>Forces, eV/Å: [frame][atom][3]; null when not labelled.</summary>
    public double[]? Forces { get; }

    /// <summary>Virials, eV: [frame][9] (+Σ x⊗F); null when not labelled.</summary>
    public double[]? Virials { get; }

    /// <summary>Positions of frame <paramref name="f"/> as fresh SoA arrays, Å, and its cell (null without PBC).</summary>
    public (double[] X, double[] Y, double[] Z, Core.Geometry.Box? Box) Frame(int f)
    {
        var n = AtomCount;
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        for (var i = 0; i < n; i++)
        {
            x[i] = Coords[(f * n + i) * 3];
            y[i] = Coords[(f * n + i) * 3 + 1];
            z[i] = Coords[(f * n + i) * 3 + 2];
        }
        return (x, y, z, Boxes is null ? null : new Core.Geometry.Box(Boxes.AsSpan(f * 9, 9)));
    }

    /// <summary>Number of atoms of each type index 0..<paramref name="typeCount"/>-1.</summary>
    public int[] CountTypes(int typeCount)
    {
        var counts = new int[typeCount];
        foreach (var t in Types) counts[t]++;
        return counts;
    }

    /// <summary>Returns a copy whose atom types are renumbered through <paramref name="map"/> (old index → new index).</summary>
    public DeepmdSystem WithTypes(int[] map, string[] typeNames) =>
        new(Name, Types.Select(t => map[t]).ToArray(), typeNames, Periodic, FrameCount, Coords, Boxes, Energies, Forces, Virials);

    /// <summary>
    /// Renumbers atom types to indices of <paramref name="typeMap"/> using type_map.raw names (a system without
    /// type_map.raw must already use the model's indices).
    /// </summary>
    public DeepmdSystem MapTo(IReadOnlyList<string> typeMap)
    {
        if (TypeNames is null)
        {
            var bad = Types.FirstOrDefault(t => t >= typeMap.Count, -1);
            if (bad >= 0) throw new Core.Errors.UserInputException($"type index {bad} in type.raw is outside the model's type_map [{string.Join(", ", typeMap)}]", Name);
            return this;
        }
        var names = typeMap.ToList();
        var map = new int[TypeNames.Length];
        for (var k = 0; k < map.Length; k++)
        {
            map[k] = names.IndexOf(TypeNames[k]);
            if (map[k] < 0 && Types.Contains(k))
                throw new Core.Errors.UserInputException($"element '{TypeNames[k]}' of type_map.raw is not in the model's type_map [{string.Join(", ", typeMap)}]", Name);
        }
        return WithTypes(map, typeMap.ToArray());
    }
}
