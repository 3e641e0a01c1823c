namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group ke</c>: ½ Σ m v² of the group (extensive), as LAMMPS' compute ke. (The thermo keyword
/// <c>ke</c> is ½·dof·kB·T instead, which differs by the centre-of-mass degrees of freedom.)
/// </summary>
public sealed class ComputeKe(string id, AtomGroup group) : Compute(id, group)
{
    public override string Style => "ke";

    public override bool HasScalar => true;

    public override bool ExtensiveScalar => true;

    protected override double ComputeScalar(Simulation sim)
    {
        var a = sim.Atoms;
        var m = sim.Masses;
        double ke = 0;
        for (var i = 0; i < a.Count; i++)
            if (Group.Contains(a.Id[i]))
                ke += m[a.Type[i]] * (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]);
        if (sim.Decomposed is { Active: true } d) ke = d.Sum(ke);
        return 0.5 * sim.Units.Mvv2e * ke;
    }
}
