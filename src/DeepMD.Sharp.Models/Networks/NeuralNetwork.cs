namespace DeepMD.Sharp.Models.Networks;

/// <summary>
/// A stack of <see cref="DenseLayer"/>s (DeePMD-kit's EmbeddingNet or FittingNet), evaluated in double precision.
/// </summary>
public sealed class NeuralNetwork
{
    public NeuralNetwork(IReadOnlyList<DenseLayer> layers)
    {
        if (layers.Count == 0) throw new ArgumentException("a network needs at least one layer");
        for (var k = 1; k < layers.Count; k++)
            if (layers[k].InputSize != layers[k - 1].OutputSize)
                throw new ArgumentException($"layer {k} takes {layers[k].InputSize} inputs but layer {k - 1} gives {layers[k - 1].OutputSize}");
        Layers = layers.ToArray();
    }

    public IReadOnlyList<DenseLayer> Layers { get; }

    public int InputSize => Layers[0].InputSize;

    public int OutputSize => Layers[^1].OutputSize;

    /// <summary>Width of the widest layer (for scratch buffers).</summary>
    public int MaxWidth => Math.Max(InputSize, Layers.Max(l => l.OutputSize));

    public int ParameterCount => Layers.Sum(l => l.ParameterCount);

    /// <summary>
    /// Evaluates a network with one scalar input and returns the output G(s) and its derivative dG/ds
    /// (forward-mode differentiation; this is how embedding nets are used).
    /// </summary>
    public void EvaluateScalar(double s, Span<double> value, Span<double> derivative)
    {
        if (InputSize != 1) throw new InvalidOperationException("EvaluateScalar needs a network with one input");
        var width = MaxWidth;
        Span<double> x = stackalloc double[width];
        Span<double> dx = stackalloc double[width];
        x[0] = s;
        dx[0] = 1;
        ForwardMode(x, dx, stackalloc double[width], stackalloc double[width], value, derivative);
    }

    /// <summary>
    /// Evaluates the network on <paramref name="input"/> and, by forward-mode differentiation, the derivative of every
    /// output with respect to input <paramref name="direction"/> (the other inputs held fixed): how the attention
    /// descriptors differentiate their embedding net, whose inputs are s and constant type embeddings.
    /// </summary>
    public void EvaluateDirectional(ReadOnlySpan<double> input, int direction, Span<double> value, Span<double> derivative)
    {
        if ((uint)direction >= (uint)InputSize) throw new ArgumentOutOfRangeException(nameof(direction));
        var width = MaxWidth;
        var x = new double[width];
        var dx = new double[width];
        input.CopyTo(x);
        dx[direction] = 1;
        ForwardMode(x, dx, new double[width], new double[width], value, derivative);
    }

    /// <summary>
    /// Forward-mode pass: <paramref name="x"/> holds the input and <paramref name="dx"/> its tangent (both
    /// <see cref="MaxWidth"/> long, as are the scratch <paramref name="y"/> and <paramref name="dy"/>); writes the output
    /// and its tangent.
    /// </summary>
    private void ForwardMode(Span<double> x, Span<double> dx, Span<double> y, Span<double> dy, Span<double> value, Span<double> derivative)
    {
        var n = InputSize;
        foreach (var layer in Layers)
        {
            var m = layer.OutputSize;
            for (var o = 0; o < m; o++)
            {
                double z = layer.Bias?[o] ?? 0, dz = 0;
                for (var k = 0; k < n; k++)
                {
                    var w = layer.Weights[k * m + o];
                    z += x[k] * w;
                    dz += dx[k] * w;
                }
                var a = layer.Activation.Value(z);
                var da = layer.Activation.Derivative(z, a) * dz;
                if (layer.Timestep is { } idt)
                {
                    a *= idt[o];
                    da *= idt[o];
                }
                y[o] = a;
                dy[o] = da;
            }
            switch (layer.ResidualKind)
            {
                case 1:
                    for (var o = 0; o < m; o++) { y[o] += x[o]; dy[o] += dx[o]; }
                    break;
                case 2:
                    for (var o = 0; o < m; o++) { y[o] += x[o % n]; dy[o] += dx[o % n]; }
                    break;
            }
            y[..m].CopyTo(x);
            dy[..m].CopyTo(dx);
            n = m;
        }
        x[..n].CopyTo(value);
        dx[..n].CopyTo(derivative);
    }

