namespace DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// What thermo keywords read at one output step: the simulation plus quantities computed once per line
/// (temperature, pressure tensor), the per-atom normalisation flag, and timing.
/// </summary>
public sealed class ThermoSample
{
    private readonly double[] _pressureTensor = new double[6];
    private bool _haveTemperature, _havePressureTensor;
    private double _temperature;

    internal ThermoSample(Simulation sim) => Simulation = sim;

    public Simulation Simulation { get; }

    /// <summary>Divide extensive energies by the atom count (thermo_modify norm; default yes for lj).</summary>
    public bool Normalize { get; internal set; }

    /// <summary>Wall seconds since the run started.</summary>
    public double CpuSeconds { get; internal set; }

    /// <summary>Simulated time per wall second since the previous output (time units).</summary>
    public double TimePerCpu { get; internal set; }

    /// <summary>Steps per wall second since the previous output.</summary>
    public double StepsPerCpu { get; internal set; }

    internal void Reset()
    {
        _haveTemperature = false;
        _havePressureTensor = false;
    }

    /// <summary>
    /// The thermo temperature compute (<c>thermo_temp</c>) when the deck made or changed it (<c>compute_modify thermo_temp
    /// extra/dof N</c>), else null and thermo uses the temperature of all atoms with the default degrees of freedom.
    /// </summary>
    private Computes.TemperatureCompute? ThermoTemp => Simulation.FindCompute(TemperatureId) as Computes.TemperatureCompute;

    /// <summary>The id of thermo's temperature compute (<c>thermo_modify temp ID</c>; default thermo_temp).</summary>
    public string TemperatureId { get; internal set; } = "thermo_temp";

    public double Temperature
    {
        get
        {
            if (!_haveTemperature)
            {
                _temperature = ThermoTemp is { } c ? c.Scalar(Simulation) : Thermodynamics.Temperature(Simulation);
                _haveTemperature = true;
            }
            return _temperature;
        }
    }

    /// <summary>The degrees of freedom of the thermo temperature (LAMMPS' temperature->dof).</summary>
    public double DegreesOfFreedom => ThermoTemp is { } c ? c.DegreesOfFreedom(Simulation) : Thermodynamics.DegreesOfFreedom(Simulation);

    public double Pressure => Thermodynamics.Pressure(Simulation, Temperature, DegreesOfFreedom);

    /// <summary>Potential energy as thermo's pe: the force evaluation's plus the fixes' with <c>fix_modify energy yes</c>.</summary>
    public double PotentialEnergy => Simulation.PotentialEnergy + Fixes.Fix.ThermoEnergySum(Simulation);

    public double PressureComponent(int k)
    {
        if (!_havePressureTensor)
        {
            // LAMMPS' thermo_press takes its kinetic tensor from thermo's temperature compute (thermo_modify temp): a biased
            // one (temp/partial, temp/deform) or one of a group gives its own; the default is the whole system's.
            if (ThermoTemp is { } c && (c is not Computes.ComputeTemp || !c.Group.IsAll))
                Thermodynamics.PressureTensor(Simulation, _pressureTensor, c.Vector(Simulation));
            else Thermodynamics.PressureTensor(Simulation, _pressureTensor);
            _havePressureTensor = true;
        }
        return _pressureTensor[k];
    }

    /// <summary>An extensive energy, divided by the atom count when normalising.</summary>
    public double Extensive(double e) => Normalize ? e / Simulation.AtomCount : e;

    public double KineticEnergy => Temperature * 0.5 * DegreesOfFreedom * Simulation.Units.Boltz;
}
