namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepMD.Sharp.Models.Networks;

/// <summary>
/// A <see cref="NeuralNetwork"/> converted to precision <typeparamref name="T"/> with transposed weights for the
/// backward pass, evaluated on feature-major batches with <see cref="FeatureMajorGemm{T}"/>.
/// </summary>
internal sealed class PackedNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Layer[] _layers;

    private sealed class Layer
    {
        public required int In;
        public required int Out;
        public required T[] W;       // [in][out], packed for FeatureMajorGemm
        public required T[] Wt;      // [out][in], packed for FeatureMajorGemm
        public required T[] Bias;    // [out] or empty
        public required T[]? Idt;    // [out]
        public required Activation Act;
        public required int Residual; // 0 none, 1 identity, 2 concat
        public required T[] FirstRow;  // [out]: the weights of input 0 (row 0 of W, unpacked)

        public T W0(int o) => FirstRow[o];
    }

    public PackedNetwork(NeuralNetwork net)
    {
        _layers = net.Layers.Select(l =>
        {
            var wt = new T[l.Weights.Length];
            for (var k = 0; k < l.InputSize; k++)
                for (var o = 0; o < l.OutputSize; o++)
                    wt[o * l.InputSize + k] = T.CreateTruncating(l.Weights[k * l.OutputSize + o]);
            return new Layer
            {
                In = l.InputSize,
                Out = l.OutputSize,
                W = FeatureMajorGemm<T>.Pack(l.Weights.Select(T.CreateTruncating).ToArray(), l.InputSize, l.OutputSize),
                Wt = FeatureMajorGemm<T>.Pack(wt, l.OutputSize, l.InputSize),
                Bias = l.Bias?.Select(T.CreateTruncating).ToArray() ?? [],
                Idt = l.Timestep?.Select(T.CreateTruncating).ToArray(),
                Act = l.Activation,
                Residual = l.ResidualKind,
                FirstRow = Enumerable.Range(0, l.OutputSize).Select(o => T.CreateTruncating(l.Weights[o])).ToArray(),
            };
        }).ToArray();
        InputSize = _layers[0].In;
        OutputSize = _layers[^1].Out;
        ActivationFloats = _layers.Sum(l => l.Out) + _layers.Sum(l => l.Act.Kind == ActivationKind.Tanh ? 0 : l.Out);
        MaxWidth = _layers.Max(l => Math.Max(l.In, l.Out));
        _savedDerivatives = _layers.Sum(l => l.Act.Kind == ActivationKind.Linear ? 0 : (l.Act.Kind == ActivationKind.Tanh ? 1 : 2) * l.Out);
    }

    /// <summary>Per batch column, the values of all layers' saved activations before the last layer's derivatives (see BackwardColumns).</summary>
    private readonly int _savedDerivatives;

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>Per batch column, how many values the forward pass stores for the backward pass.</summary>
    public int ActivationFloats { get; }

    public int LayerCount => _layers.Length;

    /// <summary>Widest layer (input or output).</summary>
    public int MaxWidth { get; }

    /// <summary>Columns processed through all layers at a time, so a block's activations stay in L1/L2.</summary>
    private static int ColumnBlock => Math.Max(2 * Vector<T>.Count, 64 / (2 * Vector<T>.Count) * (2 * Vector<T>.Count));

    /// <summary>
    /// Forward pass over <paramref name="ld"/> columns: <paramref name="input"/> [in×ld] → <paramref name="output"/>
    /// [out×ld]. Stores what the backward pass needs in <paramref name="saved"/> (≥ ActivationFloats·ld);
    /// <paramref name="scratch"/> holds two layer outputs (≥ 2·MaxWidth·ld).
    /// </summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, int ld, Span<T> saved, Span<T> scratch)
    {
        for (var v0 = 0; v0 < ld; v0 += ColumnBlock)
            ForwardColumns(input, output, ld, saved, scratch, v0, Math.Min(ld, v0 + ColumnBlock));
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // its own JIT inlining budget: the vector helpers must all inline
    private void ForwardColumns(ReadOnlySpan<T> input, Span<T> output, int ld, Span<T> saved, Span<T> scratch, int v0, int v1)
    {
        var bufA = scratch[..(MaxWidth * ld)];
        var bufB = scratch.Slice(MaxWidth * ld, MaxWidth * ld);
        var len = v1 - v0;
        ReadOnlySpan<T> x = input;
        var offset = 0;
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var n = layer.Out * ld;
            var z = l == _layers.Length - 1 ? output[..n] : (l % 2 == 0 ? bufA : bufB)[..n];
            FeatureMajorGemm<T>.MultiplyColumns(layer.W, layer.Bias, layer.In, layer.Out, x, z, ld, v0, v1);
            if (layer.Act.Kind == ActivationKind.Tanh)
            {
                // One pass per row: a = tanh(z) (kept for the backward pass), then z ← idt·a + residual.
                var a = saved.Slice(offset, n);
                offset += n;
                for (var o = 0; o < layer.Out; o++)
                {
                    var src = layer.Residual switch { 1 => o, 2 => o % layer.In, _ => -1 };
                    TanhEpilogue(z.Slice(o * ld + v0, len), a.Slice(o * ld + v0, len), layer.Idt?[o] ?? T.One,
                        src >= 0 ? x.Slice(src * ld + v0, len) : ReadOnlySpan<T>.Empty);
                }
                x = z;
                continue;
            }
            if (layer.Act.Kind != ActivationKind.Linear)
            {
                var a = saved.Slice(offset, n);
                var pre = saved.Slice(offset + n, n);
                offset += 2 * n;
                for (var o = 0; o < layer.Out; o++)
                {
                    var zr = z.Slice(o * ld + v0, len);
                    var ar = a.Slice(o * ld + v0, len);
                    zr.CopyTo(pre.Slice(o * ld + v0, len)); // pre-activation, for the derivative
                    for (var q = 0; q < len; q++) ar[q] = T.CreateTruncating(layer.Act.Value(double.CreateTruncating(zr[q])));
                    ar.CopyTo(zr);
                }
            }
            for (var o = 0; o < layer.Out; o++)
            {
                var zr = z.Slice(o * ld + v0, len);
                if (layer.Idt is { } idt) TensorPrimitives.Multiply<T>(zr, idt[o], zr);
                var src = layer.Residual switch { 1 => o, 2 => o % layer.In, _ => -1 };
                if (src >= 0) TensorPrimitives.Add<T>(zr, x.Slice(src * ld + v0, len), zr);
            }
            x = z;
        }
    }

    /// <summary>
    /// Forward pass of an embedding net that also carries the derivative with respect to input 0 (s) along (forward-mode
    /// differentiation): <paramref name="output"/> [out×ld] gets G(s) and <paramref name="tangent"/> [out×ld] gets
    /// dG/ds, from <paramref name="input"/> [in×ld]. No activations are kept: with dG/ds at hand the backward pass is a
    /// contraction (∂L/∂s = Σ_a ∂L/∂G[a]·dG[a]/ds) instead of a second trip through the net. The tangent costs the same
    /// multiply-adds as a backward pass would, but shares the column block with the forward pass while it is in cache.
    /// <paramref name="scratch"/> holds four layer outputs (≥ 4·MaxWidth·ld).
    /// </summary>
    public void ForwardTangent(ReadOnlySpan<T> input, Span<T> output, Span<T> tangent, int ld, Span<T> scratch) =>
        ForwardTangent(input, output, tangent, ld, scratch, ld);

    /// <summary>
    /// As <see cref="ForwardTangent(ReadOnlySpan{T}, Span{T}, Span{T}, int, Span{T})"/> for the first
    /// <paramref name="columns"/> columns only (a multiple of the vector width, at most <paramref name="ld"/>): rows
    /// may be padded beyond the columns in use.
    /// </summary>
    public void ForwardTangent(ReadOnlySpan<T> input, Span<T> output, Span<T> tangent, int ld, Span<T> scratch, int columns)
    {
        if (scratch.Length < 4 * MaxWidth * ld) throw new InvalidOperationException("scratch too small");
        if (columns > ld || columns % Vector<T>.Count != 0) throw new ArgumentOutOfRangeException(nameof(columns));
        for (var v0 = 0; v0 < columns; v0 += ColumnBlock)
            ForwardTangentColumns(input, output, tangent, ld, scratch, v0, Math.Min(columns, v0 + ColumnBlock));
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // its own JIT inlining budget: the vector helpers must all inline
    private void ForwardTangentColumns(ReadOnlySpan<T> input, Span<T> output, Span<T> tangent, int ld, Span<T> scratch, int v0, int v1)
    {
        var width = MaxWidth * ld;
        var len = v1 - v0;
        ReadOnlySpan<T> x = input;
        ReadOnlySpan<T> dx = default; // the first layer's input tangent is 1: dz = w, handled below
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var n = layer.Out * ld;
            var last = l == _layers.Length - 1;
            var z = last ? output[..n] : scratch.Slice((l % 2) * width, n);
            var dz = last ? tangent[..n] : scratch.Slice((2 + l % 2) * width, n);
            FeatureMajorGemm<T>.MultiplyColumns(layer.W, layer.Bias, layer.In, layer.Out, x, z, ld, v0, v1);
            if (l == 0)
            {
                // dz = W^T·e₀: the weights of input 0, one value per output (the other inputs, e.g. the type embedding
                // rows of se_atten's concat mode, are constants of the direction).
                for (var o = 0; o < layer.Out; o++) dz.Slice(o * ld + v0, len).Fill(layer.W0(o));
            }
            else
                FeatureMajorGemm<T>.MultiplyColumns(layer.W, ReadOnlySpan<T>.Empty, layer.In, layer.Out, dx, dz, ld, v0, v1);
            for (var o = 0; o < layer.Out; o++)
            {
                var src = layer.Residual switch { 1 => o, 2 => o % layer.In, _ => -1 };
                var zr = z.Slice(o * ld + v0, len);
                var dzr = dz.Slice(o * ld + v0, len);
                var scale = layer.Idt?[o] ?? T.One;
                var res = src >= 0 ? x.Slice(src * ld + v0, len) : ReadOnlySpan<T>.Empty;
                // The input tangent of the first layer is 1 in every column for input 0, 0 for the others.
                var dres = src < 0 ? ReadOnlySpan<T>.Empty : l == 0 ? (src == 0 ? OnesFor(len) : ZerosFor(len)) : dx.Slice(src * ld + v0, len);
                switch (layer.Act.Kind)
                {
                    case ActivationKind.Tanh:
                        TanhTangentEpilogue(zr, dzr, scale, res, dres);
                        break;
                    default:
                        for (var q = 0; q < len; q++)
                        {
                            var pre = double.CreateTruncating(zr[q]);
                            var a = layer.Act.Kind == ActivationKind.Linear ? pre : layer.Act.Value(pre);
                            var da = layer.Act.Kind == ActivationKind.Linear ? 1.0 : layer.Act.Derivative(pre, a);
                            zr[q] = scale * T.CreateTruncating(a) + (res.IsEmpty ? T.Zero : res[q]);
                            dzr[q] = scale * T.CreateTruncating(da) * dzr[q] + (dres.IsEmpty ? T.Zero : dres[q]);
                        }
                        break;
                }
            }
            x = z;
            dx = dz;
        }
    }

    private static T[] _ones = [];

    private static T[] _zeros = [];

    private static ReadOnlySpan<T> ZerosFor(int len)
    {
        var zeros = _zeros;
        if (zeros.Length < len) _zeros = zeros = new T[Math.Max(len, 256)];
        return zeros.AsSpan(0, len);
    }

    private static ReadOnlySpan<T> OnesFor(int len)
    {
        var ones = _ones;
        if (ones.Length < len)
        {
            ones = new T[Math.Max(len, 256)];
            Array.Fill(ones, T.One);
            _ones = ones;
        }
        return ones.AsSpan(0, len);
    }

    /// <summary>
    /// a = tanh(z); z ← scale·a + residual; dz ← scale·(1 − a²)·dz + dresidual (residuals may be empty, together).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own JIT inlining budget: the vector helpers must all inline
    private static void TanhTangentEpilogue(Span<T> z, Span<T> dz, T scale, ReadOnlySpan<T> residual, ReadOnlySpan<T> dresidual)
    {
        var vc = Vector<T>.Count;
        ref var zr = ref MemoryMarshal.GetReference(z);
        ref var dr = ref MemoryMarshal.GetReference(dz);
        var s = new Vector<T>(scale);
        var q = 0;
        if (residual.IsEmpty)
        {
            for (; q + vc <= z.Length; q += vc)
            {
                var t = VectorMath.Tanh(Vector.LoadUnsafe(ref zr, (nuint)q));
                var g = Vector.LoadUnsafe(ref dr, (nuint)q) * s;
                (t * s).StoreUnsafe(ref zr, (nuint)q);
                (g - g * t * t).StoreUnsafe(ref dr, (nuint)q);
            }
            for (; q < z.Length; q++)
            {
                var a = T.Tanh(z[q]);
                z[q] = scale * a;
                dz[q] = scale * (T.One - a * a) * dz[q];
            }
            return;
        }
        ref var rr = ref MemoryMarshal.GetReference(residual);
        ref var drr = ref MemoryMarshal.GetReference(dresidual);
        for (; q + vc <= z.Length; q += vc)
        {
            var t = VectorMath.Tanh(Vector.LoadUnsafe(ref zr, (nuint)q));
            var g = Vector.LoadUnsafe(ref dr, (nuint)q) * s;
            FeatureMajorGemm<T>.Fma(t, s, Vector.LoadUnsafe(ref rr, (nuint)q)).StoreUnsafe(ref zr, (nuint)q);
            (g - g * t * t + Vector.LoadUnsafe(ref drr, (nuint)q)).StoreUnsafe(ref dr, (nuint)q);
        }
        for (; q < z.Length; q++)
        {
            var a = T.Tanh(z[q]);
            z[q] = scale * a + residual[q];
            dz[q] = scale * (T.One - a * a) * dz[q] + dresidual[q];
        }
    }

    /// <summary>
    /// Backward pass: given ∂L/∂output [out×ld] in <paramref name="outputGrad"/> (overwritten), writes ∂L/∂input [in×ld]
    /// into <paramref name="inputGrad"/>, using what <see cref="Forward"/> saved.
    /// </summary>
    public void Backward(Span<T> outputGrad, Span<T> inputGrad, int ld, ReadOnlySpan<T> saved, Span<T> scratch)
    {
        if (scratch.Length < 3 * MaxWidth * ld) throw new InvalidOperationException("scratch too small");
        for (var v0 = 0; v0 < ld; v0 += ColumnBlock)
            BackwardColumns(outputGrad, inputGrad, ld, saved, scratch, v0, Math.Min(ld, v0 + ColumnBlock));
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // its own JIT inlining budget: the vector helpers must all inline
    private void BackwardColumns(Span<T> outputGrad, Span<T> inputGrad, int ld, ReadOnlySpan<T> saved, Span<T> scratch, int v0, int v1)
    {
        var bufA = scratch[..(MaxWidth * ld)];
        var bufB = scratch.Slice(MaxWidth * ld, MaxWidth * ld);
        var len = v1 - v0;
        var offset = _savedDerivatives * ld;
        Span<T> dy = outputGrad;
        var useA = true;
        for (var l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            var n = layer.Out * ld;
            var dx = l == 0 ? inputGrad[..(layer.In * ld)] : (useA ? bufA : bufB)[..(layer.In * ld)];
            useA = !useA;
            var dz = scratch.Slice(2 * MaxWidth * ld, n);
            ReadOnlySpan<T> a = default, pre = default;
            if (layer.Act.Kind == ActivationKind.Tanh)
            {
                offset -= n;
                a = saved.Slice(offset, n);
            }
            else if (layer.Act.Kind != ActivationKind.Linear)
            {
                offset -= 2 * n;
                a = saved.Slice(offset, n);
                pre = saved.Slice(offset + n, n);
            }
            for (var o = 0; o < layer.Out; o++)
            {
                var dzr = dz.Slice(o * ld + v0, len);
                if (layer.Act.Kind == ActivationKind.Tanh)
                {
                    TanhBackwardRow(dy.Slice(o * ld + v0, len), a.Slice(o * ld + v0, len), layer.Idt?[o] ?? T.One, dzr);
                    continue;
                }
                dy.Slice(o * ld + v0, len).CopyTo(dzr);
                if (layer.Idt is { } idt) TensorPrimitives.Multiply<T>(dzr, idt[o], dzr);
                if (layer.Act.Kind != ActivationKind.Linear)
                {
                    for (var q = 0; q < len; q++)
                    {
                        var k = o * ld + v0 + q;
                        dzr[q] *= T.CreateTruncating(layer.Act.Derivative(double.CreateTruncating(pre[k]), double.CreateTruncating(a[k])));
                    }
                }
            }
            FeatureMajorGemm<T>.MultiplyColumns(layer.Wt, ReadOnlySpan<T>.Empty, layer.Out, layer.In, dz, dx, ld, v0, v1);
            for (var o = 0; o < layer.Out; o++)
            {
                var src = layer.Residual switch { 1 => o, 2 => o % layer.In, _ => -1 };
                if (src < 0) continue;
                var dxr = dx.Slice(src * ld + v0, len);
                TensorPrimitives.Add<T>(dxr, dy.Slice(o * ld + v0, len), dxr);
            }
            dy = dx;
        }
    }

    /// <summary>a ← tanh(z); z ← scale·a + residual (residual may be empty). Spans have equal length.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own JIT inlining budget: the vector helpers must all inline
    private static void TanhEpilogue(Span<T> z, Span<T> a, T scale, ReadOnlySpan<T> residual)
    {
        var vc = Vector<T>.Count;
        ref var zr = ref MemoryMarshal.GetReference(z);
        ref var ar = ref MemoryMarshal.GetReference(a);
        var s = new Vector<T>(scale);
        var q = 0;
        if (residual.IsEmpty)
        {
            for (; q + vc <= z.Length; q += vc)
            {
                var t = VectorMath.Tanh(Vector.LoadUnsafe(ref zr, (nuint)q));
                t.StoreUnsafe(ref ar, (nuint)q);
                (t * s).StoreUnsafe(ref zr, (nuint)q);
            }
            for (; q < z.Length; q++) z[q] = scale * (a[q] = T.Tanh(z[q]));
            return;
        }
        ref var rr = ref MemoryMarshal.GetReference(residual);
        for (; q + vc <= z.Length; q += vc)
        {
            var t = VectorMath.Tanh(Vector.LoadUnsafe(ref zr, (nuint)q));
            t.StoreUnsafe(ref ar, (nuint)q);
            FeatureMajorGemm<T>.Fma(t, s, Vector.LoadUnsafe(ref rr, (nuint)q)).StoreUnsafe(ref zr, (nuint)q);
        }
        for (; q < z.Length; q++) z[q] = scale * (a[q] = T.Tanh(z[q])) + residual[q];
    }

    /// <summary>dz = dy · scale · (1 − a²): back through z ← scale·tanh(z), with tanh' written through its value a.</summary>
    private static void TanhBackwardRow(ReadOnlySpan<T> dy, ReadOnlySpan<T> a, T scale, Span<T> dz)
    {
        var vc = Vector<T>.Count;
        ref var yr = ref MemoryMarshal.GetReference(dy);
        ref var ar = ref MemoryMarshal.GetReference(a);
        ref var zr = ref MemoryMarshal.GetReference(dz);
        var s = new Vector<T>(scale);
        var q = 0;
        for (; q + vc <= dz.Length; q += vc)
        {
            var av = Vector.LoadUnsafe(ref ar, (nuint)q);
            var g = Vector.LoadUnsafe(ref yr, (nuint)q) * s;
            (g - g * av * av).StoreUnsafe(ref zr, (nuint)q);
        }
        for (; q < dz.Length; q++) dz[q] = dy[q] * scale * (T.One - a[q] * a[q]);
    }
}
