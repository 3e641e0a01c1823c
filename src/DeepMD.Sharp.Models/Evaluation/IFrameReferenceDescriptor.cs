namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A descriptor's reference code over a whole frame at once, for descriptors whose center descriptor depends on more
/// than that center's own neighbors (message passing: DPA-2's repformer, DPA-3's repflow). <see cref="ReferenceEvaluator"/>
/// uses it instead of <see cref="IReferenceDescriptor"/> when <see cref="Descriptors.DescriptorSpec.FrameReference"/> is set.
/// </summary>
/// <remarks>
/// The atoms are nall = nloc + nghost (<c>types</c> has nall entries, locals first), the list has one row per
/// local center whose entries name any atom with the displacement d = r_j − r_i, and the slots are the model's
/// (<see cref="ReferenceEvaluator.AssignSlots"/>: for a mixed-type descriptor the Σsel nearest within rcut, sorted by
/// distance, −1 padding). A descriptor with several cutoffs selects its other slots itself
/// (<see cref="ReferenceEvaluator.AssignMixedSlots"/>). Every geometric input enters through the entries' displacements,
/// so the whole gradient path is ∂E/∂d per entry, which <see cref="PairTermAccumulator"/> turns into forces and virials.
/// </remarks>
public interface IFrameReferenceDescriptor
{
    /// <summary>
    /// Writes the descriptors of all local centers into <paramref name="descriptors"/> ([nloc][OutputSize], row-major);
    /// returns what <see cref="Backward"/> needs.
    /// </summary>
    object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, ParallelOptions parallel);

    /// <summary>
    /// <see cref="Forward(int[], NeighborList, NeighborSlot[][], double[], ParallelOptions)"/> with the evaluation options,
    /// for a descriptor that selects further slots itself and so needs the sel-overflow policy and the atom labels
    /// (DPA-2's smaller cutoffs). By default the options only give the parallelism.
    /// </summary>
    object Forward(int[] types, NeighborList nl, NeighborSlot[][] slots, double[] descriptors, EvaluationOptions options) =>
        Forward(types, nl, slots, descriptors, options.ParallelOptions());

    /// <summary>
    /// Given ∂E/∂descriptor of every center (<paramref name="descriptorGrad"/>, [nloc][OutputSize]; zero rows for
    /// excluded atom types), adds ∂E/∂d into (gx, gy, gz) at every list entry.
    /// </summary>
    void Backward(int[] types, NeighborList nl, NeighborSlot[][] slots, object state, double[] descriptorGrad,
        double[] gx, double[] gy, double[] gz, ParallelOptions parallel);

    /// <summary>
    /// What to add to the pair-form per-atom virial ([nall][9]) to get DeePMD-kit's, −Σ_i ∂e_i/∂x_k ⊗ (x_k − x_i), which
    /// differs from it when a center's energy depends on other centers' neighbors; null when nothing is to be added (the
    /// default, or when <see cref="EvaluationOptions.AtomPositions"/> is not given). Called after <see cref="Backward"/>
    /// with its pair gradients.
    /// </summary>
    double[]? AtomVirialCorrection(int[] types, NeighborList nl, object state, double[] descriptorGrad,
        double[] gx, double[] gy, double[] gz, EvaluationOptions options) => null;
}
