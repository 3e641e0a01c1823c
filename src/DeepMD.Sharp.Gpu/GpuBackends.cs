namespace DeepMD.Sharp.Gpu;

using DeepMD.Sharp.Dynamics.Device;
using DeepMD.Sharp.Gpu.Dynamics;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Descriptors;

/// <summary>
/// Registers the ILGPU backend: <c>gpu-f64</c> (alias <c>gpu</c>) and <c>gpu-f32</c>, each with the
/// <see cref="GpuSeAEvaluator{T}"/> for se_e2_a and se_r, and the device MD loop for deck runs
/// (<see cref="IDeviceLoopFactory"/>, a service of the registry that decks hand to their <c>Simulation</c>).
/// Automatic selection takes it only when a CUDA device exists.
/// </summary>
public static class GpuBackends
{
    /// <summary>The GPU backend's rank in automatic selection (above the CPU's).</summary>
    public const int Priority = 300;

    /// <summary>
    /// With this environment variable set to 1 the GPU backend runs on ILGPU's CPU accelerator instead of CUDA: very
    /// slow, for testing the device code paths (backend selection, the device MD loop under a deck) on tiny systems.
    /// </summary>
    public const string EmulateVariable = "DPSHARP_GPU_EMULATE";

    private static bool Emulate => Environment.GetEnvironmentVariable(EmulateVariable) == "1";

    /// <summary>Adds the GPU backends, their evaluators and the device loop factory to <paramref name="registry"/>; idempotent.</summary>
    public static void Register(BackendRegistry registry)
    {
        foreach (var (name, f32, aliases) in new[] { ("gpu-f64", false, new[] { "gpu" }), ("gpu-f32", true, []) })
        {
            registry.Register(new BackendInfo
            {
                Name = name,
                Aliases = aliases,
                Family = "gpu",
                DisplayName = "GPU",
                Priority = Priority,
                Precision = f32 ? "float32" : "float64",
                Summary = $"ILGPU kernels on a CUDA device, {(f32 ? "float32" : "float64")} storage; device-resident MD loop for decks",
                Probe = () => (Emulate || GpuDevices.HasCuda, Emulate ? $"ILGPU CPU accelerator ({EmulateVariable}=1, for tests)" : GpuDevices.CudaDescription),
                Requirement = "a CUDA device",
                AutomaticNote = "CUDA device present",
            });
            foreach (var descriptor in new[] { SeE2ASpec.DescriptorType, SeE2RSpec.DescriptorType })
                registry.Register(new EvaluatorProvider(name, descriptor, GpuSeAEvaluator<double>.Supports,
                    m => Emulate ? GpuBackend.CreateCpuEmulation(m, f32) : GpuBackend.CreateCuda(m, f32)));
        }
        registry.AddService<IDeviceLoopFactory>(new DeckDeviceLoopFactory());
    }
}
