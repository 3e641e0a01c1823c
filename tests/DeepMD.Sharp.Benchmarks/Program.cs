using BenchmarkDotNet.Running;

// Kernel benchmarks of the CPU backend (KernelBenchmarks), of the MD pair styles (PairBenchmarks) and of the neighbor-list build (NeighborListBenchmarks): `dotnet run -c Release --project tests/DeepMD.Sharp.Benchmarks -- --filter '*'`.
// Whole-step figures users can reproduce come from `dpsharp bench`.
BenchmarkSwitcher.FromAssembly(typeof(DeepMD.Sharp.Benchmarks.KernelBenchmarks).Assembly).Run(args);
