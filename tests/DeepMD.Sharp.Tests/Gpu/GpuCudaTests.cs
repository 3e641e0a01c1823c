namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>The kernels on a real CUDA device against the reference, larger than the CPU-accelerator tests; skipped without CUDA (a failure
/// under DPSHARP_REQUIRE_CUDA=1).</summary>
[Category("Gpu")]
[NonParallelizable]
public class GpuCudaTests
{
    [TestCase(1025, true)]
    [TestCase(257, false)]
    public void CudaMatchesReference(int n, bool periodic)
    {
        Requirement.That(GpuDevices.HasCuda, Requirement.Cuda, GpuDevices.CudaDescription);
        var model = RandomModels.Create(43, "se_e2_a", ["O", "H", "C"], false, sel: [40, 40, 40], uniformStats: true);
        var (x, y, z, t, box) = RandomSystem(n, n, 3, periodic);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(model, t, nl);
        var (context, accelerator) = GpuDevices.OpenCuda();
        using (context)
        using (accelerator)
        {
            using (var f64 = new GpuSeAEvaluator<double>(model, accelerator, maxChunkAtoms: 300))
                AssertClose(reference, f64.Evaluate(t, nl, new EvaluationOptions()), 1e-10, 1e-10);
            using var f32 = new GpuSeAEvaluator<float>(model, accelerator);
            var got = f32.Evaluate(t, nl, new EvaluationOptions());
            Assert.That(got.Energy, Is.EqualTo(reference.Energy).Within(1e-5 * Math.Max(1, Math.Abs(reference.Energy))), "energy");
            Assert.That(got.Forces, Is.EqualTo(reference.Forces).Within(1e-4), "forces");
        }
    }
}
