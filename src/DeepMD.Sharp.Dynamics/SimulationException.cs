namespace DeepMD.Sharp.Dynamics;

using DeepMD.Sharp.Core.Errors;

/// <summary>A run stopped because the state became invalid (non-finite energy or forces, lost atoms).</summary>
public sealed class SimulationException : UserInputException
{
    public SimulationException(string message, long step, int atomId) : base(message)
    {
        Step = step;
        AtomId = atomId;
    }

    /// <summary>The step at which the problem was found.</summary>
    public long Step { get; }

    /// <summary>The LAMMPS id of the first offending atom (0 when no single atom is to blame).</summary>
    public int AtomId { get; }
}
