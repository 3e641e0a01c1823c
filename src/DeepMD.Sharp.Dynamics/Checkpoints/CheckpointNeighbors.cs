namespace DeepMD.Sharp.Dynamics.Checkpoints;

/// <summary>
/// The neighbor-list state a continuation needs to take the same rebuild decisions and sum forces in the same order:
/// positions at the last build, steps since it, and the build statistics.
/// </summary>
public sealed record CheckpointNeighbors(
    double[] XHold, double[] YHold, double[] ZHold, int Ago, int BuildCount, int DangerousBuilds, int RiskyUncheckedBuilds);
