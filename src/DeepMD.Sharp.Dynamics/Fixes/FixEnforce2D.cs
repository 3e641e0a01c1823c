namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID GROUP enforce2d</c>: keeps a 2-d system in its plane by zeroing the z component of the velocity and of the
/// force of the group's atoms after every force evaluation, as LAMMPS' fix enforce2d does: at setup (MD and
/// minimization), in MD's post-force phase and in the minimizer's post-force hook, in the order the fixes were defined
/// (so a fix defined after it, e.g. setforce with a z value, still acts later in the same step, as in LAMMPS).
/// </summary>
public sealed class FixEnforce2D : GroupForceFix
{

    public FixEnforce2D(string id) : base(id) { }

    public override string Style => "enforce2d";

    protected override void Check(Simulation sim)
    {
        if (sim.Dimension == 3) throw new UserInputException("Cannot use fix enforce2d with 3d simulation");
    }

    protected override void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Member[i]) continue;
            a.Vz[i] = 0.0;
            a.Fz[i] = 0.0;
        }
    }
}
