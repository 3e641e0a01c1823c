namespace DeepMD.Sharp.Cli;

using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Dynamics.Device;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Gpu.Dynamics;

/// <summary>
/// Connects the GPU backend to <see cref="BackendSelector"/> (the Cpu project does not depend on ILGPU) and the device
/// MD loop to deck runs (<see cref="DeviceLoops"/>).
/// </summary>
public static class GpuRegistration
{
    /// <summary>
    /// With this environment variable set to 1 the GPU backend runs on ILGPU's CPU accelerator instead of CUDA: very
    /// slow, for testing the device code paths (backend selection, the device MD loop under a deck) on tiny systems.
    /// </summary>
    public const string EmulateVariable = "DPSHARP_GPU_EMULATE";

    private static bool Emulate => Environment.GetEnvironmentVariable(EmulateVariable) == "1";

    /// <summary>Registers the ILGPU backend and the device loop factory; idempotent.</summary>
    public static void Register()
    {
        BackendSelector.Gpu ??= new GpuBackendHook(
            () => Emulate || GpuDevices.HasCuda,
            () => Emulate ? $"ILGPU CPU accelerator ({EmulateVariable}=1, for tests)" : GpuDevices.CudaDescription,
            GpuBackend.WhyNotSupported,
            (model, f32) => Emulate ? GpuBackend.CreateCpuEmulation(model, f32) : GpuBackend.CreateCuda(model, f32));
        DeviceLoops.Factory ??= new DeckDeviceLoopFactory();
    }
}
