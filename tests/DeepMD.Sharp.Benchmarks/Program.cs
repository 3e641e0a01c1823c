using BenchmarkDotNet.Running;

// Kernel benchmarks of the CPU backend (KernelBenchmarks), of the MD pair styles (PairBenchmarks) and of the neighbor-list build (NeighborListBenchmarks): `dotnet run -c Release --project tests/DeepMD.Sharp.Benchmarks -- --filter '*'`.
// `-- quick` prints rough single-thread kernel rates in seconds (QuickKernels), for development.
// Whole-step figures users can reproduce come from `dpsharp bench`.
// `-- cabi LIBDPSHARP MODEL STRUCTURE [CALLS]` times one evaluation through the C ABI against the same one in process (CAbiOverhead).
if (args is ["cabi", var library, var model, var structure, ..])
{
    DeepMD.Sharp.Benchmarks.CAbiOverhead.Run(library, model, structure, args.Length > 4 ? int.Parse(args[4]) : 300);
    return;
}
if (args is ["quick", ..])
{
    DeepMD.Sharp.Benchmarks.QuickKernels.Run();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(DeepMD.Sharp.Benchmarks.KernelBenchmarks).Assembly).Run(args);
