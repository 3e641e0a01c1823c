namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP setforce fx fy fz</c> (NULL leaves a component): sets the force on the group's atoms after every
/// force evaluation, in MD (post force, and at setup) and in minimization, as LAMMPS' fix setforce with constant
/// values or equal-/atom-style variables (<see cref="ForceComponent"/>). The potential energy is not changed, so a minimizer sees forces that are not the energy's gradient
/// (as in LAMMPS); use 0 0 0 to hold atoms in place.
/// </summary>
public sealed class FixSetForce : GroupForceFix
{
    private readonly ForceComponent? _fx, _fy, _fz;

    public FixSetForce(string id, double? fx, double? fy, double? fz)
        : this(id, fx is { } x ? ForceComponent.Constant(x) : null, fy is { } y ? ForceComponent.Constant(y) : null, fz is { } z ? ForceComponent.Constant(z) : null)
    {
    }

    /// <summary>Components that may be equal- or atom-style variables (null leaves a component).</summary>
    public FixSetForce(string id, ForceComponent? fx, ForceComponent? fy, ForceComponent? fz) : base(id)
    {
        _fx = fx;
        _fy = fy;
        _fz = fz;
    }

    public override string Style => "setforce";

    /// <summary>Whether a component is set to a nonzero value (LAMMPS refuses those in a minimization: no energy goes with them).</summary>
    public bool SetsNonZeroForce => NonZero(_fx) || NonZero(_fy) || NonZero(_fz);

    private static bool NonZero(ForceComponent? c) => c is not null && (c.IsVariable || c.ConstantValue != 0);

    /// <summary>An atom-style variable may read positions: a run's setup wraps them as LAMMPS' does.</summary>
    public override bool UsesWrappedPositions => _fx?.AtomVariable is not null || _fy?.AtomVariable is not null || _fz?.AtomVariable is not null;

    protected override void Apply(Simulation sim)
    {
        _fx?.Prepare();
        _fy?.Prepare();
        _fz?.Prepare();
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Member[i]) continue;
            if (_fx is { } x) a.Fx[i] = x.At(i);
            if (_fy is { } y) a.Fy[i] = y.At(i);
            if (_fz is { } z) a.Fz[i] = z.At(i);
        }
    }
}
