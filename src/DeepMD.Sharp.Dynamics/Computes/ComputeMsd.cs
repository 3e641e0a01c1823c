namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group msd [com yes|no] [average yes|no]</c>: the mean squared displacement of the group's atoms from
/// their unwrapped positions when the compute was defined, as LAMMPS' compute msd: a vector of dx², dy², dz² and the
/// total, averaged over the group. <c>com yes</c> measures displacements relative to the group's centre of mass (the
/// reference positions are stored relative to the centre of mass at definition); <c>average yes</c> first replaces the
/// reference by LAMMPS' running average at each evaluation (the n-th evaluation sets r_ref = (n·r_ref + r)/(n + 1)),
/// then measures from it.
/// </summary>
public sealed class ComputeMsd : Compute
{
    private readonly bool _com, _average;
    private readonly Dictionary<int, (double X, double Y, double Z)> _reference = [];
    private double[] _rx = [], _ry = [], _rz = [];
    private int[] _ids = [];
    private long _naverage;
    private int _count;

    /// <summary>Stores the reference positions of the group's atoms now (as LAMMPS does when the compute is defined).</summary>
    public ComputeMsd(string id, AtomGroup group, Simulation sim, bool com, bool average) : base(id, group)
    {
        RequireSerial(sim);
        _com = com;
        _average = average;
        var a = sim.Atoms;
        var (cx, cy, cz, _) = com ? ComputeCom.CenterOfMass(sim, group) : (0, 0, 0, 0);
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            var (x, y, z) = Unwrapped(sim, i);
            _reference[a.Id[i]] = (x - cx, y - cy, z - cz);
        }
    }

    public override string Style => "msd";

    public override int VectorLength => 4;

    public override void Init(Simulation sim)
    {
        base.Init(sim);
        Align(sim);
        _count = Group.Count(sim.Atoms);
    }

    /// <summary>Reference positions by atom index (atoms keep their index during a run; between runs they are matched by id).</summary>
    private void Align(Simulation sim)
    {
        var a = sim.Atoms;
        var n = a.Count;
        if (_ids.Length == n && a.Id.AsSpan(0, n).SequenceEqual(_ids)) return;
        // Keep the running averages made so far.
        for (var i = 0; i < _ids.Length; i++)
            if (_reference.ContainsKey(_ids[i])) _reference[_ids[i]] = (_rx[i], _ry[i], _rz[i]);
        _ids = a.Id.AsSpan(0, n).ToArray();
        _rx = new double[n];
        _ry = new double[n];
        _rz = new double[n];
        for (var i = 0; i < n; i++)
        {
            // Atoms created after the compute (in the group all) start where they are, as LAMMPS' set_arrays does.
            if (_reference.TryGetValue(a.Id[i], out var r)) (_rx[i], _ry[i], _rz[i]) = r;
            else
            {
                (_rx[i], _ry[i], _rz[i]) = (a.X[i], a.Y[i], a.Z[i]);
                if (Group.Contains(a.Id[i])) _reference[a.Id[i]] = (a.X[i], a.Y[i], a.Z[i]);
            }
        }
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        Align(sim);
        if (_count == 0) _count = Group.Count(sim.Atoms);
        var a = sim.Atoms;
        double cx = 0, cy = 0, cz = 0;
        if (_com) (cx, cy, cz, _) = ComputeCom.CenterOfMass(sim, Group);
        double m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        double navfac = 0;
        if (_average)
        {
            _naverage++;
            navfac = 1.0 / (_naverage + 1);
        }
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var (ux, uy, uz) = Unwrapped(sim, i);
            double xtmp = ux - cx, ytmp = uy - cy, ztmp = uz - cz;
            if (_average)
            {
                // The reference becomes the running average first (LAMMPS: n-th evaluation weighs the old reference n times).
                _rx[i] = (_rx[i] * _naverage + xtmp) * navfac;
                _ry[i] = (_ry[i] * _naverage + ytmp) * navfac;
                _rz[i] = (_rz[i] * _naverage + ztmp) * navfac;
            }
            double dx = xtmp - _rx[i], dy = ytmp - _ry[i], dz = ztmp - _rz[i];
            m0 += dx * dx;
            m1 += dy * dy;
            m2 += dz * dz;
            m3 += dx * dx + dy * dy + dz * dz;
        }
        vector[0] = m0;
        vector[1] = m1;
        vector[2] = m2;
        vector[3] = m3;
        if (_count > 0)
            for (var k = 0; k < 4; k++) vector[k] /= _count;
    }
}
