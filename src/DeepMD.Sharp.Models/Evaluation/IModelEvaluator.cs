namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A backend that evaluates one <see cref="DeepPotModel"/>: the reference code, the fused CPU SIMD code, the GPU code.
/// Every backend gives the reference result within its documented precision.
/// </summary>
/// <remarks>
/// The evaluation contract, with ghost atoms (what a LAMMPS rank or a domain of a decomposed run has): the atoms are
/// nall = nlocal + nghost, <c>types</c> has one entry per atom, and the full neighbor list has one row per local atom
/// (its centers are atoms 0 .. nlocal − 1) whose entries name any atom, local or ghost, with the displacement
/// d = r_j − r_i. A periodic list built by <see cref="CellListNeighborSearch"/> is the case nghost = 0: its entries name
/// the owner of each periodic image. The result holds forces and per-atom virials on all nall atoms, not folded.
/// </remarks>
public interface IModelEvaluator
{
    /// <summary>Backend name as shown to users (<c>reference</c>, <c>cpu-f64</c>, …).</summary>
    string Name { get; }

    /// <summary>The model being evaluated.</summary>
    DeepPotModel Model { get; }

    /// <summary>
    /// Evaluates the model for model types <paramref name="types"/> (nall atoms) and a full neighbor list over the
    /// first <see cref="NeighborList.CenterCount"/> atoms (cutoff ≥ rcut), into <paramref name="result"/> (resized and
    /// overwritten; the caller keeps it between calls, so a steady MD step allocates nothing for it).
    /// </summary>
    void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result);
}
