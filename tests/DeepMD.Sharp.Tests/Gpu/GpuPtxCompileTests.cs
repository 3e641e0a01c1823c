namespace DeepMD.Sharp.Tests.Gpu;

using static DeepMD.Sharp.Tests.Support.BackendComparison;
using System.Reflection;
using DeepMD.Sharp.Gpu;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

/// <summary>
/// The CPU accelerator runs kernels as .NET code, so it cannot show that they compile for CUDA. ILGPU's PTX backend
/// needs no device: every kernel is compiled here to PTX (architecture sm_90 requested; ILGPU caps the target at what
/// the chosen PTX ISA allows), in both precisions.
/// </summary>
public class GpuPtxCompileTests
{
    private static IEnumerable<TestCaseData> Kernels()
    {
        var types = new[]
        {
            ("f64", typeof(SeAKernels<double, DoubleOps>)), ("f32", typeof(SeAKernels<float, FloatOps>)),
            ("neighbors", typeof(DeepMD.Sharp.Gpu.Neighbors.NeighborKernels)),
            ("resident f64", typeof(DeepMD.Sharp.Gpu.Resident.ResidentKernels<double, DoubleOps>)),
            ("resident f32", typeof(DeepMD.Sharp.Gpu.Resident.ResidentKernels<float, FloatOps>)),
            ("md", typeof(DeepMD.Sharp.Gpu.Dynamics.MdKernels)),
            ("deviation", typeof(DeepMD.Sharp.Gpu.Resident.DeviationKernels)),
        };
        foreach (var (precision, type) in types)
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
                if (method.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(Index1D))
                    yield return new TestCaseData(method).SetName($"GpuKernelCompilesToPtx {method.Name} {precision}");
    }

    [TestCaseSource(nameof(Kernels))]
    public void KernelCompilesToPtx(MethodInfo method)
    {
        using var context = Context.Create(b => b.Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        using var backend = new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null!);
        var entry = EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, default);
        Assert.That(compiled.PTXAssembly, Does.Contain(".entry").And.Contain(".target sm_"));
    }
}
