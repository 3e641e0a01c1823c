namespace DeepMD.Sharp.IO.Datasets;

using DeepMD.Sharp.Core.Errors;
using PureHDF;

/// <summary>Reads DeePMD-kit data systems: deepmd/npy directories and deepmd/hdf5 groups (<c>file.h5#/group</c>).</summary>
public static class DeepmdSystemReader
{
    /// <summary>Reads a system from a directory, or from <c>file.hdf5#/group</c> (a bare .h5/.hdf5 file means its root).</summary>
    public static DeepmdSystem Read(string spec)
    {
        var hash = spec.IndexOf('#');
        var file = hash >= 0 ? spec[..hash] : spec;
        if (hash >= 0 || (File.Exists(file) && (file.EndsWith(".h5", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".hdf5", StringComparison.OrdinalIgnoreCase))))
            return ReadHdf5(file, hash >= 0 ? spec[(hash + 1)..] : "/");
        return ReadNpy(spec);
    }

    /// <summary>Reads a deepmd/npy system directory.</summary>
    public static DeepmdSystem ReadNpy(string directory)
    {
        if (!Directory.Exists(directory)) throw new UserInputException("data system directory not found", directory);
        var typePath = Path.Combine(directory, "type.raw");
        if (!File.Exists(typePath)) throw new UserInputException("not a deepmd/npy system: type.raw is missing", directory);
        var types = ParseTypes(File.ReadAllText(typePath), typePath);
        var mapPath = Path.Combine(directory, "type_map.raw");
        var names = File.Exists(mapPath) ? ParseNames(File.ReadAllText(mapPath)) : null;
        var periodic = !File.Exists(Path.Combine(directory, "nopbc"));
        var sets = Directory.GetDirectories(directory, "set.*").OrderBy(d => d, StringComparer.Ordinal).ToArray();
        if (sets.Length == 0) throw new UserInputException("no set.* directories", directory);
        return Assemble(directory, types, names, periodic, sets.Select(s => (Func<string, NpyArray?>)(key =>
        {
            var p = Path.Combine(s, key);
            return File.Exists(p) ? NpyReader.Read(p) : null;
        })).ToArray(), sets);
    }

