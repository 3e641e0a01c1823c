namespace DeepMD.Sharp.Cpu;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>The CPU SIMD evaluator for a model's descriptor (se_e2_a or se_e2_r), in float64 or float32 networks.</summary>
public static class CpuBackend
{
    /// <summary>Whether the CPU backend can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    public static bool Supports(DeepPotModel model, out string reason) => model.Descriptor switch
    {
        SeE2ASpec => CpuSeAEvaluator<double>.Supports(model, out reason),
        SeE2RSpec => CpuSeREvaluator<double>.Supports(model, out reason),
        _ => Unsupported(model, out reason),
    };

    /// <summary>Creates the evaluator; <paramref name="float32"/> selects float32 networks.</summary>
    public static IModelEvaluator Create(DeepPotModel model, bool float32) => (model.Descriptor, float32) switch
    {
        (SeE2ASpec, false) => new CpuSeAEvaluator<double>(model),
        (SeE2ASpec, true) => new CpuSeAEvaluator<float>(model),
        (SeE2RSpec, false) => new CpuSeREvaluator<double>(model),
        (SeE2RSpec, true) => new CpuSeREvaluator<float>(model),
        _ => throw new ArgumentException($"the CPU backend does not implement {model.Descriptor.TypeName}"),
    };

    private static bool Unsupported(DeepPotModel model, out string reason)
    {
        reason = $"the CPU SIMD backend implements se_e2_a and se_e2_r; this model's descriptor is {model.Descriptor.TypeName}";
        return false;
    }
}
