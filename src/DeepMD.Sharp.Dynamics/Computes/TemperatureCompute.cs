namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// A compute that measures a temperature (LAMMPS' <c>tempflag</c>): a scalar temperature, the kinetic energy tensor
/// (xx, yy, zz, xy, xz, yz; extensive) as its vector, and its degrees of freedom; what a pressure compute or a
/// thermostat reads (temp, temp/deform, ...).
/// </summary>
public abstract class TemperatureCompute(string id, AtomGroup group) : Compute(id, group)
{
    public override bool HasScalar => true;

    public override int VectorLength => 6;

    public override bool ExtensiveVectorElement(int index) => true;

    /// <summary>The degrees of freedom the temperature is divided by (LAMMPS' dof).</summary>
    public abstract double DegreesOfFreedom(Simulation sim);
}
