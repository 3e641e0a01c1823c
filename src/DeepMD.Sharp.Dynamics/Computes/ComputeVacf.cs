namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group vacf</c>: the velocity autocorrelation of the group's atoms with their velocities when the
/// compute was defined, as LAMMPS' compute vacf: a vector of ⟨vx·vx0⟩, ⟨vy·vy0⟩, ⟨vz·vz0⟩ and their sum, averaged
/// over the group.
/// </summary>
public sealed class ComputeVacf : Compute
{
    private readonly Dictionary<int, (double X, double Y, double Z)> _reference = [];
    private double[] _vx0 = [], _vy0 = [], _vz0 = [];
    private int[] _ids = [];
    private int _count;

    /// <summary>Stores the group's velocities now (as LAMMPS does when the compute is defined).</summary>
    public ComputeVacf(string id, AtomGroup group, Simulation sim) : base(id, group)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
            if (group.Contains(a.Id[i])) _reference[a.Id[i]] = (a.Vx[i], a.Vy[i], a.Vz[i]);
    }

    public override string Style => "vacf";

    public override int VectorLength => 4;

    public override void Init(Simulation sim)
    {
        base.Init(sim);
        _count = Group.Count(sim.Atoms);
    }

    private void Align(Simulation sim)
    {
        var a = sim.Atoms;
        var n = a.Count;
        if (_ids.Length == n && a.Id.AsSpan(0, n).SequenceEqual(_ids)) return;
        _ids = a.Id.AsSpan(0, n).ToArray();
        _vx0 = new double[n];
        _vy0 = new double[n];
        _vz0 = new double[n];
        for (var i = 0; i < n; i++)
        {
            if (_reference.TryGetValue(a.Id[i], out var v)) (_vx0[i], _vy0[i], _vz0[i]) = v;
            else if (Group.Contains(a.Id[i]))
            {
                _reference[a.Id[i]] = (a.Vx[i], a.Vy[i], a.Vz[i]);
                (_vx0[i], _vy0[i], _vz0[i]) = (a.Vx[i], a.Vy[i], a.Vz[i]);
            }
        }
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        Align(sim);
        if (_count == 0) _count = Group.Count(sim.Atoms);
        var a = sim.Atoms;
        double c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            c0 += a.Vx[i] * _vx0[i];
            c1 += a.Vy[i] * _vy0[i];
            c2 += a.Vz[i] * _vz0[i];
            c3 += a.Vx[i] * _vx0[i] + a.Vy[i] * _vy0[i] + a.Vz[i] * _vz0[i];
        }
        vector[0] = c0;
        vector[1] = c1;
        vector[2] = c2;
        vector[3] = c3;
        if (_count > 0)
            for (var k = 0; k < 4; k++) vector[k] /= _count;
    }
}
