namespace DeepMD.Sharp.Cli;

using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Gpu;

/// <summary>Connects the GPU backend to <see cref="BackendSelector"/> (the Cpu project does not depend on ILGPU).</summary>
public static class GpuRegistration
{
    /// <summary>Registers the ILGPU backend; idempotent.</summary>
    public static void Register() => BackendSelector.Gpu ??= new GpuBackendHook(
        () => GpuDevices.HasCuda,
        () => GpuDevices.CudaDescription,
        GpuBackend.WhyNotSupported,
        GpuBackend.CreateCuda);
}
