namespace DeepMD.Sharp.Dynamics.Checkpoints;

/// <summary>
/// The neighbor-list state a continuation needs to take the same rebuild decisions and sum forces in the same order:
/// positions at the last build, the box then (xlo ylo zlo xhi yhi zhi xy xz yz; empty when not held), steps since it, and the build statistics.
/// </summary>
public sealed record CheckpointNeighbors(
    double[] XHold, double[] YHold, double[] ZHold, double[] BoxHold, int Ago, int BuildCount, int DangerousBuilds, int RiskyUncheckedBuilds);
