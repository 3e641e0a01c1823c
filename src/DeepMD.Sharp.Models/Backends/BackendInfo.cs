namespace DeepMD.Sharp.Models.Backends;

using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// A backend as selection sees it: its name, how it ranks, which model precision it takes in automatic selection,
/// whether its hardware is present, and how the chosen backend is described (the reason line of <c>dpsharp info</c>
/// and the run log). Its evaluators come from <see cref="IEvaluatorProvider"/>s registered under <see cref="Name"/>.
/// </summary>
public sealed class BackendInfo
{
    /// <summary>The name <c>--backend</c> and DPSHARP_BACKEND take (<c>reference</c>, <c>cpu-f64</c>, <c>gpu-f32</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Other names for it (<c>cpu</c> for <c>cpu-f64</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The family (<c>reference</c>, <c>cpu</c>, <c>gpu</c>): what error messages suggest with <c>--backend</c>.</summary>
    public required string Family { get; init; }

    /// <summary>How messages name the backend (<c>CPU SIMD</c>, <c>GPU</c>).</summary>
    public required string DisplayName { get; init; }

    /// <summary>Automatic selection tries higher priorities first (GPU 300, CPU 200, reference 0).</summary>
    public required int Priority { get; init; }

    /// <summary>
    /// The stored model precision automatic selection gives it (<c>float32</c> or <c>float64</c>: a float32 model runs in
    /// float32, as DeePMD-kit runs it), or null for any.
    /// </summary>
    public string? Precision { get; init; }

    /// <summary>One line for <c>dpsharp styles</c>.</summary>
    public required string Summary { get; init; }

    /// <summary>
    /// Whether the hardware it needs is here, and the device(s) found or why there are none (for <c>dpsharp info</c>);
    /// null: always available.
    /// </summary>
    public Func<(bool Available, string Device)>? Probe { get; init; }

    /// <summary>What it needs, for the message when it is forced but unavailable (<c>a CUDA device</c>).</summary>
    public string Requirement { get; init; } = "its device";

    /// <summary>
    /// Why automatic selection takes it (<c>CUDA device present</c>), or null for the fallback, whose reason is why the
    /// backend before it declined the model.
    /// </summary>
    public string? AutomaticNote { get; init; }

    /// <summary>The reason line for an evaluator it created; the second argument says how it was chosen (<c>requested</c>).</summary>
    public Func<IModelEvaluator, string, string> Describe { get; init; } = (e, how) => $"{e.Name} ({how})";

    /// <summary>Whether the backend can run here; <paramref name="device"/> describes the hardware found.</summary>
    public bool IsAvailable(out string device)
    {
        if (Probe is null)
        {
            device = "";
            return true;
        }
        (var ok, device) = Probe();
        return ok;
    }
}
