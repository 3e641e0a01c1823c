namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP addforce fx fy fz [region R]</c> with constant values: adds the force to every atom of the group
/// (inside the region, when one is given) after each force evaluation, at setup, in MD's post-force phase and in the
/// minimizer's, as LAMMPS' fix addforce. The energy of the added field is not added to the potential energy (LAMMPS
/// adds it only with fix_modify energy yes).
/// </summary>
public sealed class FixAddForce : GroupForceFix
{
    private readonly double _fx, _fy, _fz;
    private readonly Func<double, double, double, bool>? _region;

    public FixAddForce(string id, double fx, double fy, double fz, Func<double, double, double, bool>? region = null) : base(id)
    {
        (_fx, _fy, _fz) = (fx, fy, fz);
        _region = region;
    }

    public override string Style => "addforce";

    protected override void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Member[i] || (_region is { } r && !r(a.X[i], a.Y[i], a.Z[i]))) continue;
            a.Fx[i] += _fx;
            a.Fy[i] += _fy;
            a.Fz[i] += _fz;
        }
    }
}
