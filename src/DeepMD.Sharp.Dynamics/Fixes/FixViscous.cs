namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID GROUP viscous gamma [scale type ratio ...]</c>: LAMMPS' fix viscous, a drag force −γ_type v on each atom of
/// the group after every force evaluation (setup, MD post-force, minimizer post-force); γ_type = γ times the type's scale
/// (default 1).
/// </summary>
public sealed class FixViscous : GroupForceFix
{
    private readonly double[] _gamma;

    /// <param name="id">Fix id.</param>
    /// <param name="gamma">Drag coefficient per atom type (0-based), force/velocity units.</param>
    public FixViscous(string id, double[] gamma) : base(id) => _gamma = gamma;

    public override string Style => "viscous";

    protected override void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Member[i]) continue;
            var drag = _gamma[a.Type[i]];
            a.Fx[i] -= drag * a.Vx[i];
            a.Fy[i] -= drag * a.Vy[i];
            a.Fz[i] -= drag * a.Vz[i];
        }
    }
}
