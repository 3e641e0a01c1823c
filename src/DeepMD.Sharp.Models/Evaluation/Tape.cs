namespace DeepMD.Sharp.Models.Evaluation;

using DeepMD.Sharp.Models.Networks;

/// <summary>
/// A small reverse-mode automatic differentiation over flat float64 arrays, for the reference code of the message-passing
/// descriptors (DPA-2), whose hand-written backward pass would be long and easy to get wrong. Each operation computes
/// its value at once and records how to send its gradient back to its inputs; <see cref="Backward"/> runs those in
/// reverse order. Shapes are the caller's business: every operation takes the dimensions it works on explicitly and
/// arrays are row-major. Readability over speed: this is the oracle, not a backend.
/// </summary>
internal sealed class Tape
{
    private readonly List<Action> _backward = [];
    private readonly List<Var> _withGradient = [];

    /// <summary>One array on the tape: its value and, after <see cref="Backward"/>, the gradient of the seeded output.</summary>
    public sealed class Var
    {
        public Var(double[] value, bool constant)
        {
            V = value;
            G = constant ? null : new double[value.Length];
        }

        /// <summary>The value.</summary>
        public double[] V { get; }

        /// <summary>The gradient (null for a constant: nothing flows into it).</summary>
        public double[]? G { get; }

        public int Length => V.Length;
    }

    public ParallelOptions Parallel { get; init; } = new();

    /// <summary>A constant (no gradient).</summary>
    public static Var Const(double[] value) => new(value, constant: true);

    /// <summary>An input whose gradient is wanted.</summary>
    public Var Input(double[] value)
    {
        var v = new Var(value, constant: false);
        _withGradient.Add(v);
        return v;
    }

    /// <summary>Clears every gradient, for another <see cref="Backward"/> with a different seed.</summary>
    public void ZeroGradients()
    {
        foreach (var v in _withGradient) Array.Clear(v.G!);
    }

    private Var Result(double[] value, Action<Var> back, params Var[] inputs)
    {
        var needs = inputs.Any(v => v.G is not null);
        var r = new Var(value, constant: !needs);
        if (needs)
        {
            _backward.Add(() => back(r));
            _withGradient.Add(r);
        }
        return r;
    }

    /// <summary>Seeds ∂L/∂output and runs every recorded operation backwards.</summary>
    public void Backward(Var output, ReadOnlySpan<double> seed)
    {
        if (output.G is null) return;
        for (var k = 0; k < seed.Length; k++) output.G[k] += seed[k];
        for (var k = _backward.Count - 1; k >= 0; k--) _backward[k]();
    }

    /// <summary>A network applied to each of <paramref name="rows"/> rows of <paramref name="x"/> ([rows, in] → [rows, out]).</summary>
    public Var Net(Var x, int rows, NeuralNetwork net)
    {
        int nin = net.InputSize, nout = net.OutputSize;
        if (x.Length != rows * nin) throw new ArgumentException($"net input has {x.Length} values, expected {rows}×{nin}");
        var y = new double[rows * nout];
        System.Threading.Tasks.Parallel.For(0, rows, Parallel, r =>
            net.Evaluate(x.V.AsSpan(r * nin, nin), y.AsSpan(r * nout, nout)));
        return Result(y, res =>
        {
            if (x.G is null) return;
            System.Threading.Tasks.Parallel.For(0, rows, Parallel, () => (new double[nout], new double[nin]), (r, _, buf) =>
            {
                var (o, gi) = buf;
                net.Evaluate(x.V.AsSpan(r * nin, nin), o, res.G.AsSpan(r * nout, nout), gi);
                var gx = x.G.AsSpan(r * nin, nin);
                for (var k = 0; k < nin; k++) gx[k] += gi[k];
                return buf;
            }, _ => { });
        }, x);
    }

    /// <summary>An activation function elementwise.</summary>
    public Var Act(Var x, Activation act)
    {
        var y = new double[x.Length];
        for (var k = 0; k < y.Length; k++) y[k] = act.Value(x.V[k]);
        return Result(y, r =>
        {
            for (var k = 0; k < y.Length; k++) x.G![k] += r.G![k] * act.Derivative(x.V[k], y[k]);
        }, x);
    }

