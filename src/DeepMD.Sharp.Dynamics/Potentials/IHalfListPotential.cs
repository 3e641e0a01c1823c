namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Neighbors;

/// <summary>
/// A pair style that can be evaluated on a <see cref="HalfNeighborList"/> (each pair once, over local and ghost atoms;
/// LAMMPS' <c>newton on</c>), which is what the MD loop uses for it. The full-list <see cref="IPotential.Compute"/>
/// must give the same energy, forces and virial up to rounding.
/// </summary>
public interface IHalfListPotential : IPotential
{
    /// <summary>Computes energy, forces (on local atoms, ghost forces folded onto their owners) and virial.</summary>
    void Compute(HalfListRequest request, ForceResult result);
}

/// <summary>What a half-list evaluation needs: the list (with current ghost positions), whether per-atom energies are
/// wanted, and how many threads may work on it.</summary>
/// <param name="List">The half list; its <see cref="HalfNeighborList.Atoms"/> hold current positions and types.</param>
/// <param name="PerAtom">Whether per-atom energies are wanted.</param>
/// <param name="Parallel">Thread limit (the result does not depend on it).</param>
public readonly record struct HalfListRequest(HalfNeighborList List, bool PerAtom, ParallelOptions Parallel);
