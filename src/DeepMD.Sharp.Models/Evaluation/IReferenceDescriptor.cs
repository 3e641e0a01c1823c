namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A descriptor's reference (oracle) code for one center, which <see cref="ReferenceEvaluator"/> runs between the shared
/// slotting and the fitting net. Every descriptor spec offers one (<see cref="Descriptors.DescriptorSpec.Reference"/>), so
/// the reference backend runs any descriptor without a switch over descriptor types.
/// </summary>
public interface IReferenceDescriptor
{
    /// <summary>
    /// Writes the descriptor of center <paramref name="i"/> (type <paramref name="ti"/>) into the first
    /// <see cref="Descriptors.DescriptorSpec.OutputSize"/> entries of <paramref name="input"/>; returns what
    /// <see cref="Backward"/> needs.
    /// </summary>
    object Forward(int i, int ti, int[] types, NeighborList nl, NeighborSlot[] slots, double[] input);

    /// <summary>Given ∂e/∂descriptor, writes ∂e_i/∂d into (gx, gy, gz) at every list entry the center used.</summary>
    void Backward(int ti, NeighborList nl, NeighborSlot[] slots, object state, double[] inputGrad, double[] gx, double[] gy, double[] gz);
}