    public Var Add(Var a, Var b)
    {
        Same(a, b);
        var y = new double[a.Length];
        for (var k = 0; k < y.Length; k++) y[k] = a.V[k] + b.V[k];
        return Result(y, r =>
        {
            if (a.G is not null) for (var k = 0; k < y.Length; k++) a.G[k] += r.G![k];
            if (b.G is not null) for (var k = 0; k < y.Length; k++) b.G[k] += r.G![k];
        }, a, b);
    }

    /// <summary>c·x + s.</summary>
    public Var Affine(Var x, double c, double s = 0)
    {
        var y = new double[x.Length];
        for (var k = 0; k < y.Length; k++) y[k] = c * x.V[k] + s;
        return Result(y, r =>
        {
            for (var k = 0; k < y.Length; k++) x.G![k] += c * r.G![k];
        }, x);
    }

    /// <summary>x [n, d] times the constant vector v [d] on every row.</summary>
    public Var MulRow(Var x, double[] v)
    {
        var d = v.Length;
        var y = new double[x.Length];
        for (var k = 0; k < y.Length; k++) y[k] = x.V[k] * v[k % d];
        return Result(y, r =>
        {
            for (var k = 0; k < y.Length; k++) x.G![k] += r.G![k] * v[k % d];
        }, x);
    }

    /// <summary>Elementwise a · b with b broadcast: a is [A, B, C], b is [A, B or 1, C or 1].</summary>
    public Var Mul(Var a, Var b, int A, int B, int C, bool bHasB = true, bool bHasC = true)
    {
        if (a.Length != A * B * C) throw new ArgumentException("Mul: a has the wrong size");
        int bb = bHasB ? B : 1, bc = bHasC ? C : 1;
        if (b.Length != A * bb * bc) throw new ArgumentException("Mul: b has the wrong size");
        int Bi(int i, int j, int k) => (i * bb + (bHasB ? j : 0)) * bc + (bHasC ? k : 0);
        var y = new double[a.Length];
        for (var i = 0; i < A; i++)
            for (var j = 0; j < B; j++)
                for (var k = 0; k < C; k++)
                {
                    var q = (i * B + j) * C + k;
                    y[q] = a.V[q] * b.V[Bi(i, j, k)];
                }
        return Result(y, r =>
        {
            for (var i = 0; i < A; i++)
                for (var j = 0; j < B; j++)
                    for (var k = 0; k < C; k++)
                    {
                        var q = (i * B + j) * C + k;
                        var p = Bi(i, j, k);
                        if (a.G is not null) a.G[q] += r.G![q] * b.V[p];
                        if (b.G is not null) b.G[p] += r.G![q] * a.V[q];
                    }
        }, a, b);
    }

    /// <summary>Elementwise product of two arrays of the same shape.</summary>
    public Var Mul(Var a, Var b)
    {
        Same(a, b);
        return Mul(a, b, 1, 1, a.Length);
    }

    /// <summary>Rows of x ([m, d]) picked by <paramref name="index"/> ([k, d]); a negative index gives a zero row.</summary>
    public Var Gather(Var x, int d, int[] index)
    {
        var y = new double[index.Length * d];
        for (var r = 0; r < index.Length; r++)
            if (index[r] >= 0) Array.Copy(x.V, index[r] * d, y, r * d, d);
        return Result(y, res =>
        {
            for (var r = 0; r < index.Length; r++)
                if (index[r] >= 0)
                    for (var k = 0; k < d; k++) x.G![index[r] * d + k] += res.G![r * d + k];
        }, x);
    }

