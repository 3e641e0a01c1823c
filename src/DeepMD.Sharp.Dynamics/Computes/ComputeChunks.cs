namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group chunk/atom molecule|type</c>: assigns each atom of the group to a chunk, as LAMMPS' compute
/// chunk/atom with its defaults (compress no, nchunk once, ids every): the chunk of an atom is its molecule id
/// (atoms with molecule 0 are in no chunk) or its type; the number of chunks is the largest molecule id in the group
/// (or the type count), fixed the first time it is needed. Per-atom values: the chunk id (1-based; 0 = none).
/// </summary>
public sealed partial class ComputeChunkAtom : Compute
{
    private readonly Simulation _sim;
    private int _chunks = -1;

    public ComputeChunkAtom(string id, AtomGroup group, Simulation sim, string by) : base(id, group)
    {
        if (by is not ("molecule" or "type")) throw new UserInputException($"compute {id} chunk/atom: style '{by}' is not supported; use molecule or type");
        if (by == "molecule" && !sim.Atoms.HasMolecule)
            throw new UserInputException($"Compute chunk/atom molecule for non-molecular system: atom style {sim.Atoms.Style} has no molecule ids; use atom_style bond, angle, molecular or full");
        _sim = sim;
        By = by;
    }

    /// <summary>molecule or type.</summary>
    public string By { get; }

    public override string Style => "chunk/atom";

    public override bool HasPerAtom => true;

    /// <summary>Number of chunks (LAMMPS' nchunk), set at the first call.</summary>
    public int ChunkCount
    {
        get
        {
            if (Binned) return SetupChunks(_sim);
            if (_chunks >= 0) return _chunks;
            var a = _sim.Atoms;
            if (By == "type") return _chunks = _sim.TypeCount;
            var max = 0;
            for (var i = 0; i < a.Count; i++)
                if (Group.Contains(a.Id[i])) max = Math.Max(max, a.Molecule[i]);
            return _chunks = max;
        }
    }

    /// <summary>Chunk index (0-based) of atom <paramref name="i"/>, or −1 when it is in no chunk.</summary>
    public int ChunkOf(Simulation sim, int i)
    {
        if (Binned) return ComputeIChunk(sim)[i] - 1;
        var a = sim.Atoms;
        if (!Group.Contains(a.Id[i])) return -1;
        var c = By == "type" ? a.Type[i] + 1 : a.Molecule[i];
        return c >= 1 && c <= ChunkCount ? c - 1 : -1;
    }

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        RequireSerial(sim);
        for (var i = 0; i < sim.Atoms.Count; i++) values[i] = ChunkOf(sim, i) + 1;
    }

    /// <summary>Mass-weighted centre of each chunk from unwrapped positions (LAMMPS' com/chunk: 0 for an empty chunk), and the chunk masses.</summary>
    internal (double[][] Com, double[] Mass) CentersOfMass(Simulation sim, AtomGroup group)
    {
        var n = ChunkCount;
        var com = Enumerable.Range(0, n).Select(_ => new double[3]).ToArray();
        var mass = new double[n];
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            var c = ChunkOf(sim, i);
            if (c < 0) continue;
            var m = sim.Masses[a.Type[i]];
            var (x, y, z) = Unwrapped(sim, i);
            com[c][0] += m * x;
            com[c][1] += m * y;
            com[c][2] += m * z;
            mass[c] += m;
        }
        for (var c = 0; c < n; c++)
            for (var d = 0; d < 3; d++) com[c][d] = mass[c] > 0 ? com[c][d] / mass[c] : 0;
        return (com, mass);
    }

    /// <summary>The chunk/atom compute named by a chunk compute's argument.</summary>
    public static ComputeChunkAtom Find(Simulation sim, string owner, string chunkId) =>
        sim.FindCompute(chunkId) switch
        {
            ComputeChunkAtom c => c,
            null => throw new UserInputException($"Chunk/atom compute {chunkId} does not exist for compute {owner}"),
            var other => throw new UserInputException($"Compute {owner} does not use chunk/atom compute: {chunkId} is compute style {other.Style}"),
        };
}

/// <summary><c>compute ID group com/chunk chunkID</c>: the centre of mass of each chunk (a global array, one row per chunk: x y z), as LAMMPS.</summary>
public sealed class ComputeComChunk(string id, AtomGroup group, ComputeChunkAtom chunks) : Compute(id, group)
{
    public override string Style => "com/chunk";

    public override int ArrayRows => chunks.ChunkCount;

    public override int ArrayColumns => 3;

    protected override void ComputeArray(Simulation sim, double[][] array)
    {
        RequireSerial(sim);
        var (com, _) = chunks.CentersOfMass(sim, Group);
        for (var c = 0; c < array.Length; c++) com[c].CopyTo(array[c], 0);
    }
}

/// <summary>
/// <c>compute ID group msd/chunk chunkID</c>: the squared displacement of each chunk's centre of mass from where it was
/// the first time the compute was evaluated (a global array, one row per chunk: dx² dy² dz² total), as LAMMPS.
/// </summary>
public sealed class ComputeMsdChunk(string id, AtomGroup group, ComputeChunkAtom chunks) : Compute(id, group)
{
    private double[][]? _origin;

    public override string Style => "msd/chunk";

    public override int ArrayRows => chunks.ChunkCount;

    public override int ArrayColumns => 4;

    protected override void ComputeArray(Simulation sim, double[][] array)
    {
        RequireSerial(sim);
        var (com, _) = chunks.CentersOfMass(sim, Group);
        _origin ??= com.Select(r => (double[])r.Clone()).ToArray();
        for (var c = 0; c < array.Length; c++)
        {
            double dx = com[c][0] - _origin[c][0], dy = com[c][1] - _origin[c][1], dz = com[c][2] - _origin[c][2];
            array[c][0] = dx * dx;
            array[c][1] = dy * dy;
            array[c][2] = dz * dz;
            array[c][3] = dx * dx + dy * dy + dz * dz;
        }
    }
}
