namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP addforce fx fy fz [region R]</c> with constant values: adds the force to every atom of the group
/// (inside the region, when one is given) after each force evaluation, at setup, in MD's post-force phase and in the
/// minimizer's, as LAMMPS' fix addforce. The energy of the added field, −Σ x·f over the group's unwrapped positions
/// (LAMMPS' fix scalar), is added to the potential energy only with <c>fix_modify energy yes</c>.
/// </summary>
public sealed class FixAddForce : GroupForceFix
{
    private readonly ForceComponent _fx, _fy, _fz;
    private readonly bool _variable;
    private readonly Func<double, double, double, bool>? _region;

    public FixAddForce(string id, double fx, double fy, double fz, Func<double, double, double, bool>? region = null)
        : this(id, ForceComponent.Constant(fx), ForceComponent.Constant(fy), ForceComponent.Constant(fz), region)
    {
    }

    /// <summary>
    /// Components that may be equal- or atom-style variables; with any variable the fix's energy is 0, as LAMMPS'
    /// (which takes it from an <c>energy</c> variable only).
    /// </summary>
    public FixAddForce(string id, ForceComponent fx, ForceComponent fy, ForceComponent fz, Func<double, double, double, bool>? region = null) : base(id)
    {
        (_fx, _fy, _fz) = (fx, fy, fz);
        _variable = fx.IsVariable || fy.IsVariable || fz.IsVariable;
        _region = region;
    }

    public override string Style => "addforce";

    private double _energy;

    public override bool HasGlobalEnergy => true;

    /// <summary>−Σ x·f of the last application (unwrapped positions), as LAMMPS' fix addforce scalar.</summary>
    public override double GlobalEnergy(Simulation sim) => _energy;

    /// <summary>An atom-style variable may read positions: a run's setup wraps them as LAMMPS' does.</summary>
    public override bool UsesWrappedPositions => _fx.AtomVariable is not null || _fy.AtomVariable is not null || _fz.AtomVariable is not null;

    protected override void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        var box = sim.Box!;
        _fx.Prepare();
        _fy.Prepare();
        _fz.Prepare();
        double e = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Member[i] || (_region is { } r && !r(a.X[i], a.Y[i], a.Z[i]))) continue;
            double fx = _fx.At(i), fy = _fy.At(i), fz = _fz.At(i);
            if (!_variable)
            {
                var ux = a.X[i] + a.ImageA[i] * box.Lx + a.ImageB[i] * box.Xy + a.ImageC[i] * box.Xz;
                var uy = a.Y[i] + a.ImageB[i] * box.Ly + a.ImageC[i] * box.Yz;
                var uz = a.Z[i] + a.ImageC[i] * box.Lz;
                e -= fx * ux + fy * uy + fz * uz;
            }
            a.Fx[i] += fx;
            a.Fy[i] += fy;
            a.Fz[i] += fz;
        }
        _energy = sim.Decomposed is { Active: true } d ? d.Sum(e) : e;
    }
}
