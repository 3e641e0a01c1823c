namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>fix ID GROUP enforce2d</c>: keeps a 2-d system in its plane by zeroing the z component of the velocity and of the
/// force of the group's atoms after every force evaluation, as LAMMPS' fix enforce2d does: at setup (MD and
/// minimization), in MD's post-force phase and in the minimizer's post-force hook, in the order the fixes were defined
/// (so a fix defined after it, e.g. setforce with a z value, still acts later in the same step, as in LAMMPS).
/// </summary>
public sealed class FixEnforce2D : Fix
{
    private bool[] _member = [];

    public FixEnforce2D(string id) : base(id) { }

    public override string Style => "enforce2d";

    public override bool SupportsGroups => true;

    public override void Init(Simulation sim)
    {
        if (sim.Dimension == 3) throw new UserInputException("Cannot use fix enforce2d with 3d simulation");
        var a = sim.Atoms;
        if (_member.Length != a.Count) _member = new bool[a.Count];
        for (var i = 0; i < a.Count; i++) _member[i] = Group.Contains(a.Id[i]);
    }

    public override void Setup(Simulation sim) => Apply(sim);

    public override void PostForce(Simulation sim) => Apply(sim);

    public override void MinPostForce(Simulation sim) => Apply(sim);

    private void Apply(Simulation sim)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!_member[i]) continue;
            a.Vz[i] = 0.0;
            a.Fz[i] = 0.0;
        }
    }
}
