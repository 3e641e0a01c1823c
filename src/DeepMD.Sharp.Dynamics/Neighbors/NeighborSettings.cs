namespace DeepMD.Sharp.Dynamics.Neighbors;

/// <summary>
/// LAMMPS' <c>neighbor</c> and <c>neigh_modify</c> settings: skin (distance units) and the rebuild rule
/// (rebuild only when at least <see cref="Delay"/> steps passed since the last build and the step count since then
/// is a multiple of <see cref="Every"/>; with <see cref="Check"/>, only if some atom moved more than half the skin).
/// </summary>
public sealed class NeighborSettings
{
    /// <summary>Extra distance beyond the potential cutoff kept in the list.</summary>
    public double Skin { get; set; } = 0.3;

    public int Every { get; set; } = 1;

    public int Delay { get; set; }

    public bool Check { get; set; } = true;

    /// <summary>Whether the user set the skin (otherwise the unit style's default applies).</summary>
    public bool SkinSet { get; set; }
}
