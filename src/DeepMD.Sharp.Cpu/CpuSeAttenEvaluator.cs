namespace DeepMD.Sharp.Cpu;

using System.Numerics;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The CPU backend for DPA-1 (<c>se_atten</c>, <c>se_atten_v2</c>): batches of same-type atoms spread over cores
/// (<see cref="CpuEvaluatorBase{T}"/>); per atom the attention block runs forward with <see cref="SeAttenBlockKernel{T}"/>
/// and keeps its state, the fitting net runs batched over the batch, then each atom's block runs backward to its pair
/// gradients. Networks and attention in precision <typeparamref name="T"/>; geometry, energy and virial in double.
/// </summary>
public sealed class CpuSeAttenEvaluator<T> : CpuEvaluatorBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SeAttenSpec _d;
    private readonly SeAttenBlockKernel<T> _kernel;
    private readonly int _batch;

    public CpuSeAttenEvaluator(DeepPotModel model)
        : base(model, typeof(T) == typeof(double) ? "cpu-f64" : "cpu-f32")
    {
        if (!Supports(model, out var why)) throw new ArgumentException(why);
        _d = (SeAttenSpec)model.Descriptor;
        _kernel = new SeAttenBlockKernel<T>(_d.Block);
        // Each atom of a batch keeps its forward state until the fitting net has run (≈ 1.9 MB per atom in double for the
        // water example's two 128-wide attention layers over 120 slots): batches are sized to keep that near 16 MB per
        // thread; the fitting net, the only part that gains from wide batches, is a few percent of the cost here.
        var bytes = (long)_kernel.StateSize * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        _batch = (int)Math.Clamp(16L * 1024 * 1024 / Math.Max(1, bytes), 1, MaxBatchSize);
    }

    /// <summary>Whether this backend can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    public static bool Supports(DeepPotModel model, out string reason)
    {
        if (model.Descriptor is not SeAttenSpec)
        {
            reason = $"this is the se_atten evaluator; the model's descriptor is {model.Descriptor.TypeName}";
            return false;
        }
        reason = "";
        return true;
    }

    protected override int BatchSize => _batch;

    private sealed class Buffers(SeAttenBlockKernel<T> kernel)
    {
        public readonly SeAttenBlockKernel<T>.Scratch Scratch = new(kernel);
        public readonly SeAttenBlockKernel<T>.CenterState[] Centers =
            Enumerable.Range(0, MaxBatchSize).Select(_ => (SeAttenBlockKernel<T>.CenterState)null!).ToArray();
        public readonly T[] Grad = new T[kernel.OutputSize];
    }

    private protected override void ProcessBatch(Workspace ws, int[] centers, int[] types, NeighborList nl, double[]? fparam, EvaluationOptions options,
        double[] atomEnergy, double[] gx, double[] gy, double[] gz)
    {
        var buf = (Buffers)(ws.DescriptorBuffers ??= new Buffers(_kernel));
        var ti = types[centers[0]];
        var x = FittingInput(ws, ti, centers, fparam, options, out var ldf);
        var padType = types.Length > 0 ? types[0] : -1;
        var nOut = _kernel.OutputSize;
        var output = buf.Scratch.Out;
        for (var c = 0; c < centers.Length; c++)
        {
            var cs = buf.Centers[c] ??= new SeAttenBlockKernel<T>.CenterState(_kernel);
            _kernel.Forward(Model, centers[c], ti, types, nl, padType, cs, buf.Scratch, output);
            for (var f = 0; f < nOut; f++) x[f * ldf + c] = output[f];
            if (_d.ConcatOutputTebd)
            {
                var row = _d.TypeEmbedding.Row(ti);
                for (var q = 0; q < row.Length; q++) x[(nOut + q) * ldf + c] = T.CreateTruncating(row[q]);
            }
        }
        var grad = RunFitting(ws, ti, centers, ldf, atomEnergy, options);
        var dOut = buf.Grad;
        for (var c = 0; c < centers.Length; c++)
        {
            for (var f = 0; f < nOut; f++) dOut[f] = grad[f * ldf + c];
            var i = centers[c];
            int start = nl.Offsets[i], count = nl.Offsets[i + 1] - start;
            Array.Clear(gx, start, count);
            Array.Clear(gy, start, count);
            Array.Clear(gz, start, count);
            _kernel.Backward(buf.Centers[c], dOut, buf.Scratch, nl, gx, gy, gz);
        }
    }
}
