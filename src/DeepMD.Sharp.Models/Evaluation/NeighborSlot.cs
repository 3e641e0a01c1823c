namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>One neighbor slot of a center after type splitting and sel handling: the list entry (−1 for padding) and its distance, Å.</summary>
public readonly record struct NeighborSlot(int Entry, double R);
