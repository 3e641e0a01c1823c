namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// An evaluator that honours <see cref="EvaluationOptions.CenterWeights"/> (forces and virials of Σ_i w_i e_i): what the
/// DP+ZBL switch needs from the backend that runs the DP part. The reference and CPU backends implement it; for others
/// the composite model runs its DP part on the reference backend.
/// </summary>
public interface ICenterWeightedEvaluator : IModelEvaluator
{
}