    /// <summary>Blocks side by side: each part is [n, d_part]; the result is [n, Σ d_part].</summary>
    public Var Concat(int n, params (Var X, int D)[] parts)
    {
        var width = parts.Sum(p => p.D);
        var y = new double[n * width];
        var off = 0;
        foreach (var (x, d) in parts)
        {
            if (x.Length != n * d) throw new ArgumentException("Concat: a part has the wrong size");
            for (var r = 0; r < n; r++) Array.Copy(x.V, r * d, y, r * width + off, d);
            off += d;
        }
        return Result(y, res =>
        {
            var o = 0;
            foreach (var (x, d) in parts)
            {
                if (x.G is not null)
                    for (var r = 0; r < n; r++)
                        for (var k = 0; k < d; k++) x.G[r * d + k] += res.G![r * width + o + k];
                o += d;
            }
        }, parts.Select(p => p.X).ToArray());
    }

    /// <summary>x viewed as [outer, mid, inner]: the mid indices start..start+len−1, giving [outer, len, inner].</summary>
    public Var Slice(Var x, int outer, int mid, int inner, int start, int len)
    {
        if (x.Length != outer * mid * inner) throw new ArgumentException("Slice: wrong size");
        var y = new double[outer * len * inner];
        for (var o = 0; o < outer; o++)
            Array.Copy(x.V, (o * mid + start) * inner, y, o * len * inner, len * inner);
        return Result(y, r =>
        {
            for (var o = 0; o < outer; o++)
                for (var k = 0; k < len * inner; k++) x.G![(o * mid + start) * inner + k] += r.G![o * len * inner + k];
        }, x);
    }

    /// <summary>Sum over the middle axis: [A, B, C] → [A, C].</summary>
    public Var SumMid(Var x, int A, int B, int C)
    {
        var y = new double[A * C];
        for (var i = 0; i < A; i++)
            for (var j = 0; j < B; j++)
                for (var k = 0; k < C; k++) y[i * C + k] += x.V[(i * B + j) * C + k];
        return Result(y, r =>
        {
            for (var i = 0; i < A; i++)
                for (var j = 0; j < B; j++)
                    for (var k = 0; k < C; k++) x.G![(i * B + j) * C + k] += r.G![i * C + k];
        }, x);
    }

    /// <summary>
    /// Batched matrix product: for each of <paramref name="batch"/> batches, op(a) [m, k] · op(b) [k, n] → [m, n], where
    /// op(a) = aᵀ when a is stored [k, m] (<paramref name="ta"/>) and op(b) = bᵀ when b is stored [n, k] (<paramref name="tb"/>).
    /// </summary>
    public Var MatMul(Var a, Var b, int batch, int m, int k, int n, bool ta = false, bool tb = false)
    {
        if (a.Length != batch * m * k || b.Length != batch * k * n) throw new ArgumentException("MatMul: wrong sizes");
        int A(int i, int p) => ta ? p * m + i : i * k + p;
        int B(int p, int j) => tb ? j * k + p : p * n + j;
        var y = new double[batch * m * n];
        for (var s = 0; s < batch; s++)
        {
            int ao = s * m * k, bo = s * k * n, yo = s * m * n;
            for (var i = 0; i < m; i++)
                for (var j = 0; j < n; j++)
                {
                    double sum = 0;
                    for (var p = 0; p < k; p++) sum += a.V[ao + A(i, p)] * b.V[bo + B(p, j)];
                    y[yo + i * n + j] = sum;
                }
        }
        return Result(y, r =>
        {
            for (var s = 0; s < batch; s++)
            {
                int ao = s * m * k, bo = s * k * n, yo = s * m * n;
                for (var i = 0; i < m; i++)
                    for (var j = 0; j < n; j++)
                    {
                        var g = r.G![yo + i * n + j];
                        if (g == 0) continue;
                        for (var p = 0; p < k; p++)
                        {
                            if (a.G is not null) a.G[ao + A(i, p)] += g * b.V[bo + B(p, j)];
                            if (b.G is not null) b.G[bo + B(p, j)] += g * a.V[ao + A(i, p)];
                        }
                    }
            }
        }, a, b);
    }

