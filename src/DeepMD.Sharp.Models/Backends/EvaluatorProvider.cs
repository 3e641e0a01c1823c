namespace DeepMD.Sharp.Models.Backends;

using DeepMD.Sharp.Models.Evaluation;

/// <summary>An <see cref="IEvaluatorProvider"/> made of two functions (what most registrations need).</summary>
public sealed class EvaluatorProvider(
    string backend,
    string descriptor,
    EvaluatorProvider.SupportsFunc supports,
    Func<DeepPotModel, IModelEvaluator> create,
    int priority = 0) : IEvaluatorProvider
{
    /// <summary>The shape of <see cref="IEvaluatorProvider.Supports"/>.</summary>
    public delegate bool SupportsFunc(DeepPotModel model, out string reason);

    public string Backend { get; } = backend;

    public string Descriptor { get; } = descriptor;

    public int Priority { get; } = priority;

    public bool Supports(DeepPotModel model, out string reason) => supports(model, out reason);

    public IModelEvaluator Create(DeepPotModel model) => create(model);
}
