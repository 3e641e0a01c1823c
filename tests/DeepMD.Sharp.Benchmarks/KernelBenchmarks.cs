namespace DeepMD.Sharp.Benchmarks;

using BenchmarkDotNet.Attributes;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// The CPU backend's kernels on DeePMD-kit's water example model (embedding [25,50,100], fitting [240,240,240]):
/// embedding forward/backward over a batch of neighbor slots, fitting forward+backward over a batch of atoms, the
/// table lookup of a compressed model, and one whole evaluation of the 192-atom water cell.
/// </summary>
[MemoryDiagnoser]
public class KernelBenchmarks
{
    private const int Slots = 512;
    private static readonly int Ld = FeatureMajorGemm<double>.Pad(Slots);
    private const int Atoms = 32; // the batch of the full-net CPU evaluator
    private PackedNetwork<double> _embedding = null!;
    private PackedNetwork<double> _fitting = null!;
    private PackedTable<double> _table = null!;
    private PackedTable<float> _table32 = null!;
    private float[] _acc32 = [], _r32 = [];
    private int[] _slotOrder = [];
    private IModelEvaluator _f32c = null!;
    private double[] _s = [], _g = [], _saved = [], _scratch = [], _scratch4 = [], _grad = [], _gradIn = [];
    private double[] _fx = [], _fy = [], _fsaved = [], _fscratch = [], _fgrad = [], _fgradIn = [];
    private IModelEvaluator _f64 = null!, _f32 = null!;
    private double[] _w50x100 = [], _b100 = [], _x50 = [];
    private float[] _tanhIn32 = [], _tanhOut32 = [];
    private int[] _types = [];
    private NeighborList _neighbors = null!;

    private static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException(relative);
    }

    [GlobalSetup]
    public void Setup()
    {
        var model = ModelLoader.Load(Find("potentials/test-models/water-example-float32.dp"));
        var d = (SeE2ASpec)model.Descriptor;
        _embedding = new PackedNetwork<double>(d.Embeddings[1]!);
        _fitting = new PackedNetwork<double>(model.Fitting.NetFor(0)!);
        _table = new PackedTable<double>(TableBuilder.Build(d, 0.8)[1]!);
        _table32 = new PackedTable<float>(TableBuilder.Build(d, 0.8)[1]!);
        var rng = new Random(1);
        _s = Enumerable.Range(0, Ld).Select(_ => rng.NextDouble() * 3).ToArray();
        _g = new double[100 * Ld];
        _saved = new double[_embedding.ActivationFloats * Ld];
        _scratch = new double[3 * _embedding.MaxWidth * Ld];
        _scratch4 = new double[4 * _embedding.MaxWidth * Ld];
        _grad = new double[100 * Ld];
        _gradIn = new double[Ld];
        _w50x100 = FeatureMajorGemm<double>.Pack(Enumerable.Range(0, 5000).Select(_ => rng.NextDouble() - 0.5).ToArray(), 50, 100);
        _b100 = Enumerable.Range(0, 100).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _x50 = Enumerable.Range(0, 50 * Ld).Select(_ => rng.NextDouble() - 0.5).ToArray();
        _tanhIn32 = Enumerable.Range(0, 51200).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        _tanhOut32 = new float[51200];
        _fx = Enumerable.Range(0, 1600 * Atoms).Select(_ => rng.NextDouble() * 0.1).ToArray();
        _fy = new double[Atoms];
        _fsaved = new double[_fitting.ActivationFloats * Atoms];
        _fscratch = new double[3 * _fitting.MaxWidth * Atoms];
        _fgrad = new double[Atoms];
        _fgradIn = new double[1600 * Atoms];
        var s = StructureReader.Read(Find("examples/water/water.lmp"), ["O", "H"]);
        _types = s.TypesFor(model.TypeMap);
        _neighbors = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, model.Cutoff);
        _f64 = new CpuSeAEvaluator<double>(model);
        var compressedPath = Find("potentials/test-models/water-example-float32.dp");
        _f32c = new CpuSeAEvaluator<float>(ModelCompressor.Compress(ModelFile.Load(compressedPath), compressedPath,
            new ModelCompressor.Settings { MinNeighborDistance = 0.8 }));
        _slotOrder = Enumerable.Range(0, Slots).OrderBy(q => _table32.Locate(_s[q], out _, out _)).ToArray();
        _acc32 = new float[4 * _table32.PaddedChannels];
        _r32 = Enumerable.Range(0, 4 * Slots).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        _f32 = new CpuSeAEvaluator<float>(model);
    }

    [Benchmark(Description = "embedding forward, 512 slots (f64)")]
    public void EmbeddingForward() => _embedding.Forward(_s, _g, Ld, _saved, _scratch);

    [Benchmark(Description = "embedding forward with dG/ds (forward mode), 512 slots (f64)")]
    public void EmbeddingForwardTangent() => _embedding.ForwardTangent(_s, _g, _grad, Ld, _scratch4);

    [Benchmark(Description = "GEMM 50x100, 512 columns (f64)")]
    public void Gemm50x100() => FeatureMajorGemm<double>.Multiply(_w50x100, _b100, 50, 100, _x50, _g, Ld);

    [Benchmark(Description = "tanh, 51200 values (f64)")]
    public void Tanh() => VectorMath.Tanh<double>(_g, _grad);

    [Benchmark(Description = "tanh, 51200 values (f32)")]
    public void TanhFloat() => VectorMath.Tanh<float>(_tanhIn32, _tanhOut32);

    [Benchmark(Description = "embedding backward, 512 slots (f64)")]
    public void EmbeddingBackward()
    {
        Array.Fill(_grad, 0.01);
        _embedding.Backward(_grad, _gradIn, Ld, _saved, _scratch);
    }

    [Benchmark(Description = "fitting forward+backward, 32 atoms (f64)")]
    public void Fitting()
    {
        _fitting.Forward(_fx, _fy, Atoms, _fsaved, _fscratch);
        Array.Fill(_fgrad, 1.0);
        _fitting.Backward(_fgrad, _fgradIn, Atoms, _fsaved, _fscratch);
    }

    [Benchmark(Description = "compressed table lookup, 512 slots (f64)")]
    public void TableLookup()
    {
        for (var q = 0; q < Slots; q++) _table.Evaluate(_s[q], _g.AsSpan(q * 100, 100), _gradIn.AsSpan(0, 100));
    }

    [Benchmark(Description = "compressed table: T accumulation in interval order, 512 slots (f32, as the CPU backend)")]
    public float TableAccumulateInIntervalOrder()
    {
        Array.Clear(_acc32);
        for (var k = 0; k < Slots; k++)
        {
            var q = _slotOrder[k];
            var idx = _table32.Locate(_s[q], out var t, out var extra);
            _table32.AccumulateAt(idx, t, extra, _r32[4 * q], _r32[4 * q + 1], _r32[4 * q + 2], _r32[4 * q + 3], ref _acc32[0]);
        }
        return _acc32[0];
    }

    [Benchmark(Description = "whole evaluation, 192 water atoms (cpu-f32, compressed)")]
    public double Water32Compressed() => _f32c.Evaluate(_types, _neighbors, new EvaluationOptions()).Energy;

    [Benchmark(Description = "whole evaluation, 192 water atoms (cpu-f64)")]
    public double Water64() => _f64.Evaluate(_types, _neighbors, new EvaluationOptions()).Energy;

    [Benchmark(Description = "whole evaluation, 192 water atoms (cpu-f32)")]
    public double Water32() => _f32.Evaluate(_types, _neighbors, new EvaluationOptions()).Energy;
}
