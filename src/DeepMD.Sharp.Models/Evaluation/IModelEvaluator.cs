namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A backend that evaluates one <see cref="DeepPotModel"/>: the reference code, the fused CPU SIMD code, the GPU code.
/// Every backend gives the reference result within its documented precision.
/// </summary>
public interface IModelEvaluator
{
    /// <summary>Backend name as shown to users (<c>reference</c>, <c>cpu-f64</c>, …).</summary>
    string Name { get; }

    /// <summary>The model being evaluated.</summary>
    DeepPotModel Model { get; }

    /// <summary>Evaluates the model for model types <paramref name="types"/> and a full neighbor list (cutoff ≥ rcut).</summary>
    EvaluationResult Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options);
}
