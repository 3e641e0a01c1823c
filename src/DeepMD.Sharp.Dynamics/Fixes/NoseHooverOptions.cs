namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Geometry;

/// <summary>How barostatted box directions share one pressure (LAMMPS' <c>couple</c> keyword).</summary>
public enum PressureCoupling
{
    None,
    Xyz,
    Xy,
    Yz,
    Xz,
}

/// <summary>
/// Settings of a Nosé–Hoover integrator (<c>fix nvt/npt/nph</c>) with LAMMPS' keywords and defaults. Pressure
/// components use LAMMPS' Voigt order: 0 = x, 1 = y, 2 = z, 3 = yz, 4 = xz, 5 = xy.
/// </summary>
public sealed class NoseHooverOptions
{
    /// <summary>Whether <c>temp Tstart Tstop Tdamp</c> was given (thermostat on the particles).</summary>
    public bool Thermostat { get; set; }

    public double TStart { get; set; }

    public double TStop { get; set; }

    public double TDamp { get; set; }

    /// <summary>Which stress components are controlled.</summary>
    public bool[] PFlag { get; } = new bool[6];

    public double[] PStart { get; } = new double[6];

    public double[] PStop { get; } = new double[6];

    public double[] PDamp { get; } = new double[6];

    public PressureCoupling Couple { get; set; }

    /// <summary>Set by x/y/z/xy/xz/yz: targets may differ per component (LAMMPS' deviatoric stress term).</summary>
    public bool Deviatoric { get; set; }

    /// <summary>Whether the tilt factor follows the scaling of the box length (LAMMPS' scalexy/scalexz/scaleyz).</summary>
    public bool ScaleXy { get; set; }

    public bool ScaleXz { get; set; }

    public bool ScaleYz { get; set; }

    /// <summary>Thermostat chain length on the particles (<c>tchain</c>, default 3).</summary>
    public int TChain { get; set; } = 3;

    /// <summary>Thermostat chain length on the barostat (<c>pchain</c>, default 3; 0 = none).</summary>
    public int PChain { get; set; } = 3;

    /// <summary>Sub-steps of the particle chain (<c>tloop</c>).</summary>
    public int TLoop { get; set; } = 1;

    /// <summary>Sub-steps of the barostat chain (<c>ploop</c>).</summary>
    public int PLoop { get; set; } = 1;

    /// <summary>Martyna–Tobias–Klein correction terms (<c>mtk</c>, default yes).</summary>
    public bool Mtk { get; set; } = true;

    /// <summary>Reference cell reset interval for the deviatoric term (<c>nreset</c>, 0 = never).</summary>
    public int NReset { get; set; }

    /// <summary>Damping of the thermostat and barostat velocities (<c>drag</c>).</summary>
    public double Drag { get; set; }

    /// <summary>Point that stays fixed when the box scales (<c>fixedpoint</c>); null = the box centre when the run starts.</summary>
    public double[]? FixedPoint { get; set; }

    /// <summary>True when any stress component is controlled.</summary>
    public bool Barostat => PFlag.Any(f => f);

    /// <summary>
    /// LAMMPS' default tilt scaling: a tilt factor scales with its box length when the box is already tilted in that
    /// plane. Call before reading keywords (<c>tri</c>, <c>xy</c>, ... and <c>scalexy</c> ... then override it).
    /// </summary>
    public void DefaultTiltScaling(SimulationBox box)
    {
        ScaleXy = box.Periodic[1] && box.Xy != 0.0;
        ScaleXz = box.Periodic[2] && box.Xz != 0.0;
        ScaleYz = box.Periodic[2] && box.Yz != 0.0;
    }
}
