namespace DeepMD.Sharp.Native;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The models behind one C handle (several for model deviation; all with one type map and cutoff), each with its
/// evaluator from <see cref="BackendRegistry"/> and a kept <see cref="EvaluationResult"/>. Calls are serialised per set.
/// </summary>
public sealed class ModelSet : IDisposable
{
    private readonly object _lock = new();
    private readonly IModelEvaluator[] _evaluators;
    private readonly EvaluationResult[] _results;
    private readonly EvaluationOptions _options = new();
    private int[] _types = [];
    private double[] _x = [], _y = [], _z = [];

    private ModelSet(IModelEvaluator[] evaluators, string reason)
    {
        _evaluators = evaluators;
        _results = evaluators.Select(_ => new EvaluationResult()).ToArray();
        BackendReason = reason;
    }

    static ModelSet()
    {
        CpuBackends.Register(BackendRegistry.Default);
        GpuBackends.Register(BackendRegistry.Default);
    }

    /// <summary>Number of models.</summary>
    public int Count => _evaluators.Length;

    /// <summary>The shared type map.</summary>
    public IReadOnlyList<string> TypeNames => _evaluators[0].Model.TypeMap.Names;

    /// <summary>The shared cutoff, Å.</summary>
    public double Cutoff => _evaluators[0].Model.Cutoff;

    /// <summary>Which backend runs the first model, and why.</summary>
    public string BackendReason { get; }

    /// <summary>Loads <paramref name="paths"/> with backend <paramref name="backend"/> (null: auto or DPSHARP_BACKEND).</summary>
    public static ModelSet Load(IReadOnlyList<string> paths, string? backend)
    {
        var models = paths.Select(ModelLoader.Load).ToList();
        for (var k = 1; k < models.Count; k++)
        {
            if (!models[k].TypeMap.Names.SequenceEqual(models[0].TypeMap.Names))
                throw new UserInputException($"the models' type maps differ: {string.Join(',', models[0].TypeMap.Names)} ({paths[0]}) and {string.Join(',', models[k].TypeMap.Names)}; model deviation needs one type map", paths[k]);
            if (models[k].Cutoff != models[0].Cutoff)
                throw new UserInputException($"the models' cutoffs differ: {models[0].Cutoff} Å ({paths[0]}) and {models[k].Cutoff} Å; model deviation needs one cutoff", paths[k]);
        }
        var evaluators = new IModelEvaluator[models.Count];
        string first = "";
        try
        {
            for (var k = 0; k < models.Count; k++)
            {
                evaluators[k] = BackendRegistry.Default.Create(models[k], backend, out var reason);
                if (k == 0) first = reason;
            }
        }
        catch
        {
            foreach (var e in evaluators) (e as IDisposable)?.Dispose();
            throw;
        }
        return new ModelSet(evaluators, first);
    }

    private IModelEvaluator Evaluator(int index, string fn) =>
        (uint)index < (uint)_evaluators.Length ? _evaluators[index]
            : throw new NativeArgumentException($"{fn}: model index {index} is out of range; {_evaluators.Length} model(s) are loaded");

    private void CheckTypes(ReadOnlySpan<int> types, string fn)
    {
        var n = TypeNames.Count;
        for (var i = 0; i < types.Length; i++)
            if ((uint)types[i] >= (uint)n)
                throw new UserInputException($"{fn}: atom {i} has type {types[i]}; the model's types are 0 .. {n - 1} ({string.Join(' ', TypeNames)})");
    }

    private void Stage(ReadOnlySpan<double> coord, ReadOnlySpan<int> types)
    {
        var n = types.Length;
        if (_types.Length != n)
        {
            _types = new int[n];
            _x = new double[n];
            _y = new double[n];
            _z = new double[n];
        }
        types.CopyTo(_types);
        for (var i = 0; i < n; i++)
        {
            _x[i] = coord[3 * i];
            _y[i] = coord[3 * i + 1];
            _z[i] = coord[3 * i + 2];
        }
    }

    /// <summary>N atoms (AoS coordinates) in a periodic box given as rows of cell vectors, or none.</summary>
    public EvaluationResult Compute(int index, ReadOnlySpan<double> coord, ReadOnlySpan<int> types, double[]? box)
    {
        const string Fn = "dpsharp_compute_v1";
        lock (_lock)
        {
            var evaluator = Evaluator(index, Fn);
            CheckTypes(types, Fn);
            Stage(coord, types);
            var cell = box is null ? null : new Box(box);
            var list = CellListNeighborSearch.Build(_x, _y, _z, cell, Cutoff);
            var r = _results[index];
            evaluator.Evaluate(_types, list, _options, r);
            return r;
        }
    }

    /// <summary>nlocal local + ghost atoms with LAMMPS' atom-indexed <c>numneigh</c> / <c>firstneigh</c>.</summary>
    public unsafe EvaluationResult ComputeLammps(int index, int nlocal, int nall, ReadOnlySpan<double> coord, ReadOnlySpan<int> types,
        ReadOnlySpan<int> ilist, int* numneigh, int** firstneigh)
    {
        const string Fn = "dpsharp_compute_lammps_v1";
        lock (_lock)
        {
            var evaluator = Evaluator(index, Fn);
            CheckTypes(types, Fn);
            Stage(coord, types);
            // LAMMPS indexes numneigh and firstneigh by atom; the contract wants them in ilist order, concatenated.
            var inum = ilist.Length;
            var counts = new int[inum];
            long total = 0;
            for (var ii = 0; ii < inum; ii++)
            {
                var i = ilist[ii];
                if ((uint)i >= (uint)nlocal)
                    throw new UserInputException($"{Fn}: ilist[{ii}] = {i} is not a local atom (0 .. {nlocal - 1})");
                counts[ii] = numneigh[i];
                if (counts[ii] < 0) throw new UserInputException($"{Fn}: numneigh[{i}] = {counts[ii]} is negative");
                if (counts[ii] > 0 && firstneigh[i] is null) throw new NativeArgumentException($"{Fn}: firstneigh[{i}] is NULL");
                total += counts[ii];
            }
            if (total > Array.MaxLength) throw new UserInputException($"{Fn}: {total} neighbor entries are too many");
            var neighbors = new int[total];
            var at = 0;
            for (var ii = 0; ii < inum; ii++)
            {
                new ReadOnlySpan<int>(firstneigh[ilist[ii]], counts[ii]).CopyTo(neighbors.AsSpan(at));
                at += counts[ii];
            }
            var list = ExternalNeighborList.FromLammps(nall, ilist, counts, neighbors, _x, _y, _z, Cutoff);
            var r = _results[index];
            evaluator.Evaluate(_types, list, _options, r);
            return r;
        }
    }

    /// <summary>Disposes evaluators that hold devices.</summary>
    public void Dispose()
    {
        lock (_lock)
            foreach (var e in _evaluators) (e as IDisposable)?.Dispose();
    }
}
