namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Numerics.Tensors;
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
        public required T[] W;       // [in][out]
        public required T[] Wt;      // [out][in]
        public required T[] Bias;    // [out] or empty
        public required T[]? Idt;    // [out]
        public required Activation Act;
        public required int Residual; // 0 none, 1 identity, 2 concat
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
                W = l.Weights.Select(T.CreateTruncating).ToArray(),
                Wt = wt,
                Bias = l.Bias?.Select(T.CreateTruncating).ToArray() ?? [],
                Idt = l.Timestep?.Select(T.CreateTruncating).ToArray(),
                Act = l.Activation,
                Residual = l.ResidualKind,
            };
        }).ToArray();
        InputSize = _layers[0].In;
        OutputSize = _layers[^1].Out;
        ActivationFloats = _layers.Sum(l => l.Out) + _layers.Sum(l => l.Act.Kind == ActivationKind.Tanh ? 0 : l.Out);
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    /// <summary>Per batch column, how many values the forward pass stores for the backward pass.</summary>
    public int ActivationFloats { get; }

    public int LayerCount => _layers.Length;

    /// <summary>Widest layer (input or output).</summary>
    public int MaxWidth => _layers.Max(l => Math.Max(l.In, l.Out));

    /// <summary>
    /// Forward pass over <paramref name="ld"/> columns: <paramref name="input"/> [in×ld] → <paramref name="output"/>
    /// [out×ld]. Stores what the backward pass needs in <paramref name="saved"/> (≥ ActivationFloats·ld);
    /// <paramref name="scratch"/> holds two layer outputs (≥ 2·MaxWidth·ld).
    /// </summary>
    public void Forward(ReadOnlySpan<T> input, Span<T> output, int ld, Span<T> saved, Span<T> scratch)
    {
        var bufA = scratch[..(MaxWidth * ld)];
        var bufB = scratch.Slice(MaxWidth * ld, MaxWidth * ld);
        ReadOnlySpan<T> x = input;
        var offset = 0;
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var n = layer.Out * ld;
            var z = l == _layers.Length - 1 ? output[..n] : (l % 2 == 0 ? bufA : bufB)[..n];
            FeatureMajorGemm<T>.Multiply(layer.W, layer.Bias, layer.In, layer.Out, x, z, ld);
            if (layer.Act.Kind != ActivationKind.Linear)
            {
                var a = saved.Slice(offset, n);
                offset += n;
                if (layer.Act.Kind == ActivationKind.Tanh)
                {
                    VectorMath.Tanh<T>(z, a);
                }
                else
                {
                    z.CopyTo(saved.Slice(offset, n)); // pre-activation, for the derivative
                    offset += n;
                    for (var q = 0; q < n; q++) a[q] = T.CreateTruncating(layer.Act.Value(double.CreateTruncating(z[q])));
                }
                a.CopyTo(z);
            }
            if (layer.Idt is { } idt)
                for (var o = 0; o < layer.Out; o++) TensorPrimitives.Multiply<T>(z.Slice(o * ld, ld), idt[o], z.Slice(o * ld, ld));
            switch (layer.Residual)
            {
                case 1:
                    TensorPrimitives.Add<T>(z, x[..n], z);
                    break;
                case 2:
                    var half = layer.In * ld;
                    TensorPrimitives.Add<T>(z[..half], x[..half], z[..half]);
                    TensorPrimitives.Add<T>(z.Slice(half, half), x[..half], z.Slice(half, half));
                    break;
            }
            x = z;
        }
    }

    /// <summary>
    /// Backward pass: given ∂L/∂output [out×ld] in <paramref name="outputGrad"/> (overwritten), writes ∂L/∂input [in×ld]
    /// into <paramref name="inputGrad"/>, using what <see cref="Forward"/> saved.
    /// </summary>
    public void Backward(Span<T> outputGrad, Span<T> inputGrad, int ld, ReadOnlySpan<T> saved, Span<T> scratch)
    {
        var bufA = scratch[..(MaxWidth * ld)];
        var bufB = scratch.Slice(MaxWidth * ld, MaxWidth * ld);
        var offset = _layers.Sum(l => l.Act.Kind == ActivationKind.Linear ? 0 : (l.Act.Kind == ActivationKind.Tanh ? 1 : 2) * l.Out) * ld;
        Span<T> dy = outputGrad;
        var useA = true;
        for (var l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            var n = layer.Out * ld;
            var dx = l == 0 ? inputGrad[..(layer.In * ld)] : (useA ? bufA : bufB)[..(layer.In * ld)];
            useA = !useA;
            var dz = scratch.Length >= 3 * MaxWidth * ld ? scratch.Slice(2 * MaxWidth * ld, n) : throw new InvalidOperationException("scratch too small");
            dy[..n].CopyTo(dz);
            if (layer.Idt is { } idt)
                for (var o = 0; o < layer.Out; o++) TensorPrimitives.Multiply<T>(dz.Slice(o * ld, ld), idt[o], dz.Slice(o * ld, ld));
            if (layer.Act.Kind == ActivationKind.Tanh)
            {
                offset -= n;
                var a = saved.Slice(offset, n);
                MultiplyByTanhDerivative(dz, a);
            }
            else if (layer.Act.Kind != ActivationKind.Linear)
            {
                offset -= 2 * n;
                var a = saved.Slice(offset, n);
                var z = saved.Slice(offset + n, n);
                for (var q = 0; q < n; q++)
                    dz[q] *= T.CreateTruncating(layer.Act.Derivative(double.CreateTruncating(z[q]), double.CreateTruncating(a[q])));
            }
            FeatureMajorGemm<T>.Multiply(layer.Wt, ReadOnlySpan<T>.Empty, layer.Out, layer.In, dz, dx, ld);
            switch (layer.Residual)
            {
                case 1:
                    TensorPrimitives.Add<T>(dx, dy[..n], dx);
                    break;
                case 2:
                    var half = layer.In * ld;
                    TensorPrimitives.Add<T>(dx, dy[..half], dx);
                    TensorPrimitives.Add<T>(dx, dy.Slice(half, half), dx);
                    break;
            }
            dy = dx;
        }
    }

    /// <summary>dz ← dz · (1 − a²), the derivative of tanh written through its value a.</summary>
    private static void MultiplyByTanhDerivative(Span<T> dz, ReadOnlySpan<T> a)
    {
        var vc = Vector<T>.Count;
        var q = 0;
        var one = Vector<T>.One;
        for (; q + vc <= dz.Length; q += vc)
        {
            var av = new Vector<T>(a[q..]);
            (new Vector<T>(dz[q..]) * (one - av * av)).CopyTo(dz[q..]);
        }
        for (; q < dz.Length; q++) dz[q] *= T.One - a[q] * a[q];
    }
}
