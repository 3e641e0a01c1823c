namespace DeepMD.Sharp.Core.Potentials;

/// <summary>Which neighbor list a potential computes from.</summary>
public enum NeighborKind
{
    /// <summary>A full list over the local atoms (<see cref="Neighbors.NeighborList"/>): DeePMD models.</summary>
    Full,

    /// <summary>A half list over local and ghost atoms, each pair once (<see cref="Neighbors.HalfNeighborList"/>): lj/cut, eam.</summary>
    HalfWithGhosts,

    /// <summary>
    /// Both lists, built from the same positions: <c>pair_style hybrid/overlay</c> whose sub-styles ask for different
    /// kinds (each sub-style reads the one it declares).
    /// </summary>
    Both,
}
