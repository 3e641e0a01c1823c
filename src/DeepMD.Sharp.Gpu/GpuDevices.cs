namespace DeepMD.Sharp.Gpu;

using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

/// <summary>Finding and opening ILGPU devices: CUDA when present, ILGPU's CPU accelerator (an emulator, for tests) otherwise.</summary>
public static class GpuDevices
{
    private static readonly Lazy<(bool Present, string Description)> CudaProbe = new(() =>
    {
        try
        {
            using var context = Context.Create(b => b.Cuda());
            var devices = context.GetCudaDevices();
            var names = new List<string>();
            for (var k = 0; k < devices.Count; k++) names.Add($"{devices[k].Name} ({devices[k].MemorySize / (1 << 20)} MiB)");
            return names.Count == 0 ? (false, $"{NoDevice} (the CUDA driver reports no device)") : (true, string.Join("; ", names));
        }
        catch (Exception ex)
        {
            return (false, $"{NoDevice} (CUDA unavailable: {ex.GetType().Name}: {ex.Message})");
        }
    });

    /// <summary>How <see cref="CudaDescription"/> starts when there is no CUDA device.</summary>
    public const string NoDevice = "no CUDA device: CPU backend";

    /// <summary>Whether at least one CUDA device can be used.</summary>
    public static bool HasCuda => CudaProbe.Value.Present;

    /// <summary>The CUDA devices found (name and memory), or <see cref="NoDevice"/> and why.</summary>
    public static string CudaDescription => CudaProbe.Value.Description;

    /// <summary>A context with the algorithms library (tanh, exp… on every backend) and the first CUDA device opened.</summary>
    public static (Context Context, Accelerator Accelerator) OpenCuda()
    {
        var context = Context.Create(b => b.Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        try
        {
            return (context, context.CreateCudaAccelerator(0));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>A context with ILGPU's CPU accelerator (runs kernels by emulation; only for tiny inputs).</summary>
    public static (Context Context, Accelerator Accelerator) OpenCpu()
    {
        var context = Context.Create(b => b.CPU().EnableAlgorithms());
        return (context, context.CreateCPUAccelerator(0));
    }
}
