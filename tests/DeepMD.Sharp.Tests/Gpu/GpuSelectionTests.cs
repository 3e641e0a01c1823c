namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Cli;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Tests.Support;

/// <summary>How <see cref="BackendRegistry"/> reaches the GPU backend: only when registered, only with CUDA.</summary>
[NonParallelizable]
public class GpuSelectionTests
{
    [Test]
    public void GpuWithoutCudaIsAClearUserError()
    {
        Requirement.Applies(!GpuDevices.HasCuda, "a CUDA device exists here");
        DeepMD.Sharp.ShippedBackends.Register(DeepMD.Sharp.Models.Backends.BackendRegistry.Default);
        var model = RandomModels.Create(41, "se_e2_a", ["O", "H"], sel: [40, 40], uniformStats: true);
        var ex = Assert.Throws<UserInputException>(() => BackendRegistry.Default.Create(model, "gpu-f32", out _));
        Assert.That(ex!.Message, Does.Contain("needs a CUDA device").And.Contain("--backend cpu"));
    }

    [Test]
    public void AutoPicksTheGpuOnlyWhenCudaExists()
    {
        DeepMD.Sharp.ShippedBackends.Register(DeepMD.Sharp.Models.Backends.BackendRegistry.Default);
        var model = RandomModels.Create(41, "se_e2_a", ["O", "H"], sel: [40, 40], uniformStats: true);
        var evaluator = BackendRegistry.Default.Create(model, "auto", out var why);
        using var owned = evaluator as IDisposable;
        if (GpuDevices.HasCuda) Assert.That(evaluator.Name, Does.StartWith("gpu"), why);
        else Assert.That(evaluator.Name, Does.StartWith("cpu"), why);
    }

    [Test]
    public void InfoNamesTheGpuDevice()
    {
        var stdout = new StringWriter();
        var model = RepoPaths.TestModel("water-example-float32.dp");
        Assert.That(CommandLine.Run(["info", model], stdout, new StringWriter()), Is.EqualTo(0));
        var line = stdout.ToString().Split('\n').Single(l => l.StartsWith("gpu device"));
        if (GpuDevices.HasCuda) Assert.That(line, Does.Not.Contain(GpuDevices.NoDevice).And.Contain("MiB"));
        else Assert.That(line, Does.Contain("no CUDA device: CPU backend"));
    }
}
