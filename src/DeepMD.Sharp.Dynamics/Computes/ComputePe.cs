namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID all pe [pair] [bond] ...</c>: the potential energy of the last force evaluation (tail correction
/// included when the pair style has one), extensive, as LAMMPS' compute pe: the pair term and the bond and angle terms
/// of a molecular system as asked (all without keywords); the dihedral term as computed; improper and kspace terms are 0 here; the energies
/// of fixes with <c>fix_modify energy yes</c> are added, as LAMMPS does. The default thermo potential energy is this
/// compute (<c>thermo_pe</c>).
/// </summary>
public sealed class ComputePe(string id, AtomGroup group, bool pair = true, bool bond = true, bool angle = true, bool dihedral = true) : Compute(id, group)
{
    public override string Style => "pe";

    public override bool HasScalar => true;

    public override bool ExtensiveScalar => true;

    protected override double ComputeScalar(Simulation sim) => (pair && bond && angle && dihedral ? sim.PotentialEnergy :
        (pair ? sim.PotentialEnergy - sim.MolecularEnergy : 0.0) + (bond ? sim.BondEnergy : 0.0) + (angle ? sim.AngleEnergy : 0.0) + (dihedral ? sim.DihedralEnergy : 0.0))
        + Fixes.Fix.ThermoEnergySum(sim);
}
