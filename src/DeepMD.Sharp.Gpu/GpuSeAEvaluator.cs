namespace DeepMD.Sharp.Gpu;

using System.Numerics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using ILGPU;
using ILGPU.Runtime;

/// <summary>
/// The GPU backend for se_e2_a (ILGPU: CUDA, or ILGPU's CPU accelerator for tests). The host assigns neighbor slots
/// from a host-built neighbor list, chunk by chunk of atoms; the device computes environment matrices, embeddings
/// (tabulated when the model is compressed), descriptors, the fitting net with its backward pass and the pair
/// gradients ∂e_i/∂d; the host folds those into forces and virials with <see cref="PairTermAccumulator"/>, in a
/// fixed order. Device memory is bounded: buffers are sized for one chunk (<see cref="ChunkAtoms"/> atoms,
/// <see cref="DeviceBytesPerAtom"/> bytes each). Values are stored in <typeparamref name="T"/> (float or double);
/// network matrix-vector loops accumulate in <typeparamref name="T"/>, the rest is computed in double. One instance
/// evaluates one configuration at a time (calls are serialised).
/// </summary>
public sealed partial class GpuSeAEvaluator<T> : IModelEvaluator, Resident.IDeviceResidentEvaluator, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DescriptorSpec _d;
    private readonly SeE2ASpec? _a; // null for se_e2_r
    private readonly int _m1;
    private readonly Accelerator _accelerator;
    private readonly IDisposable? _owned;
    private readonly Action<Index1D, SeAKernelParams<T>> _envEmbed;
    private readonly Action<Index1D, SeAKernelParams<T>> _descriptorT;
    private readonly Action<Index1D, SeAKernelParams<T>> _descriptorD;
    private readonly Action<Index1D, SeAKernelParams<T>, int> _fitForward;
    private readonly Action<Index1D, SeAKernelParams<T>> _fitSeed;
    private readonly Action<Index1D, SeAKernelParams<T>, int> _fitBackwardZ;
    private readonly Action<Index1D, SeAKernelParams<T>, int> _fitBackwardX;
    private readonly Action<Index1D, SeAKernelParams<T>> _descriptorBackward;
    private readonly int _fitLayers;
    private readonly Action<Index1D, SeAKernelParams<T>> _pairGradient;
    private readonly List<MemoryBuffer> _buffers = [];
    private SeAKernelParams<T> _p;
    private readonly int _tail;

    private readonly List<MemoryBuffer> _chunkBuffers = [];
    private readonly Lock _gate = new();
    private int _capacity;

    // Host staging for one chunk.
    private int[] _centerType = [];
    private int[] _slotFlag = [];
    private int[] _padCount = [];
    private int[] _slotEntry = [];
    private T[] _slotD = [];
    private T[] _tailValues = [];
    private T[] _energy = [];
    private T[] _pairGradientHost = [];

    /// <summary>
    /// Creates the evaluator on <paramref name="accelerator"/> (not owned unless <paramref name="owned"/> is given).
    /// <paramref name="maxChunkAtoms"/> caps the atoms per chunk; otherwise the chunk fills
    /// <paramref name="memoryBudgetBytes"/> (default: a quarter of the device memory, at most 8 GiB).
    /// </summary>
    public GpuSeAEvaluator(DeepPotModel model, Accelerator accelerator, int? maxChunkAtoms = null, long? memoryBudgetBytes = null, IDisposable? owned = null)
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float)) throw new ArgumentException("T must be float or double");
        if (!Supports(model, out var why)) throw new ArgumentException(why);
        Model = model;
        _d = model.Descriptor;
        _a = _d as SeE2ASpec;
        _m1 = _d.Neuron[^1];
        var comps = _d.ComponentCount;
        _accelerator = accelerator;
        _owned = owned;
        var nt = _d.TypeCount;
        var nnei = _d.SlotCount;
        var m1 = _m1;

        var nets = new DeviceNetworks();
        var embIndex = new int[_d.Embeddings.Length];
        for (var k = 0; k < embIndex.Length; k++)
            embIndex[k] = _d.Embeddings[k] is { } net ? nets.Add(net, _d.Tables?[k]) : -1;
        var embWidth = nets.MaxWidth;
        var fitNet = new int[nt];
        var fitActivations = 0;
        var fitWidth = model.Fitting.InputSize;
        for (var t = 0; t < nt; t++)
        {
            var net = model.Fitting.NetFor(t);
            if (net is null) { fitNet[t] = -1; continue; }
            fitNet[t] = nets.Add(net);
            fitActivations = Math.Max(fitActivations, nets.MaxActivationFloats);
            fitWidth = Math.Max(fitWidth, net.MaxWidth);
        }
        var embPair = new int[nt * nt];
        var mean = new double[nt * nt * 4];
        var invStd = new double[nt * nt * 4];
        for (var ti = 0; ti < nt; ti++)
            for (var tt = 0; tt < nt; tt++)
            {
                embPair[ti * nt + tt] = embIndex[_d.TypeOneSide ? tt : ti + nt * tt];
                var k = (ti * nnei + _d.SelOffsets[tt]) * comps;
                for (var c = 0; c < comps; c++)
                {
                    mean[(ti * nt + tt) * 4 + c] = _d.Davg[k + c];
                    invStd[(ti * nt + tt) * 4 + c] = 1.0 / _d.Dstd[k + c];
                }
            }
        // A padded slot's row and embedding depend only on the type pair: computed once here, added per atom in Fit.
        var padG = new double[nt * nt * m1];
        var padR = new double[nt * nt * 4];
        var deriv = new double[m1];
        for (var ti = 0; ti < nt; ti++)
            for (var tt = 0; tt < nt; tt++)
            {
                var pair = ti * nt + tt;
                for (var c = 0; c < comps; c++) padR[pair * 4 + c] = -mean[pair * 4 + c] * invStd[pair * 4 + c];
                if (_d.Sel[tt] == 0) continue;
                var netIndex = _d.TypeOneSide ? tt : ti + nt * tt;
                if (_d.Tables?[netIndex] is { } table) table.Evaluate(padR[pair * 4], padG.AsSpan(pair * m1, m1), deriv);
                else _d.Embeddings[netIndex]?.EvaluateScalar(padR[pair * 4], padG.AsSpan(pair * m1, m1), deriv);
            }
        var slotType = new int[nnei];
        for (var tt = 0; tt < nt; tt++)
            for (var k = _d.SelOffsets[tt]; k < _d.SelOffsets[tt + 1]; k++) slotType[k] = tt;
        _tail = model.Fitting.InputSize - _d.OutputSize;
        var fitStride = fitActivations + 2 * fitWidth;

        var size = typeof(T) == typeof(double) ? 8 : 4;
        long perSlot = (long)size * (3 + 4 + 2 * m1 + 4 * embWidth + 3) + sizeof(int);
        DeviceBytesPerAtom = nnei * perSlot + (long)size * (8 * m1 + fitStride + Math.Max(1, _tail) + 1) + sizeof(int) * (1 + nt);
        var budget = memoryBudgetBytes ?? Math.Min(accelerator.MemorySize / 4, 8L << 30);
        // The slot-indexed buffers must stay below 2³¹ elements (kernel launch extents are ints).
        ChunkAtoms = (int)Math.Clamp(budget / DeviceBytesPerAtom, 1, int.MaxValue / Math.Max(1, nnei * Math.Max(m1, 4 * embWidth)));
        if (maxChunkAtoms is { } cap) ChunkAtoms = Math.Max(1, Math.Min(ChunkAtoms, cap));
        _p = new SeAKernelParams<T>
        {
            Weights = Upload(nets.Weights.Select(T.CreateTruncating).ToArray()),
            Layers = Upload(nets.Layers),
            Nets = Upload(nets.Nets),
            EmbeddingNet = Upload(embPair),
            TableOf = Upload(nets.TableOf),
            TableInfo = Upload(nets.TableInfo),
            TableData = Upload(nets.TableData),
            FittingNet = Upload(fitNet),
            Mean = Upload(mean),
            InvStd = Upload(invStd),
            SlotType = Upload(slotType),
            PadG = Upload(padG),
            PadR = Upload(padR),
            TypeCount = nt,
            Nnei = nnei,
            M1 = m1,
            M2 = _a?.AxisNeuron ?? 0,
            Radial = _a is null ? 1 : 0,
            EmbWidth = embWidth,
            FitScratchStride = fitStride,
            FitWidth = fitWidth,
            TailLength = _tail,
            Rcut = _d.Rcut,
            RcutSmooth = _d.RcutSmooth,
            Protection = _d.EnvProtection,
        };
        ModelBytes = _buffers.Sum(b => b.LengthInBytes);

        _fitLayers = Enumerable.Range(0, nt).Max(t => model.Fitting.NetFor(t)?.Layers.Count ?? 0);
        if (typeof(T) == typeof(double)) (_envEmbed, _descriptorT, _descriptorD, _fitForward, _fitSeed, _fitBackwardZ, _fitBackwardX, _descriptorBackward, _pairGradient) = Load<double, DoubleOps>(accelerator);
        else (_envEmbed, _descriptorT, _descriptorD, _fitForward, _fitSeed, _fitBackwardZ, _fitBackwardX, _descriptorBackward, _pairGradient) = Load<float, FloatOps>(accelerator);
        Name = $"gpu-{(size == 8 ? "f64" : "f32")}{(_d.IsCompressed ? "-compressed" : "")}{(_a is null ? " se_r" : "")} ({accelerator.AcceleratorType}: {accelerator.Name})";
    }

    private static (Action<Index1D, SeAKernelParams<T>>, Action<Index1D, SeAKernelParams<T>>, Action<Index1D, SeAKernelParams<T>>, Action<Index1D, SeAKernelParams<T>, int>,
        Action<Index1D, SeAKernelParams<T>>, Action<Index1D, SeAKernelParams<T>, int>, Action<Index1D, SeAKernelParams<T>, int>,
        Action<Index1D, SeAKernelParams<T>>, Action<Index1D, SeAKernelParams<T>>) Load<TS, TOps>(Accelerator a)
        where TS : unmanaged where TOps : struct, IRealOps<TS>
    {
        // T == TS here; the casts through object only restate that for the compiler.
        Action<Index1D, SeAKernelParams<T>> One(Action<Index1D, SeAKernelParams<TS>> k) =>
            (Action<Index1D, SeAKernelParams<T>>)(object)a.LoadAutoGroupedStreamKernel(k);
        Action<Index1D, SeAKernelParams<T>, int> Two(Action<Index1D, SeAKernelParams<TS>, int> k) =>
            (Action<Index1D, SeAKernelParams<T>, int>)(object)a.LoadAutoGroupedStreamKernel(k);
        return (One(SeAKernels<TS, TOps>.EnvEmbed), One(SeAKernels<TS, TOps>.DescriptorT), One(SeAKernels<TS, TOps>.DescriptorD), Two(SeAKernels<TS, TOps>.FitForward),
            One(SeAKernels<TS, TOps>.FitSeed), Two(SeAKernels<TS, TOps>.FitBackwardZ), Two(SeAKernels<TS, TOps>.FitBackwardX),
            One(SeAKernels<TS, TOps>.DescriptorBackward), One(SeAKernels<TS, TOps>.PairGradient));
    }

    public string Name { get; }

    public DeepPotModel Model { get; }

    /// <summary>Atoms evaluated per device pass.</summary>
    public int ChunkAtoms { get; }

    /// <summary>Device memory per atom of chunk capacity, bytes (the model's own buffers come on top, once).</summary>
    public long DeviceBytesPerAtom { get; }

    /// <summary>Device memory held for the model itself (weights, tables, statistics), bytes.</summary>
    public long ModelBytes { get; }

    /// <summary>Device memory held now: model plus chunk buffers (sized for the largest system seen, up to <see cref="ChunkAtoms"/>), bytes.</summary>
    public long DeviceBytes => ModelBytes + _chunkBuffers.Sum(b => b.LengthInBytes) + ResidentDeviceBytes;

    /// <summary>The device the kernels run on.</summary>
    public Accelerator Accelerator => _accelerator;

    /// <summary>Whether this backend can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    public static bool Supports(DeepPotModel model, out string reason)
    {
        if (model.Descriptor is not (SeE2ASpec or SeE2RSpec))
        {
            reason = $"the GPU backend implements se_e2_a and se_e2_r; this model's descriptor is {model.Descriptor.TypeName}";
            return false;
        }
        var d = model.Descriptor;
        var nnei = d.SlotCount;
        var comps = d.ComponentCount;
        for (var ti = 0; ti < d.TypeCount; ti++)
            for (var tt = 0; tt < d.TypeCount; tt++)
                for (var k = d.SelOffsets[tt] + 1; k < d.SelOffsets[tt + 1]; k++)
                    for (var c = 0; c < comps; c++)
                    {
                        var first = (ti * nnei + d.SelOffsets[tt]) * comps + c;
                        var here = (ti * nnei + k) * comps + c;
                        if (d.Davg[here] != d.Davg[first] || d.Dstd[here] != d.Dstd[first])
                        {
                            reason = "the model's davg/dstd differ between slots of one type block; the GPU backend needs them uniform per block";
                            return false;
                        }
                    }
        var nets = d.Embeddings.Concat(model.Fitting.Nets).Where(n => n is not null);
        if (model.Fitting.MixedTypes)
        {
            reason = "the GPU backend expects one fitting net per type";
            return false;
        }
        if (nets.Any(n => n!.Layers.Any(l => !DeviceNetworks.IsSupported(l.Activation.Kind))))
        {
            reason = "the GPU backend does not implement the silut activation";
            return false;
        }
        reason = "";
        return true;
    }

    public void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result)
    {
        lock (_gate) EvaluateLocked(types, neighbors, options, result);
    }

    private void EvaluateLocked(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result)
    {
        var n = neighbors.CenterCount; // local atoms; entries may name ghosts
        var fparam = EvaluationInputs.Validate(Model, types, neighbors, options);
        if (EvaluationInputs.CheckNeighborCounts(Model, types, neighbors, options))
        {
            ReferenceEvaluator.Evaluate(Model, types, neighbors, options, result); // DeePMD-kit-style truncation: rare, kept in one place
            return;
        }

        EnsureCapacity(Math.Max(1, Math.Min(n, ChunkAtoms)));
        result.Reset(types.Length, n);
        var gx = new double[neighbors.EntryCount];
        var gy = new double[neighbors.EntryCount];
        var gz = new double[neighbors.EntryCount];
        for (var start = 0; start < n; start += ChunkAtoms)
        {
            var count = Math.Min(ChunkAtoms, n - start);
            Stage(start, count, types, neighbors, fparam, options);
            RunChunk(count);
            var nnei = _d.SlotCount;
            // Each entry belongs to one slot of one center: the scatter has no write conflicts.
            Parallel.For(0, count, options.ParallelOptions(), c =>
            {
                var i = start + c;
                var ti = types[i];
                result.AtomEnergy[i] = Model.IsAtomExcluded(ti) ? 0 : double.CreateTruncating(_energy[c]) + Model.Fitting.BiasAtomE[ti] + Model.OutBias[ti];
                for (var k = c * nnei; k < (c + 1) * nnei; k++)
                {
                    var e = _slotEntry[k];
                    if (e < 0) continue;
                    gx[e] = double.CreateTruncating(_pairGradientHost[3 * k]);
                    gy[e] = double.CreateTruncating(_pairGradientHost[3 * k + 1]);
                    gz[e] = double.CreateTruncating(_pairGradientHost[3 * k + 2]);
                }
            });
        }
        double energy = 0;
        for (var i = 0; i < n; i++) energy += result.AtomEnergy[i];
        result.Energy = energy;
        PairTermAccumulator.Accumulate(neighbors, gx, gy, gz, result, options.ParallelOptions());
    }

    /// <summary>Fills the host staging arrays for atoms start..start+count: slots per type block, in list order
    /// (the sum over a block does not depend on the order because davg/dstd are uniform within it).</summary>
    private void Stage(int start, int count, int[] types, NeighborList nl, double[]? fparam, EvaluationOptions options)
    {
        var d = _d;
        var nnei = d.SlotCount;
        var nt = d.TypeCount;
        var rc2 = d.Rcut * d.Rcut;
        var fitting = Model.Fitting;
        Parallel.For(0, count, options.ParallelOptions(), c =>
        {
            Span<int> used = stackalloc int[nt];
            var i = start + c;
            var ti = types[i];
            var excluded = Model.IsAtomExcluded(ti);
            _centerType[c] = excluded ? -1 : ti;
            var slots = _slotFlag.AsSpan(c * nnei, nnei);
            slots.Fill(excluded ? -1 : 0);
            _slotEntry.AsSpan(c * nnei, nnei).Fill(-1);
            _padCount.AsSpan(c * nt, nt).Clear();
            if (excluded) return;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var r2 = nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e];
                if (r2 > rc2) continue;
                var tj = types[nl.Owner[e]];
                var k = c * nnei + d.SelOffsets[tj] + used[tj]++;
                if (Model.IsPairExcluded(ti, tj)) continue; // padding
                if (d.IsExcluded(ti, tj))
                {
                    _slotFlag[k] = _a is null ? 2 : -1; // se_r embeds the masked row (s = 0), as dpmodel does; se_e2_a drops it
                    continue;
                }
                _slotFlag[k] = 1;
                _slotEntry[k] = e;
                _slotD[3 * k] = T.CreateTruncating(nl.Dx[e]);
                _slotD[3 * k + 1] = T.CreateTruncating(nl.Dy[e]);
                _slotD[3 * k + 2] = T.CreateTruncating(nl.Dz[e]);
            }
            for (var tt = 0; tt < nt; tt++)
            {
                var pads = 0;
                for (var k = d.SelOffsets[tt]; k < d.SelOffsets[tt + 1]; k++)
                    if (_slotFlag[c * nnei + k] == 0) pads++;
                _padCount[c * nt + tt] = pads;
            }
            var q = c * _tail;
            if (fparam is not null)
                for (var j = 0; j < fparam.Length; j++)
                    _tailValues[q++] = T.CreateTruncating((fparam[j] - (fitting.FparamAvg?[j] ?? 0)) * (fitting.FparamInvStd?[j] ?? 1));
            if (fitting.AparamCount > 0 && !fitting.UseAparamAsMask)
                for (var j = 0; j < fitting.AparamCount; j++)
                    _tailValues[q++] = T.CreateTruncating((options.Aparam![i * fitting.AparamCount + j] - (fitting.AparamAvg?[j] ?? 0)) * (fitting.AparamInvStd?[j] ?? 1));
            if (fitting.CaseEmbedding is { } ce)
                foreach (var v in ce) _tailValues[q++] = T.CreateTruncating(v);
        });
    }

    private void RunChunk(int count)
    {
        var slots = (long)count * _d.SlotCount;
        Copy(_centerType, _p.CenterType, count);
        Copy(_slotFlag, _p.SlotFlag, slots);
        Copy(_padCount, _p.PadCount, (long)count * _d.TypeCount);
        Copy(_slotD, _p.SlotD, slots * 3);
        if (_tail > 0) Copy(_tailValues, _p.Tail, (long)count * _tail);
        RunKernels(count);
        _accelerator.Synchronize();
        _p.Energy.SubView(0, count).CopyToCPU(ref _energy[0], count);
        _p.PairGradient.SubView(0, slots * 3).CopyToCPU(ref _pairGradientHost[0], slots * 3);
    }

    /// <summary>Queues the model kernels for a chunk of <paramref name="count"/> atoms whose slot inputs are on the device.</summary>
    private void RunKernels(int count)
    {
        var slots = (long)count * _d.SlotCount;
        _envEmbed((int)slots, _p);
        var channels = count * _d.Neuron[^1];
        _descriptorT(channels, _p);
        _descriptorD(channels, _p);
        var neurons = count * _p.FitWidth;
        for (var l = 0; l < _fitLayers; l++) _fitForward(neurons, _p, l);
        _fitSeed(count, _p);
        for (var l = _fitLayers - 1; l >= 0; l--)
        {
            _fitBackwardZ(neurons, _p, l);
            _fitBackwardX(neurons, _p, l);
        }
        _descriptorBackward(count * _d.Neuron[^1] * 4, _p);
        _pairGradient((int)slots, _p);
    }

    /// <summary>Allocates the chunk buffers for <paramref name="chunk"/> atoms unless the current ones are big enough.</summary>
    private void EnsureCapacity(int chunk)
    {
        if (chunk <= _capacity) return;
        foreach (var b in _chunkBuffers) b.Dispose();
        _chunkBuffers.Clear();
        var nnei = _d.SlotCount;
        var m1 = _m1;
        long slots = (long)chunk * nnei;
        _p.SlotCapacity = slots;
        _p.CenterType = Allocate<int>(chunk, _chunkBuffers);
        _p.SlotFlag = Allocate<int>(slots, _chunkBuffers);
        _p.PadCount = Allocate<int>((long)chunk * _d.TypeCount, _chunkBuffers);
        _p.SlotD = Allocate<T>(slots * 3, _chunkBuffers);
        _p.Tail = Allocate<T>(Math.Max(1, (long)chunk * _tail), _chunkBuffers);
        _p.Rt = Allocate<T>(slots * 4, _chunkBuffers);
        _p.G = Allocate<T>(slots * m1, _chunkBuffers);
        _p.Gp = Allocate<T>(slots * m1, _chunkBuffers);
        _p.EmbScratch = Allocate<T>(slots * 4 * _p.EmbWidth, _chunkBuffers);
        _p.TMat = Allocate<T>((long)chunk * m1 * 4, _chunkBuffers);
        _p.DT = Allocate<T>((long)chunk * m1 * 4, _chunkBuffers);
        _p.FitScratch = Allocate<T>((long)chunk * _p.FitScratchStride, _chunkBuffers);
        _p.Energy = Allocate<T>(chunk, _chunkBuffers);
        _p.PairGradient = Allocate<T>(slots * 3, _chunkBuffers);
        _centerType = new int[chunk];
        _padCount = new int[chunk * _d.TypeCount];
        _slotFlag = new int[slots];
        _slotEntry = new int[slots];
        _slotD = new T[slots * 3];
        _tailValues = new T[Math.Max(1, chunk * _tail)];
        _energy = new T[chunk];
        _pairGradientHost = new T[slots * 3];
        _capacity = chunk;
    }

    private static void Copy<TV>(TV[] host, ArrayView<TV> device, long length) where TV : unmanaged =>
        device.SubView(0, length).CopyFromCPU(ref host[0], length);

    private ArrayView<TV> Allocate<TV>(long length, List<MemoryBuffer> owner) where TV : unmanaged
    {
        var buffer = _accelerator.Allocate1D<TV>(Math.Max(1, length));
        owner.Add(buffer);
        return buffer.View;
    }

    private ArrayView<TV> Upload<TV>(TV[] data) where TV : unmanaged
    {
        var view = Allocate<TV>(data.Length, _buffers);
        if (data.Length > 0) Copy(data, view, data.Length);
        return view;
    }

    public void Dispose()
    {
        DisposeResident();
        foreach (var b in _buffers.Concat(_chunkBuffers)) b.Dispose();
        _buffers.Clear();
        _chunkBuffers.Clear();
        _capacity = 0;
        _owned?.Dispose();
    }
}
