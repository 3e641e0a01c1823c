namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary><c>fix ID all nve</c>: velocity Verlet (half kick, drift; half kick), as LAMMPS' fix nve.</summary>
public sealed class FixNve : Fix
{
    private double _dtv, _dtf;
    private double[] _mass = [];

    public FixNve(string id) : base(id) { }

    public override string Style => "nve";

    public override bool Integrates => true;

    public override void Init(Simulation sim)
    {
        _dtv = sim.Timestep;
        _dtf = 0.5 * sim.Timestep * sim.Units.Ftm2v;
        _mass = sim.Masses;
    }

    public override void InitialIntegrate(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
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
        for (var i = 0; i < a.Count; i++)
        {
            var dtfm = _dtf / _mass[a.Type[i]];
            a.Vx[i] += dtfm * a.Fx[i];
            a.Vy[i] += dtfm * a.Fy[i];
            a.Vz[i] += dtfm * a.Fz[i];
        }
    }
}
