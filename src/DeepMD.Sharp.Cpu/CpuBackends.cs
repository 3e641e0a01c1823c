namespace DeepMD.Sharp.Cpu;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Descriptors;

/// <summary>
/// Registers the fused CPU SIMD backend: <c>cpu-f64</c> (alias <c>cpu</c>) and <c>cpu-f32</c>, each with an evaluator
/// for se_e2_a (<see cref="CpuSeAEvaluator{T}"/>), se_r (<see cref="CpuSeREvaluator{T}"/>) and DPA-1
/// (se_atten, se_atten_v2: <see cref="CpuSeAttenEvaluator{T}"/>), DPA-2 (<see cref="CpuDpa2Evaluator{T}"/>) and DPA-3
/// (<see cref="CpuDpa3Evaluator{T}"/>). A new descriptor adds
/// its two providers here.
/// </summary>
public static class CpuBackends
{
    /// <summary>The CPU backend's rank in automatic selection (below the GPU's, above the reference).</summary>
    public const int Priority = 200;

    private const string SeA = SeE2ASpec.DescriptorType, SeR = SeE2RSpec.DescriptorType;

    /// <summary>Adds the CPU backends and their evaluators to <paramref name="registry"/>; idempotent.</summary>
    public static void Register(BackendRegistry registry)
    {
        registry.Register(Backend("cpu-f64", "float64", ["cpu"]));
        registry.Register(Backend("cpu-f32", "float32", []));
        registry.Register(new EvaluatorProvider("cpu-f64", SeA, CpuSeAEvaluator<double>.Supports, m => new CpuSeAEvaluator<double>(m)));
        registry.Register(new EvaluatorProvider("cpu-f32", SeA, CpuSeAEvaluator<double>.Supports, m => new CpuSeAEvaluator<float>(m)));
        registry.Register(new EvaluatorProvider("cpu-f64", SeR, CpuSeREvaluator<double>.Supports, m => new CpuSeREvaluator<double>(m)));
        registry.Register(new EvaluatorProvider("cpu-f32", SeR, CpuSeREvaluator<double>.Supports, m => new CpuSeREvaluator<float>(m)));
        foreach (var attention in new[] { "se_atten", "se_atten_v2" })
        {
            registry.Register(new EvaluatorProvider("cpu-f64", attention, CpuSeAttenEvaluator<double>.Supports, m => new CpuSeAttenEvaluator<double>(m)));
            registry.Register(new EvaluatorProvider("cpu-f32", attention, CpuSeAttenEvaluator<double>.Supports, m => new CpuSeAttenEvaluator<float>(m)));
        }
        registry.Register(new EvaluatorProvider("cpu-f64", Dpa3Spec.DescriptorType, CpuDpa3Evaluator<double>.Supports, m => new CpuDpa3Evaluator<double>(m)));
        registry.Register(new EvaluatorProvider("cpu-f32", Dpa3Spec.DescriptorType, CpuDpa3Evaluator<double>.Supports, m => new CpuDpa3Evaluator<float>(m)));
        registry.Register(new EvaluatorProvider("cpu-f64", Dpa2Spec.DescriptorType, CpuDpa2Evaluator<double>.Supports, m => new CpuDpa2Evaluator<double>(m)));
        registry.Register(new EvaluatorProvider("cpu-f32", Dpa2Spec.DescriptorType, CpuDpa2Evaluator<double>.Supports, m => new CpuDpa2Evaluator<float>(m)));
    }

    /// <summary>The evaluators' thread count: DPSHARP_THREADS when set, else every core (<c>EvaluationOptions</c>'s default).</summary>
    private static int Threads() => new Models.Evaluation.EvaluationOptions().MaxDegreeOfParallelism() is > 0 and var n ? n : Environment.ProcessorCount;

    private static BackendInfo Backend(string name, string precision, string[] aliases) => new()
    {
        Name = name,
        Aliases = aliases,
        Family = "cpu",
        DisplayName = "CPU SIMD",
        Priority = Priority,
        Precision = precision,
        Summary = $"fused SIMD kernels, {(precision == "float32" ? "float32" : "float64")} networks, all cores",
        AutomaticNote = "fastest backend supporting the model",
        Describe = (_, how) => $"{name}: fused SIMD kernels, {precision}, {System.Numerics.Vector<double>.Count * 64}-bit vectors, {Threads()} thread{(Threads() == 1 ? "" : "s")} ({how})",
    };
}
