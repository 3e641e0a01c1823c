namespace DeepMD.Sharp.Gpu.Dynamics;

/// <summary>
/// Settings of the device-resident MD loop, in the run's unit system: timestep, Verlet skin (the list holds
/// neighbors out to rcut + skin and is rebuilt when an atom has moved more than skin/2), and the unit constants
/// (LAMMPS' ftm2v, mvv2e, boltz). No thermostat: NVE.
/// </summary>
public sealed record DeviceMdSettings(double Timestep, double Skin, double Ftm2v, double Mvv2e, double Boltz)
{
    /// <summary>LAMMPS metal units (Å, ps, eV, g/mol, K), default skin 2 Å.</summary>
    public static DeviceMdSettings Metal(double timestep, double skin = 2.0) =>
        new(timestep, skin, 1.0 / 1.0364269e-4, 1.0364269e-4, 8.617343e-5);

    /// <summary>A Nosé–Hoover chain as LAMMPS' fix nvt; null for NVE.</summary>
    public NoseHooverSettings? Thermostat { get; init; }
}

/// <summary><c>fix nvt temp Tstart Tstop Tdamp [tchain N] [tloop N] [drag D]</c> parameters.</summary>
public sealed record NoseHooverSettings(double TStart, double TStop, double TDamp, int Chain = 3, int Loops = 1, double Drag = 0);