    /// <summary>Axes permuted: x has <paramref name="shape"/>; result axis q is input axis perm[q].</summary>
    public Var Permute(Var x, int[] shape, int[] perm)
    {
        var rank = shape.Length;
        var outShape = perm.Select(p => shape[p]).ToArray();
        var inStride = new int[rank];
        inStride[rank - 1] = 1;
        for (var q = rank - 2; q >= 0; q--) inStride[q] = inStride[q + 1] * shape[q + 1];
        var map = new int[x.Length]; // output flat index → input flat index
        var idx = new int[rank];
        for (var o = 0; o < map.Length; o++)
        {
            var src = 0;
            for (var q = 0; q < rank; q++) src += idx[q] * inStride[perm[q]];
            map[o] = src;
            for (var q = rank - 1; q >= 0; q--)
            {
                if (++idx[q] < outShape[q]) break;
                idx[q] = 0;
            }
        }
        var y = new double[x.Length];
        for (var o = 0; o < y.Length; o++) y[o] = x.V[map[o]];
        return Result(y, r =>
        {
            for (var o = 0; o < y.Length; o++) x.G![map[o]] += r.G![o];
        }, x);
    }

    /// <summary>
    /// Softmax over the last axis of [rows, n]. Entries where <paramref name="minusInfinity"/> is set count as −∞
    /// (a row with all of them gives zeros, where NumPy would give NaN that DeePMD-kit then masks to zero).
    /// </summary>
    public Var Softmax(Var x, int rows, int n, bool[]? minusInfinity = null)
    {
        var y = new double[rows * n];
        for (var r = 0; r < rows; r++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < n; j++)
                if (minusInfinity is null || !minusInfinity[r * n + j]) max = Math.Max(max, x.V[r * n + j]);
            if (double.IsNegativeInfinity(max)) continue;
            double sum = 0;
            for (var j = 0; j < n; j++)
            {
                var e = minusInfinity is not null && minusInfinity[r * n + j] ? 0 : Math.Exp(x.V[r * n + j] - max);
                y[r * n + j] = e;
                sum += e;
            }
            for (var j = 0; j < n; j++) y[r * n + j] /= sum;
        }
        return Result(y, res =>
        {
            for (var r = 0; r < rows; r++)
            {
                double dot = 0;
                for (var j = 0; j < n; j++) dot += res.G![r * n + j] * y[r * n + j];
                for (var j = 0; j < n; j++) x.G![r * n + j] += y[r * n + j] * (res.G![r * n + j] - dot);
            }
        }, x);
    }

    /// <summary>Layer normalisation of each of <paramref name="rows"/> rows.</summary>
    public Var LayerNormRows(Var x, int rows, LayerNorm ln)
    {
        var d = ln.Size;
        var y = new double[rows * d];
        var xhat = new double[rows * d];
        var inv = new double[rows];
        for (var r = 0; r < rows; r++)
            inv[r] = ln.Forward(x.V.AsSpan(r * d, d), y.AsSpan(r * d, d), xhat.AsSpan(r * d, d));
        return Result(y, res =>
        {
            for (var r = 0; r < rows; r++)
                ln.Backward(res.G.AsSpan(r * d, d), xhat.AsSpan(r * d, d), inv[r], x.G.AsSpan(r * d, d));
        }, x);
    }

    /// <summary>The Euclidean norm of each 3-vector row of [rows, 3], with a zero gradient at the zero vector.</summary>
    public Var Norm3(Var x, int rows)
    {
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
            y[r] = Math.Sqrt(x.V[3 * r] * x.V[3 * r] + x.V[3 * r + 1] * x.V[3 * r + 1] + x.V[3 * r + 2] * x.V[3 * r + 2]);
        return Result(y, res =>
        {
            for (var r = 0; r < rows; r++)
                if (y[r] > 0)
                    for (var c = 0; c < 3; c++) x.G![3 * r + c] += res.G![r] * x.V[3 * r + c] / y[r];
        }, x);
    }

    /// <summary>
    /// A custom operation: <paramref name="value"/> computed by the caller from <paramref name="inputs"/>, and
    /// <paramref name="back"/>(∂L/∂value) adding into the inputs' gradients.
    /// </summary>
    public Var Custom(double[] value, Action<double[]> back, params Var[] inputs) =>
        Result(value, r => back(r.G!), inputs);

    private static void Same(Var a, Var b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"operands differ in size ({a.Length} and {b.Length})");
    }
}
