namespace DeepMD.Sharp.Dynamics.Device;

/// <summary>
/// An MD loop that keeps the atoms on an accelerator for a whole <c>run</c>: it integrates, thermostats, rebuilds
/// neighbor lists and evaluates forces there, and copies the state back only at the steps whose output needs it
/// (thermo, dumps, restarts). <see cref="Simulation.Run"/> drives it when a <see cref="IDeviceLoopFactory"/> accepts the
/// run; the host loop runs otherwise.
/// </summary>
public interface IDeviceLoop : IDisposable
{
    /// <summary>What runs where, for the log (device, precision, integrator).</summary>
    string Description { get; }

    /// <summary>Neighbor list builds on the device so far in this run.</summary>
    int NeighborBuilds { get; }

    /// <summary>Advances the device state by <paramref name="steps"/> MD steps.</summary>
    void Advance(long steps);

    /// <summary>
    /// Copies the device state into <paramref name="sim"/>: positions and image flags, velocities, forces, potential
    /// energy and virial, and the integrator's state (thermostat chain); throws a <see cref="SimulationException"/> on
    /// a non-finite energy.
    /// </summary>
    void CopyTo(Simulation sim);
}

/// <summary>Decides whether a run can go to a device loop, and creates it from the simulation's current state.</summary>
public interface IDeviceLoopFactory
{
    /// <summary>
    /// A device loop for the run that <paramref name="sim"/> is about to do (its state is set up: neighbor list, forces,
    /// fixes), or null; then <paramref name="reason"/> says why the host loop runs (empty when the device was never an
    /// option, e.g. the potential is not evaluated on a device).
    /// </summary>
    IDeviceLoop? TryCreate(Simulation sim, out string reason);
}

/// <summary>
/// Implemented by run observers that read the state only at some steps (thermo every N, dumps, restarts), so a device
/// loop copies the state back only then. Observers without it get the state at every step.
/// </summary>
public interface IStepSchedule
{
    /// <summary>Whether the observer reads the simulation state at the end of <paramref name="step"/>.</summary>
    bool NeedsState(Simulation sim, long step);
}
