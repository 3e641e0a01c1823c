namespace DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// Something that acts on the state at fixed phases of every step, like a LAMMPS fix. The MD loop in
/// <see cref="Simulation.Run"/> calls the hooks in this order each step: <see cref="InitialIntegrate"/>,
/// <see cref="PostIntegrate"/>, neighbor update, force evaluation, <see cref="PostForce"/>, <see cref="FinalIntegrate"/>, <see cref="EndOfStep"/>.
/// Hooks must not allocate.
/// </summary>
public abstract class Fix
{
    protected Fix(string id) => Id = id;

    /// <summary>The fix id from the deck (<c>fix ID group style ...</c>).</summary>
    public string Id { get; }

    /// <summary>The atoms the fix acts on (<c>all</c> unless the deck names a group).</summary>
    public Groups.AtomGroup Group { get; set; } = Groups.AtomGroup.All;

    /// <summary>Whether the fix honours <see cref="Group"/>; fixes that do not accept only <c>all</c>.</summary>
    public virtual bool SupportsGroups => false;

    /// <summary>Style name (e.g. <c>nve</c>).</summary>
    public abstract string Style { get; }

    /// <summary>Whether this fix moves atoms (integrators); a run needs exactly the integrators the user asked for.</summary>
    public virtual bool Integrates => false;

    /// <summary>
    /// Whether this fix changes the box during a run (barostats). The neighbor list then shrinks its rebuild
    /// trigger by how far the box corners moved, as LAMMPS does.
    /// </summary>
    public virtual bool ChangesBox => false;

    /// <summary>Whether this fix moves the processors' subdomains (LAMMPS' BOX_CHANGE_DOMAIN, fix balance): thermo then prints the volume, as LAMMPS.</summary>
    public virtual bool ChangesSubdomains => false;

    /// <summary>
    /// Whether this fix follows LAMMPS' storage order of the atoms (<see cref="Simulation.StorageOrder"/>: fix langevin
    /// assigns its random numbers in it). That order is sorted at list rebuilds, so such a run rebuilds the list at its
    /// setup as LAMMPS does, even when it could keep the last run's list (see <see cref="RunContinuation"/>).
    /// </summary>
    public virtual bool UsesStorageOrder => false;

    /// <summary>
    /// Whether the fix reads atom positions whose wrapping matters (an atom-style variable of x, y, z), so a run's
    /// setup wraps the atoms into the box and rebuilds the list as LAMMPS' setup always does, even when it could keep
    /// the last run's list (see <see cref="RunContinuation"/>).
    /// </summary>
    public virtual bool UsesWrappedPositions => false;

    /// <summary>
    /// Whether the fix keeps time-dependent state that a <c>reset_timestep</c> would corrupt (LAMMPS' time_depend: fix
    /// dt/reset); reset_timestep is refused while one is defined, as LAMMPS does.
    /// </summary>
    public virtual bool TimeDependent => false;

    /// <summary>
    /// The timestep changed during a run (fix dt/reset; LAMMPS' reset_dt): fixes that keep timestep-dependent constants
    /// recompute them from <see cref="Simulation.Timestep"/>. Default: nothing (fixes that read the timestep when they
    /// act need nothing, and LAMMPS' other fixes keep their constants too).
    /// </summary>
    public virtual void ResetTimestep(Simulation sim) { }

    /// <summary>Once per run, before the initial force evaluation (timestep-dependent constants).</summary>
    public virtual void Init(Simulation sim) { }

    /// <summary>Once per run, after the initial force evaluation.</summary>
    public virtual void Setup(Simulation sim) { }

    public virtual void InitialIntegrate(Simulation sim) { }

    /// <summary>After every fix's initial integration, before the neighbor decision (LAMMPS' post_integrate: wall/reflect).</summary>
    public virtual void PostIntegrate(Simulation sim) { }

    /// <summary>Before each step's force evaluation (LAMMPS' pre_force: fix adapt).</summary>
    public virtual void PreForce(Simulation sim) { }

    /// <summary>Before the force evaluation of a run's setup (LAMMPS' setup_pre_force).</summary>
    public virtual void SetupPreForce(Simulation sim) { }

    /// <summary>After a run's last step (LAMMPS' post_run: fix adapt restores the coefficients it changed).</summary>
    public virtual void PostRun(Simulation sim) { }

