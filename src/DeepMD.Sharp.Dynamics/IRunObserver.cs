namespace DeepMD.Sharp.Dynamics;

/// <summary>
/// Output attached to a run (thermo, dumps, progress): told when the run starts, after every step, and when it ends.
/// Observers decide themselves whether a step is one of theirs; they must not change the state.
/// </summary>
public interface IRunObserver
{
    /// <summary>After the setup force evaluation, at the run's first step.</summary>
    void RunStarted(Simulation sim);

    /// <summary>At the end of each step (after all fixes).</summary>
    void StepCompleted(Simulation sim);

    /// <summary>When the run ends (normally or not).</summary>
    void RunFinished(Simulation sim);
}
