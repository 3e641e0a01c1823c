namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID all pressure temp-ID [ke] [pair] [virial]</c>: the scalar pressure and the pressure tensor (xx, yy,
/// zz, xy, xz, yz) from the temperature compute's degrees of freedom and kinetic tensor plus the virial of the last
/// force evaluation, as LAMMPS' compute pressure. With keywords only the named terms are summed (<c>virial</c> and
/// <c>pair</c> are the same here: there are no bonded or fix virials); <c>temp-ID</c> may be NULL without <c>ke</c>.
/// The default thermo pressure is this compute with thermo_temp (<c>thermo_press</c>).
/// </summary>
public sealed class ComputePressure : Compute
{
    private readonly double[] _ke = new double[6];

    public ComputePressure(string id, AtomGroup group, TemperatureCompute? temperature, bool kinetic, bool virial)
        : base(id, group)
    {
        if (kinetic && temperature is null)
            throw new UserInputException($"compute {id} pressure: the kinetic term needs a temperature compute (not NULL); add 'virial' or 'pair' to leave it out");
        Temperature = temperature;
        Kinetic = kinetic;
        IncludesVirial = virial;
    }

    public override string Style => "pressure";

    /// <summary>The temperature compute (its dof and kinetic tensor), or null.</summary>
    public TemperatureCompute? Temperature { get; }

    public bool Kinetic { get; }

    public bool IncludesVirial { get; }

    public override bool HasScalar => true;

    public override int VectorLength => 6;

    /// <summary>The scalar pressure now, without the per-step cache (a barostat's measurement with <c>fix_modify press</c>).</summary>
    public double Evaluate(Simulation sim) => ComputeScalar(sim);

    /// <summary>The pressure tensor now (xx, yy, zz, xy, xz, yz), without the per-step cache.</summary>
    public void EvaluateTensor(Simulation sim, double[] p6) => ComputeVector(sim, p6);

    protected override double ComputeScalar(Simulation sim)
    {
        var w = sim.Virial;
        var invVolume = 1.0 / Thermo.Thermodynamics.Volume(sim);
        var dim = sim.Dimension;
        var trace = IncludesVirial ? (dim == 2 ? w[0] + w[4] : w[0] + w[4] + w[8]) : 0.0;
        if (!Kinetic) return trace / dim * invVolume * sim.Units.Nktv2p;
        var t = Temperature!.LatestScalar(sim);
        return (Temperature.DegreesOfFreedom(sim) * sim.Units.Boltz * t + trace) / dim * invVolume * sim.Units.Nktv2p;
    }

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        var w = sim.Virial;
        var invVolume = 1.0 / Thermo.Thermodynamics.Volume(sim);
        if (Kinetic) Temperature!.Vector(sim).AsSpan().CopyTo(_ke);
        else System.Array.Clear(_ke);
        ReadOnlySpan<double> virial = IncludesVirial ? [w[0], w[4], w[8], w[1], w[2], w[5]] : [0, 0, 0, 0, 0, 0];
        for (var k = 0; k < 6; k++) vector[k] = (_ke[k] + virial[k]) * invVolume * sim.Units.Nktv2p;
        if (sim.Dimension == 2) vector[2] = vector[4] = vector[5] = 0.0; // LAMMPS' virial2d: xx, yy and xy only
    }
}
