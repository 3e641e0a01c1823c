namespace DeepMD.Sharp.Cpu;

using System.Numerics;
using System.Runtime.CompilerServices;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Threading;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// What the CPU evaluators of every se_* descriptor share: input checks, the sel/overlap pre-pass, batches of same-type
/// atoms spread over cores with per-thread workspaces, the batched fitting net, and the fixed-order reduction of pair
/// gradients into forces and virials. Subclasses compute the descriptor of a batch and its backward pass.
/// </summary>
public abstract class CpuEvaluatorBase<T> : IModelEvaluator, ICenterWeightedEvaluator where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Largest batch of same-type atoms.</summary>
    protected const int MaxBatchSize = 64;

    private readonly PackedNetwork<T>?[] _fitting; // per center type
    private BatchRun? _run; // taken by an evaluation, given back after (a concurrent evaluation makes its own)

    protected CpuEvaluatorBase(DeepPotModel model, string name)
    {
        Model = model;
        Name = name;
        _fitting = Enumerable.Range(0, model.TypeMap.Count).Select(t => model.Fitting.NetFor(t) is { } n ? new PackedNetwork<T>(n) : null).ToArray();
        _anyAtomExcluded = Enumerable.Range(0, model.TypeMap.Count).Any(model.IsAtomExcluded);
    }

    private readonly bool _anyAtomExcluded;

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public DeepPotModel Model { get; }

    /// <summary>
    /// Whether <see cref="ProcessBatch"/> checks sel overflow and overlapping atoms for its centers when
    /// <see cref="Workspace.CheckCounts"/> is set (setting <see cref="Workspace.Problem"/> and stopping on one).
    /// </summary>
    private protected virtual bool ChecksNeighborCountsInBatches => false;

    /// <summary>Atoms per batch (at most <see cref="MaxBatchSize"/>).</summary>
    protected abstract int BatchSize { get; }

    /// <summary>
    /// Computes the atomic energies of one batch of same-type atoms and writes their pair gradients: every entry of the
    /// batch's rows, zero for entries that contribute nothing (the arrays hold the previous evaluation's values).
    /// </summary>
    private protected abstract void ProcessBatch(Workspace ws, int[] centers, int[] types, NeighborList nl, double[]? fparam, EvaluationOptions options,
        double[] atomEnergy, double[] gx, double[] gy, double[] gz);

    /// <inheritdoc />
    public void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result)
    {
        var nall = types.Length;
        var n = neighbors.CenterCount; // the local atoms; entries may name ghosts (nall > n)
        var fparam = EvaluationInputs.Validate(Model, types, neighbors, options);
        // Sel overflow and overlapping atoms: either checked here, in a pass over the whole list, or (se_e2_a, no atom
        // exclusions) by the batches while they gather their neighbors, which saves that pass; a batch that finds a
        // problem stops, and the whole-list check then decides exactly as it would have (the error names the lowest
        // atom; truncation falls back to the reference evaluator).
        var checkInBatches = ChecksNeighborCountsInBatches && !_anyAtomExcluded;
        if (!checkInBatches && EvaluationInputs.CheckNeighborCounts(Model, types, neighbors, options))
        {
            ReferenceEvaluator.Evaluate(Model, types, neighbors, options, result); // DeePMD-kit-style truncation: rare, keep it in one place
            return;
        }

        var batches = MakeBatches(types, neighbors, n);
        result.Reset(nall, n);
        // Pair gradients per neighbor entry: tens of MB for 10⁴ atoms, kept between calls (fresh arrays of that size cost
        // page faults and collections every step). ProcessBatch writes every entry of its centers' rows (zero where an
        // entry contributes nothing: beyond the cutoff, excluded), so only the rows of atoms in no batch are cleared
        // here; clearing every row first cost ~2% of a float32 step (26 MB of stores per evaluation at 12k atoms).
        var pairs = Interlocked.Exchange(ref _pairGradients, null);
        if (pairs is null || pairs.Gx.Length < neighbors.EntryCount) pairs = new PairGradients(neighbors.EntryCount + neighbors.EntryCount / 16);
        var (gx, gy, gz) = (pairs.Gx, pairs.Gy, pairs.Gz);
        if (_anyAtomExcluded)
            for (var i = 0; i < n; i++)
                if (Model.IsAtomExcluded(types[i])) ClearRow(neighbors, i, gx, gy, gz);
        var errors = batches.Errors;
        Array.Clear(errors, 0, batches.Count);
        var problem = 0;
        var degree = options.MaxDegreeOfParallelism();
        var run = Interlocked.Exchange(ref _run, null) ?? new BatchRun(this);
        run.Start(batches, types, neighbors, fparam, options, result.AtomEnergy, gx, gy, gz, checkInBatches, ParallelLoop.Degree(degree));
        try
        {
            ParallelLoop.For(batches.Count, degree, run);
            problem = run.Problem;
        }
        finally
        {
            run.Finish();
            _run = run;
        }
        if (problem != 0)
        {
            _pairGradients = pairs;
            _batches = batches;
            if (EvaluationInputs.CheckNeighborCounts(Model, types, neighbors, options))
            {
                ReferenceEvaluator.Evaluate(Model, types, neighbors, options, result);
                return;
            }
            throw new InvalidOperationException("a batch reported a neighbor-count problem that the whole-list check does not see");
        }
        for (var b = 0; b < batches.Count; b++)
            if (errors[b] is { } first)
            {
                _pairGradients = pairs;
                _batches = batches;
                throw first;
            }
        double energy = 0;
        for (var i = 0; i < n; i++) energy += result.AtomEnergy[i];
        result.Energy = energy;
        PairTermAccumulator.Accumulate(neighbors, gx, gy, gz, result, degree);
        _pairGradients = pairs;
        _batches = batches;
    }

    /// <summary>
    /// Work split by space: batches are runs of same-type atoms along the list's spatial order (cells along a Z-order
    /// curve), so a batch, and the contiguous run of batches a thread takes, covers a compact region whatever order the
    /// atoms are numbered in. Each atom's result does not depend on its batch. The batch arrays are kept between calls
    /// (taken here, given back by the caller) and rebuilt only when the list or the types change.
    /// </summary>
    private BatchSet MakeBatches(int[] types, NeighborList neighbors, int n)
    {
        var set = Interlocked.Exchange(ref _batches, null) ?? new BatchSet();
        var order = neighbors.SpatialOrder is { } so && so.Length == n ? so : null;
        if (set.IsFor(neighbors, order, types, n)) return set;
        if (set.Seen.Length < n) set.Seen = new bool[n];
        var seen = set.Seen;
        Array.Clear(seen, 0, n);
        if (order is not null)
            foreach (var i in order)
            {
                if ((uint)i >= (uint)n || seen[i])
                    throw new ArgumentException("the neighbor list's SpatialOrder is not a permutation of its atoms", nameof(neighbors));
                seen[i] = true;
            }
        // Members of every type, in order, into one array; batches are slices of it.
        if (set.Members.Length < n) set.Members = new int[n];
        var members = set.Members;
        set.Count = 0;
        var k = 0;
        var batch = BatchSize;
        for (var t = 0; t < Model.TypeMap.Count; t++)
        {
            if (Model.IsAtomExcluded(t)) continue;
            var start = k;
            for (var q = 0; q < n; q++)
            {
                var i = order is null ? q : order[q];
                if (types[i] == t) members[k++] = i;
            }
            for (var s = start; s < k; s += batch) set.Add(s, Math.Min(k, s + batch) - s);
        }
        set.Remember(neighbors, order, types, n);
        return set;
    }

    private BatchSet? _batches;

    /// <summary>The batches of one list: slices of <see cref="Members"/>, each its own int[] (what the kernels take).</summary>
    private sealed class BatchSet
    {
        public int[] Members = [];
        public bool[] Seen = [];
        public int[][] Batches = [];
        public UserInputException?[] Errors = [];
        public int Count;
        private NeighborList? _list;
        private long _generation;
        private int[]? _order;
        private int[] _types = [];
        private int _n = -1;

        public void Add(int start, int length)
        {
            if (Count == Batches.Length)
            {
                Array.Resize(ref Batches, Math.Max(16, 2 * Count));
                Array.Resize(ref Errors, Batches.Length);
            }
            var b = Batches[Count];
            if (b is null || b.Length != length) Batches[Count] = b = new int[length];
            Array.Copy(Members, start, b, 0, length);
            Count++;
        }

        /// <summary>Whether these batches were made for this list (object and generation), order and types (nothing changed since).</summary>
        public bool IsFor(NeighborList list, int[]? order, int[] types, int n) =>
            ReferenceEquals(list, _list) && list.Generation == _generation && ReferenceEquals(order, _order) && n == _n
            && types.AsSpan(0, n).SequenceEqual(_types.AsSpan(0, n));

        public void Remember(NeighborList list, int[]? order, int[] types, int n)
        {
            _list = list;
            _generation = list.Generation;
            _order = order;
            _n = n;
            if (_types.Length < n) _types = new int[n];
            Array.Copy(types, _types, n);
        }
    }

    /// <summary>
    /// The batch loop body, kept between evaluations with one workspace per worker thread of the loop (no allocation
    /// in steady state).
    /// </summary>
    private sealed class BatchRun(CpuEvaluatorBase<T> owner) : IParallelBody
    {
        private Workspace?[] _workspaces = [];
        private BatchSet? _batches;
        private int[]? _types;
        private NeighborList? _neighbors;
        private double[]? _fparam, _atomEnergy, _gx, _gy, _gz;
        private EvaluationOptions? _options;
        private bool _checkInBatches;
        public int Problem;

        public void Start(BatchSet batches, int[] types, NeighborList neighbors, double[]? fparam, EvaluationOptions options,
            double[] atomEnergy, double[] gx, double[] gy, double[] gz, bool checkInBatches, int threads)
        {
            (_batches, _types, _neighbors, _fparam, _options) = (batches, types, neighbors, fparam, options);
            (_atomEnergy, _gx, _gy, _gz, _checkInBatches) = (atomEnergy, gx, gy, gz, checkInBatches);
            Problem = 0;
            if (_workspaces.Length < threads) Array.Resize(ref _workspaces, threads);
        }

        /// <summary>Drops the references to the evaluation's arrays (the workspaces stay).</summary>
        public void Finish()
        {
            (_batches, _types, _neighbors, _fparam, _options) = (null, null, null, null, null);
            (_atomEnergy, _gx, _gy, _gz) = (null, null, null, null);
        }

        public void Invoke(int b, int worker)
        {
            if (Volatile.Read(ref Problem) != 0) return;
            var ws = _workspaces[worker] ??= new Workspace(owner.Model);
            try
            {
                ws.CheckCounts = _checkInBatches;
                ws.Problem = false;
                owner.ProcessBatch(ws, _batches!.Batches[b], _types!, _neighbors!, _fparam, _options!, _atomEnergy!, _gx!, _gy!, _gz!);
                if (ws.Problem) Volatile.Write(ref Problem, 1);
            }
            catch (UserInputException ex)
            {
                _batches!.Errors[b] = ex;
            }
        }
    }

    private static void ClearRow(NeighborList neighbors, int i, double[] gx, double[] gy, double[] gz)
    {
        int start = neighbors.Offsets[i], count = neighbors.Offsets[i + 1] - start;
        Array.Clear(gx, start, count);
        Array.Clear(gy, start, count);
        Array.Clear(gz, start, count);
    }

    private PairGradients? _pairGradients;

    private sealed class PairGradients(int size)
    {
        public readonly double[] Gx = GC.AllocateUninitializedArray<double>(size);
        public readonly double[] Gy = GC.AllocateUninitializedArray<double>(size);
        public readonly double[] Gz = GC.AllocateUninitializedArray<double>(size);
    }

    /// <summary>
    /// Makes the fitting-input buffer for a batch (feature-major, <paramref name="ldf"/> columns) and fills the rows that
    /// follow the descriptor: normalised frame parameters, atomic parameters and the case embedding.
    /// </summary>
    /// <remarks>
    /// With <paramref name="descriptorWritten"/> the caller promises to write every column of the descriptor rows
    /// itself, so only the rows after them are cleared (the whole buffer is 400 KB for a float water batch).
    /// </remarks>
    private protected Span<T> FittingInput(Workspace ws, int ti, int[] centers, double[]? fparam, EvaluationOptions options, out int ldf,
        bool descriptorWritten = false)
    {
        var fitting = Model.Fitting;
        var fitNet = _fitting[ti] ?? throw new UserInputException($"the model has no fitting net for type '{Model.TypeMap.Names[ti]}'", Model.Source);
        // Whole vectors, without Pad's anti-aliasing column: for 64 centers that would make 9 vectors of 8 doubles where
        // the GEMM tiles 2 at a time (measured: fitting 54 → 41 CPU-µs/atom, f64, 512-bit, batch 64).
        ldf = (centers.Length + Vector<T>.Count - 1) / Vector<T>.Count * Vector<T>.Count;
        var nin = fitting.InputSize;
        Workspace.Ensure(ref ws.FitIn, nin * ldf);
        Workspace.Ensure(ref ws.FitOut, ldf);
        Workspace.Ensure(ref ws.FitSaved, fitNet.ActivationFloats * ldf);
        Workspace.Ensure(ref ws.FitGrad, nin * ldf);
        Workspace.Ensure(ref ws.Scratch, 3 * fitNet.MaxWidth * ldf);
        var x = ws.FitIn.AsSpan(0, nin * ldf);
        if (descriptorWritten) x[(Model.Descriptor.OutputSize * ldf)..].Clear();
        else x.Clear();
        for (var c = 0; c < centers.Length; c++)
        {
            var k = Model.Descriptor.OutputSize;
            if (fparam is not null)
                for (var p = 0; p < fparam.Length; p++)
                    x[k++ * ldf + c] = T.CreateTruncating((fparam[p] - (fitting.FparamAvg?[p] ?? 0)) * (fitting.FparamInvStd?[p] ?? 1));
            if (fitting.AparamCount > 0 && !fitting.UseAparamAsMask)
                for (var p = 0; p < fitting.AparamCount; p++)
                    x[k++ * ldf + c] = T.CreateTruncating((options.Aparam![centers[c] * fitting.AparamCount + p] - (fitting.AparamAvg?[p] ?? 0)) * (fitting.AparamInvStd?[p] ?? 1));
            if (fitting.CaseEmbedding is { } ce)
                foreach (var v in ce) x[k++ * ldf + c] = T.CreateTruncating(v);
        }
        return x;
    }

    /// <summary>
    /// Runs the fitting net forward on the input made by <see cref="FittingInput"/>, writes the atomic energies
    /// (plus both energy biases), and returns ∂e/∂input (feature-major).
    /// </summary>
    private protected Span<T> RunFitting(Workspace ws, int ti, int[] centers, int ldf, double[] atomEnergy, EvaluationOptions options)
    {
        var fitting = Model.Fitting;
        var fitNet = _fitting[ti]!;
        var nin = fitting.InputSize;
        var x = ws.FitIn.AsSpan(0, nin * ldf);
        // The extrapolation guard (or a coverage recording) sees the batch's descriptors here, where they are contiguous.
        options.DescriptorWatch?.ObserveBatch<T>(ti, x, ldf, Model.Descriptor.OutputSize, centers);
        var output = ws.FitOut.AsSpan(0, ldf);
        fitNet.Forward(x, output, ldf, ws.FitSaved, ws.Scratch);
        for (var c = 0; c < centers.Length; c++)
            atomEnergy[centers[c]] = double.CreateTruncating(output[c]) + fitting.BiasAtomE[ti] + Model.OutBias[ti];
        var weights = options.CenterWeights;
        for (var c = 0; c < ldf; c++) output[c] = c >= centers.Length ? T.Zero : weights is null ? T.One : T.CreateTruncating(weights[centers[c]]);
        var grad = ws.FitGrad.AsSpan(0, nin * ldf);
        fitNet.Backward(output, grad, ldf, ws.FitSaved, ws.Scratch);
        return grad;
    }

    /// <summary>Per-thread buffers, grown on demand and reused across calls (no allocation in steady state).</summary>
    private protected sealed class Workspace
    {
        public Workspace(DeepPotModel model)
        {
            var nt = model.TypeMap.Count;
            Slots = Enumerable.Range(0, nt).Select(_ => new SlotBlock()).ToArray();
            var m1 = model.Descriptor.Neuron[^1];
            T = new double[MaxBatchSize * m1 * 4];
            Counts = new int[MaxBatchSize * nt];
            PairExcluded = new int[MaxBatchSize * nt];
            DescriptorExcluded = new int[MaxBatchSize * nt];
        }

        public readonly SlotBlock[] Slots;
        public AlignedArray<T> TAcc = AlignedArray<T>.Empty;   // tables: per center T accumulators (PackedTable.Index layout)
        public AlignedArray<T> DTc = AlignedArray<T>.Empty;    // tables: per center dT (PackedTable.Index layout)
        public int[] SortCount = [];                           // tables: counting sort by interval
        public byte[] Kind = [];                               // per neighbor type: how it enters the descriptor
        public bool CheckCounts;                               // the batch checks sel overflow and overlaps itself
        public bool Problem;                                   // set by a batch that found one (it stops)
        public object? DescriptorBuffers;                      // a descriptor's own per-thread buffers (se_atten)
        public readonly double[] T;
        public readonly int[] Counts;
        public readonly int[] PairExcluded;
        public readonly int[] DescriptorExcluded;
        public AlignedArray<T> FitIn = AlignedArray<T>.Empty;
        public AlignedArray<T> FitOut = AlignedArray<T>.Empty;
        public AlignedArray<T> FitSaved = AlignedArray<T>.Empty;
        public AlignedArray<T> FitGrad = AlignedArray<T>.Empty;
        public AlignedArray<T> Scratch = AlignedArray<T>.Empty;
        public AlignedArray<T> TFeature = AlignedArray<T>.Empty;
        public AlignedArray<T> DTFeature = AlignedArray<T>.Empty;

        /// <summary>Makes <paramref name="a"/> at least <paramref name="size"/> long; contents are not kept.</summary>
        public static void Ensure<TE>(ref AlignedArray<TE> a, int size) where TE : unmanaged
        {
            if (a.Length < size) a = new AlignedArray<TE>(Math.Max(size, a.Length * 3 / 2));
        }
    }

    /// <summary>
    /// The real, contributing neighbor slots of one neighbor type for a batch of centers, as columns of a feature-major
    /// batch. Each center's columns start at a multiple of the vector width (filler columns have entry −1 and a zero
    /// row), so per-center reductions are plain vector loops.
    /// </summary>
    private protected sealed class SlotBlock
    {
        public int Count;
        public int Ld;
        public int[] Entry = [];            // per column: neighbor entry, or −1 for filler
        public readonly int[] Start = new int[MaxBatchSize + 1]; // per center: first column
        public readonly int[] NetOffset = new int[MaxBatchSize]; // full nets: per center, where its G and dG/ds blocks start
        public readonly int[] NetLd = new int[MaxBatchSize];     // full nets: per center, the row stride of its blocks
        public AlignedArray<T> Rt = AlignedArray<T>.Empty;                 // [4][ld] normalised environment rows (row 0 is the embedding input s)
        public AlignedArray<T> G = AlignedArray<T>.Empty;                  // embedding output (full nets; se_e2_a: per center [M1][NetLd])
        public AlignedArray<T> Saved = AlignedArray<T>.Empty;              // dG/ds, laid out as G (full nets)
        public AlignedArray<T> GradS = AlignedArray<T>.Empty;              // [ld]
        public AlignedArray<T> GradR = AlignedArray<T>.Empty;              // [4][ld]
        // Per column, written by the gather: the displacement and r² (r after the environment step); fillers 0, 0, 0, −1.
        // Contiguous per column, so the environment rows and pair gradients are computed a vector of columns at a time.
        public AlignedArray<double> Dx = AlignedArray<double>.Empty;
        public AlignedArray<double> Dy = AlignedArray<double>.Empty;
        public AlignedArray<double> Dz = AlignedArray<double>.Empty;
        public AlignedArray<double> R = AlignedArray<double>.Empty;
        public int RealCount;               // tables: real columns (in Order)
        public int[] Center = [];           // tables: per column, its center in the batch
        public int[] Interval = [];         // tables: per column, its table interval
        public int[] Order = [];            // tables: the real columns in interval order
        public AlignedArray<T> Tt = AlignedArray<T>.Empty;                 // tables: per column, t inside the interval
        public AlignedArray<T> Extra = AlignedArray<T>.Empty;              // tables: per column, extrapolation distance

        public void Reset() => Count = 0;

        /// <summary>Makes room for <paramref name="size"/> columns in all (contents kept).</summary>
        public void Reserve(int size)
        {
            if (Entry.Length < size) Array.Resize(ref Entry, Math.Max(size, 2 * Entry.Length));
            if (Dx.Length >= Entry.Length) return;
            Grow(ref Dx, Entry.Length, Count);
            Grow(ref Dy, Entry.Length, Count);
            Grow(ref Dz, Entry.Length, Count);
            Grow(ref R, Entry.Length, Count);
        }

        private static void Grow(ref AlignedArray<double> a, int size, int keep)
        {
            var grown = new AlignedArray<double>(size);
            a.AsSpan(0, keep).CopyTo(grown.AsSpan());
            a = grown;
        }

        /// <summary>Appends a column for neighbor entry <paramref name="entry"/> without its geometry (se_e2_r).</summary>
        public void Add(int entry)
        {
            if (Count == Entry.Length) Reserve(Math.Max(64, 2 * Count));
            Append(entry, 0, 0, 0, -1);
        }

        /// <summary>Appends a column for neighbor entry <paramref name="entry"/> at displacement (dx, dy, dz), r² = <paramref name="r2"/> (room reserved).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Append(int entry, double dx, double dy, double dz, double r2)
        {
            var k = Count++;
            Entry[k] = entry;
            Dx[k] = dx;
            Dy[k] = dy;
            Dz[k] = dz;
            R[k] = r2;
        }

        /// <summary>Pads with filler columns up to the next multiple of the vector width.</summary>
        public void Align()
        {
            while (Count % Vector<T>.Count != 0) Add(-1);
        }
    }

}
