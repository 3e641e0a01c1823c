namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary><c>compute ID group ke/atom</c>: ½ m v² of each atom of the group (0 outside), as LAMMPS' compute ke/atom.</summary>
public sealed class ComputeKeAtom(string id, AtomGroup group) : Compute(id, group)
{
    public override string Style => "ke/atom";

    public override bool HasPerAtom => true;

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        var a = sim.Atoms;
        var m = sim.Masses;
        var mvv2e = sim.Units.Mvv2e;
        for (var i = 0; i < a.Count; i++)
            if (Group.Contains(a.Id[i]))
                values[i] = 0.5 * mvv2e * m[a.Type[i]] * (a.Vx[i] * a.Vx[i] + a.Vy[i] * a.Vy[i] + a.Vz[i] * a.Vz[i]);
    }
}
