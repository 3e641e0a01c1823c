namespace DeepMD.Sharp.Dynamics;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// What the last host run of a simulation left, so that the next run's setup can tell whether its neighbor list is
/// still the one that run would have gone on with: same step, atoms (count, ids, types, positions bit for bit), box,
/// pair style (same object, same cutoff), neighbor settings, fixes (same objects, same order: <c>unfix</c>/<c>fix</c>
/// in between starts afresh, as LAMMPS), and no list build since. The run then keeps the list
/// instead of wrapping the atoms and rebuilding it, and sums the forces in the order the last run would have, the
/// order a run continued from a checkpoint of that moment (<c>write_restart</c>, <c>read_restart</c>) uses as well.
/// Rebuilding there, as LAMMPS does at every setup, made <c>run N; write_restart; run N</c> and
/// <c>read_restart; run N</c> in another process part in the last digits. Any change in between gives a full setup, and
/// so does a fix that follows LAMMPS' storage order (<see cref="Fix.UsesStorageOrder"/>, fix langevin).
/// </summary>
internal sealed class RunContinuation
{
    private bool _valid;
    private long _step;
    private int _count;
    private int[] _id = [], _type = [];
    private double[] _x = [], _y = [], _z = [];
    private readonly double[] _box = new double[9];
    private bool[] _periodic = [];
    private IPotential? _potential;
    private double _cutoff;
    private double _skin;
    private int _every, _delay;
    private bool _check;
    private int _builds;
    private Fix[] _fixes = [];

    /// <summary>Remembers the state at the end of a host run.</summary>
    public void Remember(Simulation sim)
    {
        var a = sim.Atoms;
        var n = a.Count;
        if (_x.Length != n)
        {
            _id = new int[n];
            _type = new int[n];
            _x = new double[n];
            _y = new double[n];
            _z = new double[n];
        }
        _count = n;
        a.Id.AsSpan(0, n).CopyTo(_id);
        a.Type.AsSpan(0, n).CopyTo(_type);
        a.X.AsSpan(0, n).CopyTo(_x);
        a.Y.AsSpan(0, n).CopyTo(_y);
        a.Z.AsSpan(0, n).CopyTo(_z);
        Box(sim.Box!, _box);
        _periodic = [.. sim.Box!.Periodic];
        _step = sim.Step;
        _potential = sim.Potential;
        _cutoff = sim.Potential!.Cutoff;
        _skin = sim.Neighbor.Skin;
        _every = sim.Neighbor.Every;
        _delay = sim.Neighbor.Delay;
        _check = sim.Neighbor.Check;
        _builds = sim.Verlet.BuildCount;
        _fixes = [.. sim.Fixes];
        _valid = true;
    }

    public void Forget() => _valid = false;

    /// <summary>Whether nothing the list depends on, nor the fixes, changed since <see cref="Remember"/>.</summary>
    public bool Continues(Simulation sim)
    {
        if (!_valid || sim.Step != _step || !ReferenceEquals(sim.Potential, _potential) || sim.Potential!.Cutoff != _cutoff) return false;
        var nb = sim.Neighbor;
        if (nb.Skin != _skin || nb.Every != _every || nb.Delay != _delay || nb.Check != _check || sim.Verlet.BuildCount != _builds) return false;
        if (sim.Verlet.List is null && sim.Verlet.Half is null) return false;
        if (!sim.Fixes.SequenceEqual(_fixes, ReferenceEqualityComparer.Instance)) return false;
        Span<double> box = stackalloc double[9];
        Box(sim.Box!, box);
        if (!box.SequenceEqual(_box) || !sim.Box!.Periodic.AsSpan().SequenceEqual(_periodic)) return false;
        var a = sim.Atoms;
        var n = a.Count;
        return n == _count
            && a.Id.AsSpan(0, n).SequenceEqual(_id) && a.Type.AsSpan(0, n).SequenceEqual(_type)
            && a.X.AsSpan(0, n).SequenceEqual(_x) && a.Y.AsSpan(0, n).SequenceEqual(_y) && a.Z.AsSpan(0, n).SequenceEqual(_z);
    }

    private static void Box(SimulationBox b, Span<double> into)
    {
        into[0] = b.Lo[0];
        into[1] = b.Lo[1];
        into[2] = b.Lo[2];
        into[3] = b.Hi[0];
        into[4] = b.Hi[1];
        into[5] = b.Hi[2];
        into[6] = b.Xy;
        into[7] = b.Xz;
        into[8] = b.Yz;
    }
}