    /// <summary>
    /// For a one-input network: output G(s), dG/ds and d²G/ds² (forward-mode, used to tabulate embedding nets).
    /// </summary>
    public void EvaluateScalarWithCurvature(double s, Span<double> value, Span<double> first, Span<double> second)
    {
        if (InputSize != 1) throw new InvalidOperationException("EvaluateScalarWithCurvature needs a network with one input");
        var width = MaxWidth;
        var x = new double[width];
        var dx = new double[width];
        var ddx = new double[width];
        var y = new double[width];
        var dy = new double[width];
        var ddy = new double[width];
        x[0] = s;
        dx[0] = 1;
        var n = 1;
        foreach (var layer in Layers)
        {
            var m = layer.OutputSize;
            for (var o = 0; o < m; o++)
            {
                double z = layer.Bias?[o] ?? 0, dz = 0, ddz = 0;
                for (var k = 0; k < n; k++)
                {
                    var w = layer.Weights[k * m + o];
                    z += x[k] * w;
                    dz += dx[k] * w;
                    ddz += ddx[k] * w;
                }
                var a = layer.Activation.Value(z);
                var d1 = layer.Activation.Derivative(z, a);
                var d2 = layer.Activation.SecondDerivative(z, a);
                var da = d1 * dz;
                var dda = d2 * dz * dz + d1 * ddz;
                var scale = layer.Timestep?[o] ?? 1;
                y[o] = a * scale;
                dy[o] = da * scale;
                ddy[o] = dda * scale;
            }
            for (var o = 0; o < m; o++)
            {
                var src = layer.ResidualKind switch { 1 => o, 2 => o % n, _ => -1 };
                if (src < 0) continue;
                y[o] += x[src];
                dy[o] += dx[src];
                ddy[o] += ddx[src];
            }
            (x, y) = (y, x);
            (dx, dy) = (dy, dx);
            (ddx, ddy) = (ddy, ddx);
            n = m;
        }
        x.AsSpan(0, n).CopyTo(value);
        dx.AsSpan(0, n).CopyTo(first);
        ddx.AsSpan(0, n).CopyTo(second);
    }

    /// <summary>
    /// Evaluates the network on <paramref name="input"/> and returns the output; if <paramref name="outputGradient"/>
    /// is given, also back-propagates it and writes d(output·outputGradient)/d(input) into <paramref name="inputGradient"/>.
    /// </summary>
    public void Evaluate(ReadOnlySpan<double> input, Span<double> output, ReadOnlySpan<double> outputGradient = default, Span<double> inputGradient = default)
    {
        // Keep every layer's input and pre-activation for the backward pass.
        var acts = new double[Layers.Count + 1][];
        var pre = new double[Layers.Count][];
        var post = new double[Layers.Count][];
        acts[0] = input.ToArray();
        for (var l = 0; l < Layers.Count; l++)
        {
            var layer = Layers[l];
            var x = acts[l];
            int n = layer.InputSize, m = layer.OutputSize;
            var z = new double[m];
            var a = new double[m];
            var y = new double[m];
            for (var o = 0; o < m; o++) z[o] = layer.Bias?[o] ?? 0;
            for (var k = 0; k < n; k++)
            {
                var xk = x[k];
                var row = k * m;
                for (var o = 0; o < m; o++) z[o] += xk * layer.Weights[row + o];
            }
            for (var o = 0; o < m; o++)
            {
                a[o] = layer.Activation.Value(z[o]);
                y[o] = layer.Timestep is { } idt ? a[o] * idt[o] : a[o];
            }
            switch (layer.ResidualKind)
            {
                case 1: for (var o = 0; o < m; o++) y[o] += x[o]; break;
                case 2: for (var o = 0; o < m; o++) y[o] += x[o % n]; break;
            }
            pre[l] = z;
            post[l] = a;
            acts[l + 1] = y;
        }
        acts[^1].CopyTo(output);
        if (outputGradient.IsEmpty) return;

        var g = outputGradient.ToArray();
        for (var l = Layers.Count - 1; l >= 0; l--)
        {
            var layer = Layers[l];
            int n = layer.InputSize, m = layer.OutputSize;
            var dz = new double[m];
            for (var o = 0; o < m; o++)
            {
                var d = layer.Timestep is { } idt ? g[o] * idt[o] : g[o];
                dz[o] = d * layer.Activation.Derivative(pre[l][o], post[l][o]);
            }
            var gin = new double[n];
            for (var k = 0; k < n; k++)
            {
                double s = 0;
                var row = k * m;
                for (var o = 0; o < m; o++) s += dz[o] * layer.Weights[row + o];
                gin[k] = s;
            }
            switch (layer.ResidualKind)
            {
                case 1: for (var o = 0; o < m; o++) gin[o] += g[o]; break;
                case 2: for (var o = 0; o < m; o++) gin[o % n] += g[o]; break;
            }
            g = gin;
        }
        g.CopyTo(inputGradient);
    }
}
