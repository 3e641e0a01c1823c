namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID all pe [pair] [bond] ...</c>: the potential energy of the last force evaluation (tail correction
/// included when the pair style has one), extensive, as LAMMPS' compute pe. Only the pair term exists here; the
/// bonded keywords contribute 0; the energies of fixes with <c>fix_modify energy yes</c> are added, as LAMMPS does. The default thermo potential energy is this compute (<c>thermo_pe</c>).
/// </summary>
public sealed class ComputePe(string id, AtomGroup group, bool pair = true) : Compute(id, group)
{
    public override string Style => "pe";

    public override bool HasScalar => true;

    public override bool ExtensiveScalar => true;

    protected override double ComputeScalar(Simulation sim) => (pair ? sim.PotentialEnergy : 0.0) + Fixes.Fix.ThermoEnergySum(sim);
}
