namespace DeepMD.Sharp.Gpu;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>Creates GPU evaluators on the first CUDA device; the evaluator owns the ILGPU context and accelerator.</summary>
public static class GpuBackend
{
    /// <summary>Null when <see cref="GpuSeAEvaluator{T}"/> can evaluate <paramref name="model"/>, else the reason.</summary>
    public static string? WhyNotSupported(DeepPotModel model) => GpuSeAEvaluator<double>.Supports(model, out var why) ? null : why;

    /// <summary>
    /// Opens the first CUDA device and creates the evaluator (float32 storage when <paramref name="singlePrecision"/>).
    /// Dispose the evaluator to release the device.
    /// </summary>
    public static IModelEvaluator CreateCuda(DeepPotModel model, bool singlePrecision) => Create(model, singlePrecision, GpuDevices.OpenCuda());

    /// <summary>
    /// The same evaluator on ILGPU's CPU accelerator (very slow: for tests of the device code paths, e.g. a deck run
    /// through the device MD loop with <c>DPSHARP_GPU_EMULATE=1</c>, on tiny systems).
    /// </summary>
    public static IModelEvaluator CreateCpuEmulation(DeepPotModel model, bool singlePrecision) => Create(model, singlePrecision, GpuDevices.OpenCpu());

    private static IModelEvaluator Create(DeepPotModel model, bool singlePrecision, (ILGPU.Context, ILGPU.Runtime.Accelerator) device)
    {
        var (context, accelerator) = device;
        var owned = new OwnedDevice(context, accelerator);
        try
        {
            return singlePrecision
                ? new GpuSeAEvaluator<float>(model, accelerator, owned: owned)
                : new GpuSeAEvaluator<double>(model, accelerator, owned: owned);
        }
        catch
        {
            owned.Dispose();
            throw;
        }
    }
}
