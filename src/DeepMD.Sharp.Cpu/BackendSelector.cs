namespace DeepMD.Sharp.Cpu;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// Picks the backend that evaluates a model: the fastest one that supports it, unless the user forces one with
/// <c>DPSHARP_BACKEND=reference|cpu|cpu-f32|gpu|gpu-f32</c> or an option. The GPU backend is reached through
/// <see cref="Gpu"/>, registered by programs that ship it; "auto" picks it only when a CUDA device exists. Every choice comes with the reason, for logs and <c>dpsharp info</c>.
/// </summary>
public static class BackendSelector
{
    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["auto", "reference", "cpu", "cpu-f64", "cpu-f32", "gpu", "gpu-f64", "gpu-f32"];

    /// <summary>The GPU backend, when the host program registered one (null: not part of this program).</summary>
    public static GpuBackendHook? Gpu { get; set; }

    /// <summary>Whether the model's networks are stored in float32 (descriptor and fitting).</summary>
    public static bool IsFloat32(DeepPotModel model) => model.Descriptor.Precision == "float32" && model.Fitting.Precision == "float32";

    /// <summary>
    /// Creates the evaluator for <paramref name="model"/>. <paramref name="requested"/> is a name from <see cref="Names"/>
    /// or null, in which case DPSHARP_BACKEND decides, else "auto".
    /// </summary>
    public static IModelEvaluator Create(DeepPotModel model, string? requested, out string reason)
    {
        var env = Environment.GetEnvironmentVariable("DPSHARP_BACKEND");
        var name = (requested ?? (string.IsNullOrWhiteSpace(env) ? "auto" : env)).Trim().ToLowerInvariant();
        var source = requested is not null ? "requested" : string.IsNullOrWhiteSpace(env) ? "automatic" : "DPSHARP_BACKEND";
        switch (name)
        {
            case "reference":
                reason = $"reference: double-precision oracle ({source})";
                return new ReferenceBackend(model);
            case "gpu" or "gpu-f64" or "gpu-f32":
            {
                if (Gpu is null)
                    throw new UserInputException("the GPU backend is not part of this program; use --backend cpu or reference");
                if (!Gpu.DeviceAvailable())
                    throw new UserInputException($"backend '{name}' needs a CUDA device: {Gpu.DeviceDescription()}; use --backend cpu or reference");
                if (Gpu.WhyNotSupported(model) is { } whyGpu)
                    throw new UserInputException($"backend '{name}' cannot run this model: {whyGpu}; use --backend cpu or reference");
                var evaluator = Gpu.Create(model, name == "gpu-f32");
                reason = $"{evaluator.Name} ({source})";
                return evaluator;
            }
            case "cpu" or "cpu-f64" or "cpu-f32":
                if (!CpuBackend.Supports(model, out var why))
                    throw new UserInputException($"backend '{name}' cannot run this model: {why}; use --backend reference");
                reason = $"{(name == "cpu-f32" ? "cpu-f32" : "cpu-f64")}: fused SIMD kernels, {System.Numerics.Vector<double>.Count * 64}-bit vectors, {Environment.ProcessorCount} cores ({source})";
                return CpuBackend.Create(model, float32: name == "cpu-f32");
            case "auto":
            {
                // A model stored in float32 runs in float32 (as DeePMD-kit runs it), which is also twice as fast.
                var f32 = IsFloat32(model);
                var why32 = f32 ? ", float32 because the model is float32" : "";
                if (Gpu is not null && Gpu.DeviceAvailable() && Gpu.WhyNotSupported(model) is null)
                {
                    var evaluator = Gpu.Create(model, f32);
                    reason = $"{evaluator.Name} (automatic: CUDA device present{why32})";
                    return evaluator;
                }
                if (CpuBackend.Supports(model, out var whyNot))
                {
                    reason = $"{(f32 ? "cpu-f32" : "cpu-f64")}: fused SIMD kernels, {System.Numerics.Vector<double>.Count * 64}-bit vectors, {Environment.ProcessorCount} cores (automatic: fastest backend supporting the model{why32})";
                    return CpuBackend.Create(model, float32: f32);
                }
                reason = $"reference (automatic: {whyNot})";
                return new ReferenceBackend(model);
            }
            default:
                throw new UserInputException($"unknown backend '{name}'; choose one of: {string.Join(", ", Names)}");
        }
    }
}
