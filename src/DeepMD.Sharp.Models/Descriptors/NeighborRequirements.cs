namespace DeepMD.Sharp.Models.Descriptors;

/// <summary>What a descriptor needs from the neighbor list.</summary>
/// <param name="Rcut">Cutoff radius, Å.</param>
/// <param name="Sel">Neighbor slots per neighbor type (per-type blocks), or one entry: the total (mixed types).</param>
/// <param name="MixedTypes">True when neighbors of all types share one block of slots (se_atten-like descriptors).</param>
/// <param name="DynamicSel">True when the slot count follows the neighbors found instead of a fixed sel.</param>
public sealed record NeighborRequirements(double Rcut, IReadOnlyList<int> Sel, bool MixedTypes, bool DynamicSel)
{
    /// <summary>Σ sel: the slots per center.</summary>
    public int TotalSel => Sel.Sum();
}
