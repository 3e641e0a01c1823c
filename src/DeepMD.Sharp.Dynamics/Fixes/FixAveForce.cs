namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP aveforce fx fy fz [region R]</c> with constant values or NULL: after each force evaluation every atom
/// of the group (inside the region, when one is given) gets the group's average force plus the given value, in each
/// dimension that is not NULL (a NULL dimension keeps its forces), at setup, in MD's post-force phase and in the
/// minimizer's, as LAMMPS' fix aveforce (the group then moves as a rigid slab along those dimensions).
/// </summary>
public sealed class FixAveForce : GroupForceFix
{
    private readonly double? _fx, _fy, _fz;
    private readonly Func<double, double, double, bool>? _region;

    public FixAveForce(string id, double? fx, double? fy, double? fz, Func<double, double, double, bool>? region = null) : base(id)
    {
        (_fx, _fy, _fz) = (fx, fy, fz);
        _region = region;
    }

    public override string Style => "aveforce";

    private bool Takes(Simulation sim, int i) =>
        Member[i] && (_region is not { } r || r(sim.Atoms.X[i], sim.Atoms.Y[i], sim.Atoms.Z[i]));

    protected override void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        double sx = 0, sy = 0, sz = 0, count = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Takes(sim, i)) continue;
            sx += a.Fx[i];
            sy += a.Fy[i];
            sz += a.Fz[i];
            count += 1.0;
        }
        var n = (int)count;
        if (n == 0) return;
        double ax = sx / n + (_fx ?? 0), ay = sy / n + (_fy ?? 0), az = sz / n + (_fz ?? 0);
        for (var i = 0; i < a.Count; i++)
        {
            if (!Takes(sim, i)) continue;
            if (_fx is not null) a.Fx[i] = ax;
            if (_fy is not null) a.Fy[i] = ay;
            if (_fz is not null) a.Fz[i] = az;
        }
    }
}
