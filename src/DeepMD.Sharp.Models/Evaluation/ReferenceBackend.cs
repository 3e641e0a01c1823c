namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>The <see cref="ReferenceEvaluator"/> behind the backend interface.</summary>
public sealed class ReferenceBackend(DeepPotModel model) : IModelEvaluator, ICenterWeightedEvaluator
{
    public string Name => "reference";

    public DeepPotModel Model { get; } = model;

    public void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result) =>
        ReferenceEvaluator.Evaluate(Model, types, neighbors, options, result);
}