    /// <summary>Reads a deepmd/hdf5 system: group <paramref name="group"/> of <paramref name="file"/>.</summary>
    public static DeepmdSystem ReadHdf5(string file, string group)
    {
        if (!File.Exists(file)) throw new UserInputException("HDF5 data file not found", file);
        var name = $"{file}#{group}";
        using var h5 = H5File.OpenRead(file);
        IH5Group g = h5;
        var path = group.Trim('/');
        if (path.Length > 0)
        {
            if (!h5.LinkExists(path)) throw new UserInputException($"group '{group}' not found", file);
            g = h5.Group(path);
        }
        if (!g.LinkExists("type.raw")) throw new UserInputException($"group '{group}' is not a deepmd/hdf5 system: type.raw is missing", file);
        var types = ReadNumbers(g.Dataset("type.raw")).Select(v => (int)v).ToArray();
        string[]? names = null;
        if (g.LinkExists("type_map.raw"))
        {
            var ds = g.Dataset("type_map.raw");
            names = ds.Space.Type == H5DataspaceType.Scalar ? ParseNames(ds.Read<string>()) : ds.Read<string[]>().Select(s => s.Trim()).ToArray();
        }
        var periodic = !g.LinkExists("nopbc");
        var sets = g.Children().Select(c => c.Name).Where(n => n.StartsWith("set.", StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        if (sets.Length == 0) throw new UserInputException($"group '{group}' has no set.* groups", file);
        var loaders = sets.Select(s => (Func<string, NpyArray?>)(key =>
        {
            var sg = g.Group(s);
            if (!sg.LinkExists(key)) return null;
            var ds = sg.Dataset(key);
            return new NpyArray(ds.Space.Dimensions.Select(d => (int)d).ToArray(), ReadNumbers(ds));
        })).ToArray();
        return Assemble(name, types, names, periodic, loaders, sets.Select(s => $"{name}/{s}").ToArray());
    }

    private static double[] ReadNumbers(IH5Dataset ds)
    {
        var t = ds.Type;
        if (t.Class == H5DataTypeClass.FloatingPoint)
            return t.Size == 4 ? ds.Read<float[]>().Select(v => (double)v).ToArray() : ds.Read<double[]>();
        if (t.Class == H5DataTypeClass.FixedPoint)
            return t.Size switch
            {
                8 => ds.Read<long[]>().Select(v => (double)v).ToArray(),
                4 => ds.Read<int[]>().Select(v => (double)v).ToArray(),
                _ => throw new UserInputException($"integer dataset of {t.Size} bytes is not supported", ds.Name),
            };
        if (t.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength)
        {
            var text = ds.Space.Type == H5DataspaceType.Scalar ? ds.Read<string>() : string.Join(" ", ds.Read<string[]>());
            return ParseTypes(text, ds.Name ?? "dataset").Select(v => (double)v).ToArray();
        }
        throw new UserInputException($"dataset type {t.Class} is not supported", ds.Name);
    }

    private static DeepmdSystem Assemble(string name, int[] types, string[]? names, bool periodic, Func<string, NpyArray?>[] sets, string[] setNames)
    {
        var n = types.Length;
        var coords = new List<double>();
        var boxes = new List<double>();
        var energies = new List<double>();
        var forces = new List<double>();
        var virials = new List<double>();
        bool hasE = true, hasF = true, hasV = true;
        var frames = 0;
        for (var s = 0; s < sets.Length; s++)
        {
            var where = setNames[s];
            var coord = sets[s]("coord.npy") ?? throw new UserInputException("coord.npy is missing", where);
            if (coord.Data.Length % (3 * n) != 0)
                throw new UserInputException($"coord.npy has {coord.Data.Length} values, not a multiple of 3 × {n} atoms (type.raw)", where);
            var nf = coord.Data.Length / (3 * n);
            coords.AddRange(coord.Data);
            if (periodic)
            {
                var box = sets[s]("box.npy") ?? throw new UserInputException("box.npy is missing (add an empty 'nopbc' file for non-periodic data)", where);
                Check(box, nf * 9, "box.npy", where);
                boxes.AddRange(box.Data);
            }
            hasE &= Append(sets[s]("energy.npy"), energies, nf, "energy.npy", where);
            hasF &= Append(sets[s]("force.npy"), forces, nf * 3 * n, "force.npy", where);
            hasV &= Append(sets[s]("virial.npy"), virials, nf * 9, "virial.npy", where);
            frames += nf;
        }
        for (var i = 0; i < n; i++)
            if (types[i] < 0 || (names is not null && types[i] >= names.Length))
                throw new UserInputException($"atom {i + 1} has type {types[i]}, outside type_map.raw ({names?.Length ?? 0} names)", name);
        return new DeepmdSystem(name, types, names, periodic, frames, coords.ToArray(), periodic ? boxes.ToArray() : null,
            hasE ? energies.ToArray() : null, hasF ? forces.ToArray() : null, hasV ? virials.ToArray() : null);
    }

    private static bool Append(NpyArray? a, List<double> into, int expected, string key, string where)
    {
        if (a is null) return false;
        Check(a, expected, key, where);
        into.AddRange(a.Data);
        return true;
    }

    private static void Check(NpyArray a, int expected, string key, string where)
    {
        if (a.Data.Length != expected)
            throw new UserInputException($"{key} has {a.Data.Length} values, expected {expected} (frames × per-frame size)", where);
    }

    private static int[] ParseTypes(string text, string where)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var types = new int[parts.Length];
        for (var k = 0; k < parts.Length; k++)
            if (!int.TryParse(parts[k], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out types[k]))
                throw new UserInputException($"entry {k + 1} ('{parts[k]}') is not an integer type index", where);
        if (types.Length == 0) throw new UserInputException("no atoms", where);
        return types;
    }

    private static string[] ParseNames(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