    /// <summary>
    /// On a step whose neighbor list is rebuilt, before the atoms are wrapped and the list built (LAMMPS' pre_exchange:
    /// fix deposit inserts atoms here; a fix forces such a step with <see cref="Neighbors.VerletList.RequestRebuild"/>).
    /// </summary>
    public virtual void PreExchange(Simulation sim) { }

    public virtual void PostForce(Simulation sim) { }

    /// <summary>During minimization, after each force evaluation (LAMMPS' min_post_force; most fixes do nothing).</summary>
    public virtual void MinPostForce(Simulation sim) { }

    public virtual void FinalIntegrate(Simulation sim) { }

    public virtual void EndOfStep(Simulation sim) { }

    /// <summary>
    /// Energy this fix has exchanged with the system as LAMMPS' fix scalar counts it for the thermo keyword
    /// <c>ecouple</c> (thermostat/barostat energy, or energy removed by rescaling); <c>etotal + ecouple</c> is conserved.
    /// </summary>
    public virtual double CoupledEnergy(Simulation sim) => 0.0;

    /// <summary>Whether the fix has a global energy that <c>fix_modify energy yes</c> can add to the potential energy (LAMMPS' energy_global_flag).</summary>
    public virtual bool HasGlobalEnergy => false;

    /// <summary>The fix's energy as LAMMPS' fix scalar gives it (indenter energy, −x·f of an added force), when <see cref="HasGlobalEnergy"/>.</summary>
    public virtual double GlobalEnergy(Simulation sim) => 0.0;

    /// <summary>Whether the fix can contribute a virial (<c>fix_modify virial yes</c>; LAMMPS' virial_global_flag).</summary>
    public virtual bool HasGlobalVirial => false;

    /// <summary><c>fix_modify energy yes</c>: <see cref="GlobalEnergy"/> is part of thermo's pe (and of the minimizer's energy), as LAMMPS' thermo_energy.</summary>
    public bool ThermoEnergy { get; set; }

    /// <summary><c>fix_modify virial yes|no</c> (LAMMPS' thermo_virial).</summary>
    public bool ThermoVirial { get; set; }

    /// <summary>
    /// <c>fix_modify temp ID</c>: the temperature compute a thermostat measures with (its group and degrees of freedom)
    /// instead of the fix's own temperature of its group; null: the fix's own.
    /// </summary>
    public Computes.TemperatureCompute? TemperatureCompute { get; set; }

    /// <summary><c>fix_modify press ID</c>: the pressure compute a barostat measures with; null: the fix's own.</summary>
    public Computes.ComputePressure? PressureCompute { get; set; }

    /// <summary>Whether the fix measures a temperature (thermostats, barostats), so <c>fix_modify temp</c> applies to it.</summary>
    public virtual bool UsesTemperature => false;

    /// <summary>Whether the fix measures a pressure (barostats), so <c>fix_modify press</c> applies to it.</summary>
    public virtual bool UsesPressure => false;

    /// <summary>
    /// The temperature a thermostat acts on now and its degrees of freedom: <see cref="TemperatureCompute"/>'s, evaluated
    /// afresh, or the temperature of the fix's group.
    /// </summary>
    protected double MeasureTemperature(Simulation sim, out double dof)
    {
        if (TemperatureCompute is { } c)
        {
            dof = c.DegreesOfFreedom(sim);
            return c.Evaluate(sim);
        }
        return Thermo.Thermodynamics.Temperature(sim, Group, out dof);
    }

    /// <summary>Σ <see cref="GlobalEnergy"/> of the fixes with <c>fix_modify energy yes</c> (LAMMPS' modify->energy_global()).</summary>
    public static double ThermoEnergySum(Simulation sim)
    {
        double e = 0;
        foreach (var f in sim.Fixes)
            if (f.ThermoEnergy) e += f.GlobalEnergy(sim);
        return e;
    }

    /// <summary>
    /// Instead of <see cref="Setup"/>, once, when a run continues from a checkpoint that held this fix's state
    /// (same id and style): state and forces are exactly as they were at the end of the saved step, so a fix must
    /// neither recompute what it saved nor draw random numbers here. Default: nothing.
    /// </summary>
    public virtual void Resume(Simulation sim) { }

    /// <summary>Thermostat/barostat/random-generator state to save in a checkpoint (empty when stateless).</summary>
    public virtual double[] SaveState() => [];

    /// <summary>Restores what <see cref="SaveState"/> returned.</summary>
    public virtual void RestoreState(double[] state) { }
}
