namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group pe/atom [pair]</c>: each atom's share of the potential energy (the potential's per-atom energy,
/// pair styles split each pair's energy evenly), 0 outside the group, as LAMMPS' compute pe/atom. The tail correction
/// is not per-atom (as in LAMMPS). Asks the potential for per-atom energies during runs. With
/// <paramref name="pairOnly"/> (<c>pe/atom pair</c>) the bonded terms' shares (bond, angle, dihedral) are left out.
/// </summary>
public sealed class ComputePeAtom(string id, AtomGroup group, bool pairOnly = false) : Compute(id, group)
{
    public override string Style => "pe/atom";

    public override bool HasPerAtom => true;

    public override bool NeedsPerAtomEnergy => true;

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        RequireSerial(sim);
        PerAtomTerms.RequireTallied(sim, this, "Per-atom energy");
        var a = sim.Atoms;
        ReadOnlySpan<double> e = sim.AtomEnergy;
        if (pairOnly && !a.Topology.IsEmpty)
        {
            e = sim.Bonded.AtomPairEnergy;
            if (e.Length != a.Count) throw new InvalidOperationException("compute pe/atom pair: the per-atom pair energies were not tallied at the last evaluation");
        }
        for (var i = 0; i < a.Count; i++)
            if (Group.Contains(a.Id[i])) values[i] = e[i];
    }
}
