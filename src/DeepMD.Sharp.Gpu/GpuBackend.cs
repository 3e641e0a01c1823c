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
    public static IModelEvaluator CreateCuda(DeepPotModel model, bool singlePrecision)
    {
        var (context, accelerator) = GpuDevices.OpenCuda();
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
