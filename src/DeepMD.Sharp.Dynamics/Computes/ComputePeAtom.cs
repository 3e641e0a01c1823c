namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group pe/atom [pair]</c>: each atom's share of the potential energy (the potential's per-atom energy,
/// pair styles split each pair's energy evenly), 0 outside the group, as LAMMPS' compute pe/atom. The tail correction
/// is not per-atom (as in LAMMPS). Asks the potential for per-atom energies during runs.
/// </summary>
public sealed class ComputePeAtom(string id, AtomGroup group) : Compute(id, group)
{
    public override string Style => "pe/atom";

    public override bool HasPerAtom => true;

    public override bool NeedsPerAtomEnergy => true;

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        RequireSerial(sim);
        PerAtomTerms.RequireTallied(sim, this, "Per-atom energy");
        var a = sim.Atoms;
        var e = sim.AtomEnergy;
        for (var i = 0; i < a.Count; i++)
            if (Group.Contains(a.Id[i])) values[i] = e[i];
    }
}
