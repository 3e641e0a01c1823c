namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID GROUP nve</c>: velocity Verlet (half kick, drift; half kick) of the group's atoms, as LAMMPS' fix nve.</summary>
public sealed class FixNve : Fix
{
    private double _dtv, _dtf;
    private double[] _mass = [];
    private bool[] _member = [];

    public FixNve(string id) : base(id) { }

    public override string Style => "nve";

    public override bool Integrates => true;

    public override bool SupportsGroups => true;

    public override void Init(Simulation sim)
    {
        _dtv = sim.Timestep;
        _dtf = 0.5 * sim.Timestep * sim.Units.Ftm2v;
        _mass = sim.Masses;
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    /// <summary>LAMMPS' FixNVE::reset_dt: the drift and kick factors of the new timestep.</summary>
    public override void ResetTimestep(Simulation sim)
    {
        _dtv = sim.Timestep;
        _dtf = 0.5 * sim.Timestep * sim.Units.Ftm2v;
    }

    public override void InitialIntegrate(Simulation sim)
    {
        var a = sim.Atoms;
        if (_member.Length != a.Count) Init(sim); // atoms inserted during the run (fix deposit)
        for (var i = 0; i < a.Count; i++)
        {
            if (!_member[i]) continue;
            var dtfm = _dtf / _mass[a.Type[i]];
            a.Vx[i] += dtfm * a.Fx[i];
            a.Vy[i] += dtfm * a.Fy[i];
            a.Vz[i] += dtfm * a.Fz[i];
            a.X[i] += _dtv * a.Vx[i];
            a.Y[i] += _dtv * a.Vy[i];
            a.Z[i] += _dtv * a.Vz[i];
        }
    }

    public override void FinalIntegrate(Simulation sim)
    {
        var a = sim.Atoms;
        if (_member.Length != a.Count) Init(sim);
        for (var i = 0; i < a.Count; i++)
        {
            if (!_member[i]) continue;
            var dtfm = _dtf / _mass[a.Type[i]];
            a.Vx[i] += dtfm * a.Fx[i];
            a.Vy[i] += dtfm * a.Fy[i];
            a.Vz[i] += dtfm * a.Fz[i];
        }
    }
}
