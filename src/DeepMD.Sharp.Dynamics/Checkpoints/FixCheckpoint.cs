namespace DeepMD.Sharp.Dynamics.Checkpoints;

/// <summary>One fix's saved state (<see cref="Fixes.Fix.SaveState"/>), matched on restart by id and style.</summary>
public sealed record FixCheckpoint(string Id, string Style, double[] State);
