namespace DeepMD.Sharp.Cli;

using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models.Backends;

/// <summary>The backends the <c>dpsharp</c> program ships, registered once in <see cref="BackendRegistry.Default"/>.</summary>
public static class ProgramBackends
{
    /// <summary>Registers the CPU and GPU backends (the reference is always there); idempotent.</summary>
    public static void Register()
    {
        CpuBackends.Register(BackendRegistry.Default);
        GpuBackends.Register(BackendRegistry.Default);
    }
}
