namespace DeepMD.Sharp.Core.Potentials;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A potential refused to go on at an MD step (the extrapolation guard of <c>pair_style deepmd ... guard stop</c>):
/// the MD loop turns it into a stopped run that writes the last good frame.
/// </summary>
public sealed class PotentialGuardException(string message, long step, int atomId) : UserInputException(message)
{
    /// <summary>The step at which the potential stopped (−1 outside MD).</summary>
    public long Step { get; } = step;

    /// <summary>The id of the first atom to blame (0 when none).</summary>
    public int AtomId { get; } = atomId;
}
