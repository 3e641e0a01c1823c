namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP setforce fx fy fz</c> (NULL leaves a component): sets the force on the group's atoms after every
/// force evaluation, in MD (post force, and at setup) and in minimization, as LAMMPS' fix setforce with constant
/// values. The potential energy is not changed, so a minimizer sees forces that are not the energy's gradient
/// (as in LAMMPS); use 0 0 0 to hold atoms in place.
/// </summary>
public sealed class FixSetForce : GroupForceFix
{
    private readonly double? _fx, _fy, _fz;

    public FixSetForce(string id, double? fx, double? fy, double? fz) : base(id)
    {
        _fx = fx;
        _fy = fy;
        _fz = fz;
    }

    public override string Style => "setforce";

    /// <summary>Whether a component is set to a nonzero value (LAMMPS refuses those in a minimization: no energy goes with them).</summary>
    public bool SetsNonZeroForce => _fx is { } x && x != 0 || _fy is { } y && y != 0 || _fz is { } z && z != 0;

    protected override void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Member[i]) continue;
            if (_fx is { } x) a.Fx[i] = x;
            if (_fy is { } y) a.Fy[i] = y;
            if (_fz is { } z) a.Fz[i] = z;
        }
    }
}
