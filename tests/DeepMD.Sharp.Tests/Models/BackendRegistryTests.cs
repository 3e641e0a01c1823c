namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Backend selection through <see cref="BackendRegistry"/>: the choice and the reasons <c>dpsharp info</c> prints, the
/// float32 rule, forcing, messages for backends that cannot run, providers added from outside; descriptor readers.
/// </summary>
[NonParallelizable]
public class BackendRegistryTests
{
    private static BackendRegistry WithCpuAndGpu()
    {
        var r = new BackendRegistry();
        CpuBackends.Register(r);
        GpuBackends.Register(r);
        return r;
    }

    private static DeepPotModel SeA() => RandomModels.Create(41, "se_e2_a", ["O", "H"], sel: [40, 40], uniformStats: true);

    /// <summary>Precision, vector width and thread count as the CPU backend names them (DPSHARP_THREADS unset in tests).</summary>
    private static string Cores(string precision) => $"{precision}, {System.Numerics.Vector<double>.Count * 64}-bit vectors, {Environment.ProcessorCount} threads";

    private static IModelEvaluator Create(BackendRegistry r, DeepPotModel m, string? name, out string reason)
    {
        var old = Environment.GetEnvironmentVariable("DPSHARP_BACKEND");
        try
        {
            Environment.SetEnvironmentVariable("DPSHARP_BACKEND", null);
            return r.Create(m, name, out reason);
        }
        finally
        {
            Environment.SetEnvironmentVariable("DPSHARP_BACKEND", old);
        }
    }

    [Test]
    public void NamesAreTheSameAsBefore()
    {
        Assert.That(WithCpuAndGpu().Names, Is.EqualTo(new[] { "auto", "reference", "cpu", "cpu-f64", "cpu-f32", "gpu", "gpu-f64", "gpu-f32" }));
        Assert.That(new BackendRegistry().Names, Is.EqualTo(new[] { "auto", "reference" }));
    }

    [Test]
    public void AutoPicksTheCpuWithTheModelsPrecision()
    {
        Requirement.Applies(!GpuDevices.HasCuda, "a CUDA device exists here");
        var r = WithCpuAndGpu();
        var e = Create(r, SeA(), null, out var why);
        Assert.That(e.Name, Is.EqualTo("cpu-f64"));
        Assert.That(why, Is.EqualTo($"cpu-f64: fused SIMD kernels, {Cores("float64")} (automatic: fastest backend supporting the model)"));
        var f32 = ModelLoader.Load(RepoPaths.TestModel("water-example-float32.dp"));
        Assert.That(Create(r, f32, "auto", out why).Name, Does.StartWith("cpu-f32"));
        Assert.That(why, Is.EqualTo($"cpu-f32: fused SIMD kernels, {Cores("float32")} (automatic: fastest backend supporting the model, float32 because the model is float32)"));
    }

    [Test]
    public void AutoFallsBackToTheReferenceWithTheCpusReason()
    {
        var model = RandomModels.Create(41, "se_e2_a", ["O", "H"], sel: [40, 40], uniformStats: false);
        var e = Create(WithCpuAndGpu(), model, null, out var why);
        Assert.That(e, Is.InstanceOf<ReferenceBackend>());
        Assert.That(why, Does.StartWith("reference (automatic: the model's davg/dstd differ between slots of one type block"));
        Assert.That(Create(new BackendRegistry(), SeA(), null, out why), Is.InstanceOf<ReferenceBackend>());
        Assert.That(why, Is.EqualTo("reference (automatic: no faster backend is part of this program)"));
    }

    [Test]
    public void ForcedBackendsSayWhyTheyCannotRun()
    {
        var r = WithCpuAndGpu();
        Assert.That(Create(r, SeA(), "reference", out var why), Is.InstanceOf<ReferenceBackend>());
        Assert.That(why, Is.EqualTo("reference: double-precision oracle (requested)"));
        Assert.That(Create(r, SeA(), "cpu", out why).Name, Is.EqualTo("cpu-f64"));
        Assert.That(why, Is.EqualTo($"cpu-f64: fused SIMD kernels, {Cores("float64")} (requested)"));

        var nonUniform = RandomModels.Create(41, "se_e2_a", ["O", "H"], sel: [40, 40], uniformStats: false);
        var ex = Assert.Throws<UserInputException>(() => Create(r, nonUniform, "cpu-f32", out _));
        Assert.That(ex!.Message, Does.StartWith("backend 'cpu-f32' cannot run this model: the model's davg/dstd differ").And.EndWith("; use --backend reference"));

        ex = Assert.Throws<UserInputException>(() => Create(r, SeA(), "cpu-f16", out _));
        Assert.That(ex!.Message, Is.EqualTo("unknown backend 'cpu-f16'; choose one of: auto, reference, cpu, cpu-f64, cpu-f32, gpu, gpu-f64, gpu-f32"));

        var cpuOnly = new BackendRegistry();
        CpuBackends.Register(cpuOnly);
        ex = Assert.Throws<UserInputException>(() => Create(cpuOnly, SeA(), "gpu-f32", out _));
        Assert.That(ex!.Message, Is.EqualTo("the GPU backend is not part of this program; use --backend cpu or reference"));

        if (!GpuDevices.HasCuda && Environment.GetEnvironmentVariable(GpuBackends.EmulateVariable) != "1")
        {
            ex = Assert.Throws<UserInputException>(() => Create(r, SeA(), "gpu", out _));
            Assert.That(ex!.Message, Does.StartWith($"backend 'gpu' needs a CUDA device: {GpuDevices.NoDevice}").And.EndWith("; use --backend cpu or reference"));
        }
    }

