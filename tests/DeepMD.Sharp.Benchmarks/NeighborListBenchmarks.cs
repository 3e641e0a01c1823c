namespace DeepMD.Sharp.Benchmarks;

using BenchmarkDotNet.Attributes;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The host neighbor-list build (<see cref="CellListNeighborSearch"/>) on the `dpsharp bench` case: DeePMD-kit's water
/// example replicated 4×4×4 (12,288 atoms, periodic orthorhombic box of 49.8 Å, cutoff 6 Å, ~90 neighbors per atom),
/// against the previous implementation (kept in the tests as <see cref="LegacyCellListNeighborSearch"/>). Divide by
/// 12,288 for µs per atom. The build runs on all cores; `--envVars DOTNET_PROCESSOR_COUNT:1` pins it to one.
/// </summary>
[MemoryDiagnoser]
public class NeighborListBenchmarks
{
    private Structure _water = null!;

    private static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException(relative);
    }

    [GlobalSetup]
    public void Setup() => _water = StructureReader.Read(Find("examples/water/water.lmp"), ["O", "H"]).Replicate(4, 4, 4);

    [Benchmark(Baseline = true, Description = "full list, previous build (12,288 water, rc 6)")]
    public int Previous() => LegacyCellListNeighborSearch.Build(_water.X, _water.Y, _water.Z, _water.Box, 6.0).EntryCount;

    [Benchmark(Description = "full list, cell-sorted SIMD build (12,288 water, rc 6)")]
    public int CellSorted() => CellListNeighborSearch.Build(_water.X, _water.Y, _water.Z, _water.Box, 6.0).EntryCount;
}
