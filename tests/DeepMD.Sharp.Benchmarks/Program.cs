using BenchmarkDotNet.Running;

// Kernel benchmarks of the CPU backend (KernelBenchmarks) and of the MD pair styles (PairBenchmarks): `dotnet run -c Release --project tests/DeepMD.Sharp.Benchmarks -- --filter '*'`.
// Whole-step figures users can reproduce come from `dpsharp bench`.
BenchmarkSwitcher.FromAssembly(typeof(DeepMD.Sharp.Benchmarks.KernelBenchmarks).Assembly).Run(args);