    /// <summary>A provider from outside (a plugin): a faster backend for se_e2_a only, and what other descriptors hear.</summary>
    [Test]
    public void AProviderFromOutsideIsChosenByPriorityAndDescriptor()
    {
        var r = new BackendRegistry();
        CpuBackends.Register(r);
        r.Register(new BackendInfo { Name = "fast", Family = "fast", DisplayName = "Fast", Priority = 250, Summary = "test", AutomaticNote = "the test's backend" });
        r.Register(new EvaluatorProvider("fast", "se_e2_a", (DeepPotModel _, out string why) => { why = ""; return true; }, m => new ReferenceBackend(m)));

        var e = Create(r, SeA(), null, out var reason);
        Assert.That(e, Is.InstanceOf<ReferenceBackend>());
        Assert.That(reason, Is.EqualTo("reference (automatic: the test's backend)"));

        var seR = RandomModels.Create(41, "se_e2_r", ["O", "H"], sel: [40, 40], uniformStats: true);
        Assert.That(Create(r, seR, null, out reason).Name, Is.EqualTo("cpu-f64"), reason);
        Assert.That(r.Supports(r.Find("fast")!, seR, out var whyNot), Is.False);
        Assert.That(whyNot, Is.EqualTo("the Fast backend implements se_e2_a; this model's descriptor is se_r"));
        var ex = Assert.Throws<UserInputException>(() => Create(r, seR, "fast", out _));
        Assert.That(ex!.Message, Is.EqualTo("backend 'fast' cannot run this model: the Fast backend implements se_e2_a; this model's descriptor is se_r; use --backend cpu or reference"));
        Assert.That(r.Names, Is.EqualTo(new[] { "auto", "reference", "cpu", "cpu-f64", "cpu-f32", "fast" }));
    }

    [Test]
    public void ServicesAreFoundByType()
    {
        var r = new BackendRegistry();
        Assert.That(r.Service<IComparable>(), Is.Null);
        r.AddService<IComparable>("x");
        Assert.That(r.Service<IComparable>(), Is.EqualTo("x"));
        GpuBackends.Register(r);
        Assert.That(r.Service<DeepMD.Sharp.Dynamics.Device.IDeviceLoopFactory>(), Is.Not.Null);
    }

    [Test]
    public void DescriptorsStateTheirNeighborNeedsAndInfoLines()
    {
        var seA = SeA();
        var n = seA.Descriptor.Neighbors;
        Assert.That((n.Rcut, n.Sel, n.TotalSel, n.MixedTypes, n.DynamicSel), Is.EqualTo((4.0, (IReadOnlyList<int>)seA.Descriptor.Sel, 80, false, false)));
        var lines = seA.Descriptor.Describe();
        Assert.That(lines[0], Does.StartWith("rcut             4 Å"));
        Assert.That(lines[1], Is.EqualTo("sel              [40, 40]   (Σ = 80)"));
        Assert.That(lines[^1], Does.StartWith("axis_neuron      "));
        var seR = RandomModels.Create(41, "se_e2_r", ["O", "H"], sel: [40, 40], uniformStats: true);
        Assert.That(seR.Descriptor.Describe()[^1], Is.EqualTo($"descriptor size  {seR.Descriptor.OutputSize}"));
    }

    /// <summary>A descriptor type registered from outside is read by <see cref="ModelReader"/> under its type string.</summary>
    [Test]
    public void ADescriptorReaderFromOutsideIsFoundByTypeString()
    {
        var path = RepoPaths.TestModel("deeppot-r.yaml");
        var tree = ModelFile.Load(path);
        var model = tree.TryGetValue("model", out var inner) && inner is Dictionary<string, object?> d ? d : tree;
        var descriptor = (Dictionary<string, object?>)model["descriptor"]!;
        descriptor["type"] = "se_test_r";
        var ex = Assert.Throws<UserInputException>(() => ModelReader.FromTree(tree, path));
        Assert.That(ex!.Message, Does.Contain("descriptor type 'se_test_r' is not supported; supported: se_e2_a, se_e2_r, se_atten, se_atten_v2"));
        try
        {
            DescriptorReaders.Register(new DescriptorReader("se_test_r", [], SeE2RSpec.ReadAs.Read));
            Assert.That(ModelReader.SupportedDescriptors, Does.Contain("se_test_r"));
            var read = ModelReader.FromTree(tree, path);
            Assert.That(read.Descriptor, Is.InstanceOf<SeE2RSpec>());
        }
        finally
        {
            DescriptorReaders.Unregister("se_test_r");
        }
        Assert.That(ModelReader.SupportedDescriptors, Is.EqualTo(new[] { "se_e2_a", "se_e2_r", "se_atten", "se_atten_v2", "dpa2", "dpa3", "hybrid" }));
    }
}
