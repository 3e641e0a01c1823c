namespace DeepMD.Sharp.Cpu;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// How <see cref="BackendSelector"/> reaches the GPU backend without this project depending on ILGPU: a program that
/// ships DeepMD.Sharp.Gpu (the CLI) registers one of these in <see cref="BackendSelector.Gpu"/>.
/// </summary>
/// <param name="DeviceAvailable">Whether a CUDA device can be used.</param>
/// <param name="DeviceDescription">The device(s) found, or why there are none (for <c>dpsharp info</c>).</param>
/// <param name="WhyNotSupported">Null when the GPU backend can evaluate the model, else the reason.</param>
/// <param name="Create">Creates the evaluator on the CUDA device; the flag asks for float32 storage.</param>
public sealed record GpuBackendHook(
    Func<bool> DeviceAvailable,
    Func<string> DeviceDescription,
    Func<DeepPotModel, string?> WhyNotSupported,
    Func<DeepPotModel, bool, IModelEvaluator> Create);
