namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>Conveniences over <see cref="IModelEvaluator"/>.</summary>
public static class ModelEvaluatorExtensions
{
    /// <summary>Evaluates into a fresh result (one-off evaluations: <c>dpsharp eval</c>, <c>test</c>, tests).</summary>
    public static EvaluationResult Evaluate(this IModelEvaluator evaluator, int[] types, NeighborList neighbors, EvaluationOptions options)
    {
        var result = new EvaluationResult();
        evaluator.Evaluate(types, neighbors, options, result);
        return result;
    }
}
