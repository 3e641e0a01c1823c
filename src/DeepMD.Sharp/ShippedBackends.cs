using DeepMD.Sharp.Models.Backends;

[assembly: BackendPlugin(typeof(DeepMD.Sharp.ShippedBackends))]

namespace DeepMD.Sharp;

using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Gpu;

/// <summary>
/// The backends this code base ships (the CPU SIMD and GPU ones; the reference is always there). A program that
/// references this library gets them in <see cref="BackendRegistry.Default"/> without registering anything: the
/// default registry loads this assembly by name on first use (<see cref="BackendPluginAttribute"/>). The
/// <c>dpsharp</c> program registers them explicitly at start-up too.
/// </summary>
public sealed class ShippedBackends : IBackendPlugin
{
    /// <summary>Adds the CPU and GPU backends to <paramref name="registry"/>; idempotent.</summary>
    public static void Register(BackendRegistry registry)
    {
        CpuBackends.Register(registry);
        GpuBackends.Register(registry);
    }

    void IBackendPlugin.Register(BackendRegistry registry) => Register(registry);
}
