namespace DeepMD.Sharp.Tests.Support;

using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>Backends for tests that pick one by name: a registry of its own holding the reference and CPU backends.</summary>
public static class TestBackends
{
    /// <summary>The reference and CPU backends (no GPU).</summary>
    public static BackendRegistry Cpu { get; } = CreateCpu();

    private static BackendRegistry CreateCpu()
    {
        var r = new BackendRegistry();
        CpuBackends.Register(r);
        return r;
    }

    /// <summary>The CPU evaluator for <paramref name="model"/>, float64 or float32 networks.</summary>
    public static IModelEvaluator CreateCpu(DeepPotModel model, bool float32) => Cpu.Create(model, float32 ? "cpu-f32" : "cpu-f64", out _);

    /// <summary>Whether the CPU backend can evaluate <paramref name="model"/>, and if not, why.</summary>
    public static bool CpuSupports(DeepPotModel model, out string reason) => Cpu.Supports(Cpu.Find("cpu")!, model, out reason);
}
