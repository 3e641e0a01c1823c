namespace DeepMD.Sharp.Input.Output;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using PureHDF;

/// <summary>
/// <c>dump ID all h5md N FILE</c>: the trajectory in H5MD 1.1 (HDF5 through PureHDF; de Buyl et al., Comput. Phys.
/// Commun. 185, 1546 (2014)). Layout: <c>/h5md</c> (version 1 1, author, creator), and in <c>/particles/all</c>:
/// <c>position</c> and <c>image</c> (each a time series: <c>step</c>, <c>time</c> in ps, <c>value</c> [frames × atoms × 3],
/// positions wrapped into the box in Å as LAMMPS' dump h5md writes them, image flags as integers),
/// <c>box</c> (attributes <c>dimension</c> 3 and <c>boundary</c>; <c>edges</c> a time series of 3 × 3 matrices whose rows
/// are the box vectors, the form MDAnalysis reads), <c>species</c> (LAMMPS type per atom) and <c>id</c>. Atoms are in
/// atom-ID order. PureHDF writes whole files, so the frames are kept in memory and the file is rewritten (atomically)
/// at the end of each run: a trajectory must fit in memory (8·3·N bytes per frame for the positions).
/// </summary>
public sealed class H5mdDumpWriter : IRunObserver
{
    private readonly List<double[]> _positions = [];
    private readonly List<int[]> _images = [];
    private readonly List<double[]> _edges = [];
    private readonly List<long> _steps = [];
    private readonly List<double> _times = [];
    private int[] _species = [];
    private int[] _ids = [];
    private bool[] _periodic = [true, true, true];

    public H5mdDumpWriter(string id, int every, string path)
    {
        if (every < 1) throw new UserInputException($"dump {id}: the interval must be a positive number of steps, got {every}");
        Id = id;
        Every = every;
        Path = path;
    }

    public string Id { get; }

    public int Every { get; }

    public string Path { get; }

    /// <summary>Frames recorded so far.</summary>
    public int Frames => _steps.Count;

    public void RunStarted(Simulation sim) => MaybeRecord(sim);

    public void StepCompleted(Simulation sim) => MaybeRecord(sim);

    public void RunFinished(Simulation sim) => Write();

    private void MaybeRecord(Simulation sim)
    {
        if (sim.Step % Every != 0 || (_steps.Count > 0 && _steps[^1] == sim.Step)) return;
        var a = sim.Atoms;
        var n = a.Count;
        if (_steps.Count > 0 && n != _ids.Length)
            throw new UserInputException($"dump {Id} h5md: the number of atoms changed from {_ids.Length} to {n}; H5MD here keeps a fixed atom count (undump and dump again to a new file)");
        var order = Enumerable.Range(0, n).OrderBy(i => a.Id[i]).ToArray();
        if (_steps.Count == 0)
        {
            _ids = order.Select(i => a.Id[i]).ToArray();
            _species = order.Select(i => a.Type[i] + 1).ToArray();
            _periodic = [.. sim.Box!.Periodic];
        }
        var x = new double[3 * n];
        var img = new int[3 * n];
        for (var k = 0; k < n; k++)
        {
            var i = order[k];
            x[3 * k] = a.X[i];
            x[3 * k + 1] = a.Y[i];
            x[3 * k + 2] = a.Z[i];
            img[3 * k] = a.ImageA[i];
            img[3 * k + 1] = a.ImageB[i];
            img[3 * k + 2] = a.ImageC[i];
        }
        var b = sim.Box!;
        _positions.Add(x);
        _images.Add(img);
        _edges.Add([b.Lx, 0, 0, b.Xy, b.Ly, 0, b.Xz, b.Yz, b.Lz]);
        _steps.Add(sim.Step);
        _times.Add(sim.Step * sim.Timestep);
    }

    /// <summary>Writes every frame recorded so far (temporary file, fsync, rename).</summary>
    public void Write()
    {
        var t = (ulong)_steps.Count;
        if (t == 0) return;
        var n = (ulong)_ids.Length;
        H5Group Series(object value, ulong[] dims, string? unit)
        {
            var v = new H5Dataset(value, fileDims: dims);
            if (unit is not null) v.Attributes = new() { ["unit"] = unit };
            return new H5Group
            {
                ["step"] = new H5Dataset(_steps.ToArray()),
                ["time"] = new H5Dataset(_times.ToArray()) { Attributes = new() { ["unit"] = "ps" } },
                ["value"] = v,
            };
        }
        var file = new H5File
        {
            ["h5md"] = new H5Group
            {
                ["author"] = new H5Group { Attributes = new() { ["name"] = Environment.UserName } },
                ["creator"] = new H5Group { Attributes = new() { ["name"] = "DeepMD.Sharp", ["version"] = typeof(H5mdDumpWriter).Assembly.GetName().Version?.ToString() ?? "0" } },
                Attributes = new() { ["version"] = new[] { 1, 1 } },
            },
            ["particles"] = new H5Group
            {
                ["all"] = new H5Group
                {
                    ["box"] = new H5Group
                    {
                        ["edges"] = Series(_edges.SelectMany(e => e).ToArray(), [t, 3, 3], "Angstrom"),
                        Attributes = new()
                        {
                            ["dimension"] = 3,
                            ["boundary"] = _periodic.Select(p => p ? "periodic" : "none").ToArray(),
                        },
                    },
                    ["position"] = Series(_positions.SelectMany(p => p).ToArray(), [t, n, 3], "Angstrom"),
                    ["image"] = Series(_images.SelectMany(p => p).ToArray(), [t, n, 3], null),
                    ["species"] = new H5Dataset(_species),
                    ["id"] = new H5Dataset(_ids),
                },
            },
        };
        var full = System.IO.Path.GetFullPath(Path);
        var tmp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full) ?? ".", $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            file.Write(tmp);
            Core.Files.DurableFile.FlushAndMove(tmp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw new UserInputException($"dump {Id}: cannot write the H5MD file ({e.Message})", Path, inner: e);
        }
    }
}
