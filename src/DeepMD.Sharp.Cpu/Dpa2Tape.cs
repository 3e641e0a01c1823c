namespace DeepMD.Sharp.Cpu;

using System.Collections.Concurrent;
using System.Numerics;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Models.Networks;

/// <summary>
/// The DPA-2 CPU backend's whole-frame forward and reverse passes (<see cref="CpuDpa2Evaluator{T}"/>): each operation
/// of the descriptor over flat row-major arrays in precision <typeparamref name="T"/>, computing its value at once and
/// recording its hand-written reverse step, replayed backwards by <see cref="Backward"/>. Networks run as SIMD GEMMs
/// (<see cref="StridedGemm{T}"/>) over chunks of rows; every operation runs in parallel over fixed chunks (rows, batches)
/// where each output and each gradient element is written by one chunk, and scatter-adds go through an inverse index in
/// ascending order, so the results do not depend on the thread count.
/// </summary>
internal sealed class Dpa2Tape<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Action> _backward = [];
    private readonly List<Var> _withGradient = [];
    private readonly ParallelOptions _po;

    /// <param name="po">The parallelism of every operation.</param>
    /// <param name="buffers">Arrays of the previous evaluation, reused where the operation at the same place on the tape
    /// asks for the same size (an evaluation's arrays are 10⁸ bytes for a few hundred atoms: fresh ones cost page faults
    /// and zeroing every step); null: fresh arrays.</param>
    public Dpa2Tape(ParallelOptions po, Buffers? buffers = null)
    {
        _po = po;
        _buffers = buffers;
    }

    /// <summary>The arrays of one evaluation in the order the tape asked for them, kept for the next (same model, same frame size).</summary>
    internal sealed class Buffers
    {
        public readonly List<T[]> Arrays = [];
    }

    private readonly Buffers? _buffers;
    private int _cursor;

    /// <summary>An array of <paramref name="n"/> elements, the next of the kept ones when it has that size; zeroed when <paramref name="clear"/>.</summary>
    internal T[] Alloc(int n, bool clear = false)
    {
        if (_buffers is null) return clear ? new T[n] : GC.AllocateUninitializedArray<T>(n);
        var list = _buffers.Arrays;
        if (_cursor < list.Count && list[_cursor].Length == n)
        {
            var a = list[_cursor++];
            if (clear) Array.Clear(a);
            return a;
        }
        var fresh = clear ? new T[n] : GC.AllocateUninitializedArray<T>(n);
        if (_cursor < list.Count) list[_cursor] = fresh;
        else list.Add(fresh);
        _cursor++;
        return fresh;
    }

    /// <summary>One array on the tape and, after <see cref="Backward"/>, its gradient (null for a constant).</summary>
    public sealed class Var
    {
        public Var(T[] value, bool constant) : this(value, constant ? null : new T[value.Length])
        {
        }

        public Var(T[] value, T[]? gradient)
        {
            V = value;
            G = gradient;
        }

        public T[] V { get; }
        public T[]? G { get; }
        public int Length => V.Length;
    }

    public static Var Const(T[] value) => new(value, constant: true);

    public static Var Const(double[] value)
    {
        var v = new T[value.Length];
        for (var k = 0; k < v.Length; k++) v[k] = T.CreateTruncating(value[k]);
        return new Var(v, constant: true);
    }

    /// <summary>A constant from the kept arrays.</summary>
    public Var Constant(double[] value)
    {
        var v = Alloc(value.Length);
        Chunks(v.Length, Elementwise, (a, b) =>
        {
            for (var k = a; k < b; k++) v[k] = T.CreateTruncating(value[k]);
        });
        return new Var(v, constant: true);
    }

    public Var Constant(T[] value) => new(value, constant: true);

    /// <summary>Clears every gradient, for another <see cref="Backward"/> with a different seed.</summary>
    public void ZeroGradients()
    {
        foreach (var v in _withGradient) Array.Clear(v.G!);
    }

    private Var Result(T[] value, Action<Var> back, Var[] inputs, [System.Runtime.CompilerServices.CallerMemberName] string op = "")
    {
        var needs = inputs.Any(v => v.G is not null);
        var r = new Var(value, needs ? Alloc(value.Length, clear: true) : null);
        if (Timing) Record(op + " fwd");
        if (needs)
        {
            if (Timing)
                _backward.Add(() =>
                {
                    var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    back(r);
                    lock (Times) Times[op + " bwd"] = Times.GetValueOrDefault(op + " bwd") + System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
                });
            else _backward.Add(() => back(r));
            _withGradient.Add(r);
        }
        return r;
    }

    /// <summary>Development timing (DPSHARP_DPA2_PROFILE=1): wall seconds per operation, forward and reverse.</summary>
    internal static readonly bool Timing = Environment.GetEnvironmentVariable("DPSHARP_DPA2_PROFILE") == "1";

    internal static readonly Dictionary<string, double> Times = [];
    private long _mark = System.Diagnostics.Stopwatch.GetTimestamp();

    private void Record(string key)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (Times) Times[key] = Times.GetValueOrDefault(key) + System.Diagnostics.Stopwatch.GetElapsedTime(_mark, now).TotalSeconds;
        _mark = now;
    }

    /// <summary>Prints and clears <see cref="Times"/> (stderr).</summary>
    internal static void PrintTimes()
    {
        lock (Times)
        {
            foreach (var (k, v) in Times.OrderByDescending(p => p.Value)) Console.Error.WriteLine($"  {k,-20} {v:F3} s");
            Times.Clear();
        }
    }

    /// <summary>A leaf whose gradient is sent elsewhere by <paramref name="back"/> (the geometry, in double).</summary>
    public Var Leaf(T[] value, Action<T[]> back)
    {
        var r = new Var(value, Alloc(value.Length, clear: true));
        _backward.Add(() => back(r.G!));
        _withGradient.Add(r);
        return r;
    }

    public void Backward(Var output, ReadOnlySpan<T> seed)
    {
        if (output.G is null) return;
        for (var k = 0; k < seed.Length; k++) output.G[k] += seed[k];
        for (var k = _backward.Count - 1; k >= 0; k--) _backward[k]();
    }

    // ------------------------------------------------------------ parallel helpers

    /// <summary>body(start, end) over [0, n) in fixed chunks of <paramref name="chunk"/>.</summary>
    private void Chunks(int n, int chunk, Action<int, int> body)
    {
        var count = (n + chunk - 1) / chunk;
        if (count <= 1)
        {
            if (n > 0) body(0, n);
            return;
        }
        Parallel.For(0, count, _po, c => body(c * chunk, Math.Min(n, (c + 1) * chunk)));
    }

    private const int Elementwise = 8192;

    // ------------------------------------------------------------ networks

    /// <summary>A network's layers packed for row-major products: W [in][P(out)], Wᵀ [out][P(in)], bias, idt.</summary>
    internal sealed class RowNet
    {
        public readonly Layer[] Layers;
        public readonly int In, Out;

        public RowNet(NeuralNetwork net)
        {
            Layers = net.Layers.Select(l => new Layer(l)).ToArray();
            In = net.InputSize;
            Out = net.OutputSize;
        }

        internal sealed class Layer
        {
            public readonly int In, Out, InP, OutP, Residual;
            public readonly T[] W, WT, B;
            public readonly T[]? Idt;
            public readonly Activation Act;

            public Layer(DenseLayer l)
            {
                (In, Out) = (l.InputSize, l.OutputSize);
                (InP, OutP) = (Dpa3Kernels<T>.P(In), Dpa3Kernels<T>.P(Out));
                W = new T[In * OutP];
                WT = new T[Out * InP];
                for (var a = 0; a < In; a++)
                    for (var o = 0; o < Out; o++)
                    {
                        var v = T.CreateTruncating(l.Weights[a * Out + o]);
                        W[a * OutP + o] = v;
                        WT[o * InP + a] = v;
                    }
                B = new T[OutP];
                if (l.Bias is { } b)
                    for (var o = 0; o < Out; o++) B[o] = T.CreateTruncating(b[o]);
                if (l.Timestep is { } idt)
                {
                    Idt = new T[OutP];
                    for (var o = 0; o < Out; o++) Idt[o] = T.CreateTruncating(idt[o]);
                }
                Act = l.Activation;
                Residual = l.ResidualKind;
            }
        }
    }

    private sealed class NetScratch
    {
        public T[] G = [], Dz = [], Gin = [], Y0 = [], Y1 = [];
    }

    private readonly ConcurrentBag<NetScratch> _netScratch = new();

    private const int NetChunk = 32;

    /// <summary>A network on each of <paramref name="rows"/> rows of x ([rows, in] → [rows, out]).</summary>
    /// <remarks>
    /// With <paramref name="pair"/> and <paramref name="table"/> (type-embedding inputs): x is one column [rows] and the
    /// first layer's other inputs depend only on a type pair, so its pre-activation is x·W[0, :] + table[pair[r]], the
    /// table holding the type inputs' product with the rest of W plus the bias (an embedding over type pairs instead of
    /// the concatenated inputs: 1 column of the product instead of 1 + 2·tebd_dim).
    /// </remarks>
    public Var Net(Var x, int rows, RowNet net, int[]? pair = null, T[]? table = null)
    {
        int nin = pair is null ? net.In : 1, nout = net.Out, L = net.Layers.Length;
        if (x.Length != rows * nin) throw new ArgumentException($"net input has {x.Length} values, expected {rows}×{nin}");
        // Kept for the reverse pass: each layer's pre-activation (the layer outputs live only in the chunk's scratch).
        var z = new T[L][];
        for (var l = 0; l < L; l++) z[l] = Alloc(rows * net.Layers[l].OutP);
        var y = Alloc(rows * nout);
        Chunks(rows, NetChunk, (r0, r1) =>
        {
            var m = r1 - r0;
            var s = _netScratch.TryTake(out var sc) ? sc : new NetScratch();
            Span<T> prev = default;
            for (var l = 0; l < L; l++)
            {
                var ly = net.Layers[l];
                var zl = z[l].AsSpan(r0 * ly.OutP, m * ly.OutP);
                var yl = l % 2 == 0 ? Get(ref s.Y0, m * ly.OutP) : Get(ref s.Y1, m * ly.OutP);
                ReadOnlySpan<T> input = l == 0 ? x.V.AsSpan(r0 * nin) : prev;
                var ld = l == 0 ? nin : net.Layers[l - 1].OutP;
                var typed = l == 0 && pair is not null;
                if (typed)
                    for (var r = 0; r < m; r++)
                        ScaleAdd(zl.Slice(r * ly.OutP, ly.OutP), x.V[r0 + r], ly.W.AsSpan(0, ly.OutP), table.AsSpan(pair![r0 + r] * ly.OutP, ly.OutP));
                else if (ly.In == 0) zl.Clear();
                else StridedGemm<T>.Multiply(input, 1, ld, ly.W, ly.OutP, zl, ly.OutP, m, ly.OutP, ly.In, accumulate: false);
                if (!typed)
                    for (var r = 0; r < m; r++) Dpa3Kernels<T>.Add(zl.Slice(r * ly.OutP, ly.OutP), ly.B);
                Dpa3Kernels<T>.Act(ly.Act, zl, yl); // the whole chunk at once
                for (var r = 0; r < m; r++)
                {
                    var yr = yl.Slice(r * ly.OutP, ly.OutP);
                    if (ly.Idt is { } idt) Dpa3Kernels<T>.Mul(yr, yr, idt);
                    var xr = input.Slice(r * ld);
                    if (ly.Residual == 1) for (var o = 0; o < ly.Out; o++) yr[o] += xr[o];
                    else if (ly.Residual == 2) for (var o = 0; o < ly.Out; o++) yr[o] += xr[o % ly.In];
                    for (var o = ly.Out; o < ly.OutP; o++) yr[o] = T.Zero;
                }
                prev = yl;
            }
            var last = net.Layers[^1];
            for (var r = 0; r < m; r++) prev.Slice(r * last.OutP, nout).CopyTo(y.AsSpan((r0 + r) * nout, nout));
            _netScratch.Add(s);
        });
        return Result(y, res =>
        {
            if (x.G is null) return;
            Chunks(rows, NetChunk, (r0, r1) =>
            {
                var m = r1 - r0;
                var s = _netScratch.TryTake(out var sc) ? sc : new NetScratch();
                var last = net.Layers[^1];
                var g = Get(ref s.G, m * last.OutP);
                g.Clear();
                for (var r = 0; r < m; r++) res.G.AsSpan((r0 + r) * nout, nout).CopyTo(g.Slice(r * last.OutP));
                for (var l = L - 1; l >= 0; l--)
                {
                    var ly = net.Layers[l];
                    var dz = Get(ref s.Dz, m * ly.OutP);
                    g[..(m * ly.OutP)].CopyTo(dz);
                    if (ly.Idt is { } idt)
                        for (var r = 0; r < m; r++)
                        {
                            var dr = dz.Slice(r * ly.OutP, ly.OutP);
                            Dpa3Kernels<T>.Mul(dr, dr, idt);
                        }
                    Dpa3Kernels<T>.ActBack(ly.Act, z[l].AsSpan(r0 * ly.OutP, m * ly.OutP), dz);
                    if (l == 0 && pair is not null)
                    {
                        // only the x column: ∂z/∂x = W[0, :]
                        for (var r = 0; r < m; r++)
                            x.G[r0 + r] += Dpa3Kernels<T>.Dot(dz.Slice(r * ly.OutP, ly.OutP), ly.W.AsSpan(0, ly.OutP), ly.OutP);
                        _netScratch.Add(s);
                        return;
                    }
                    var gin = Get(ref s.Gin, m * ly.InP);
                    if (ly.Out == 0) gin.Clear();
                    else StridedGemm<T>.Multiply(dz, 1, ly.OutP, ly.WT, ly.InP, gin, ly.InP, m, ly.InP, ly.Out, accumulate: false);
                    for (var r = 0; r < m; r++)
                    {
                        var gr = gin.Slice(r * ly.InP, ly.InP);
                        var go = g.Slice(r * ly.OutP, ly.OutP);
                        if (ly.Residual == 1) for (var o = 0; o < ly.Out; o++) gr[o] += go[o];
                        else if (ly.Residual == 2) for (var o = 0; o < ly.Out; o++) gr[o % ly.In] += go[o];
                    }
                    // g ← gin (rows of InP)
                    g = Get(ref s.G, m * ly.InP);
                    gin[..(m * ly.InP)].CopyTo(g);
                }
                var first = net.Layers[0];
                for (var r = 0; r < m; r++)
                {
                    var gx = x.G.AsSpan((r0 + r) * nin, nin);
                    var src = g.Slice(r * first.InP, nin);
                    for (var k = 0; k < nin; k++) gx[k] += src[k];
                }
                _netScratch.Add(s);
            });
        }, [x], Timing ? $"Net {rows}x{nin}->{string.Join(",", net.Layers.Select(l => l.Out))}" : "Net");
    }

    /// <summary>u ← exp(u), vectorised (VectorMath.Exp, a few ulps) over whole vectors, the tail per element.</summary>
    private static void ExpInPlace(Span<T> u)
    {
        var vc = Vector<T>.Count;
        var k = 0;
        for (; k + vc <= u.Length; k += vc) VectorMath.Exp(new Vector<T>(u[k..])).CopyTo(u[k..]);
        for (; k < u.Length; k++) u[k] = T.Exp(u[k]);
    }

    /// <summary>y = c·w + t (vectorised).</summary>
    private static void ScaleAdd(Span<T> y, T c, ReadOnlySpan<T> w, ReadOnlySpan<T> t)
    {
        var n = y.Length;
        var vc = Vector<T>.Count;
        var k = 0;
        var cv = new Vector<T>(c);
        for (; k + vc <= n; k += vc) FeatureMajorGemm<T>.Fma(cv, new Vector<T>(w[k..]), new Vector<T>(t[k..])).CopyTo(y[k..]);
        for (; k < n; k++) y[k] = c * w[k] + t[k];
    }

    /// <summary>y = c·x + s (vectorised).</summary>
    private static void ScaleShift(Span<T> y, T c, ReadOnlySpan<T> x, T s)
    {
        var n = y.Length;
        var vc = Vector<T>.Count;
        var k = 0;
        Vector<T> cv = new(c), sv = new(s);
        for (; k + vc <= n; k += vc) FeatureMajorGemm<T>.Fma(cv, new Vector<T>(x[k..]), sv).CopyTo(y[k..]);
        for (; k < n; k++) y[k] = c * x[k] + s;
    }

    private static Span<T> Get(ref T[] a, int n)
    {
        if (a.Length < n)
        {
            var old = a;
            a = new T[Math.Max(n, a.Length * 3 / 2)];
            old.CopyTo(a, 0);
        }
        return a.AsSpan(0, n);
    }

    // ------------------------------------------------------------ elementwise

    public Var Act(Var x, Activation act)
    {
        var y = Alloc(x.Length);
        Chunks(y.Length, Elementwise, (a, b) => Dpa3Kernels<T>.Act(act, x.V.AsSpan(a, b - a), y.AsSpan(a, b - a)));
        return Result(y, r => Chunks(y.Length, Elementwise, (a, b) =>
        {
            var g = r.G.AsSpan(a, b - a).ToArray();
            Dpa3Kernels<T>.ActBack(act, x.V.AsSpan(a, b - a), g);
            Dpa3Kernels<T>.Add(x.G.AsSpan(a, b - a), g);
        }), [x]);
    }

    public Var Add(Var a, Var b)
    {
        Same(a, b);
        var y = Alloc(a.Length);
        Chunks(y.Length, Elementwise, (s, e) => Dpa3Kernels<T>.Sum(y.AsSpan(s, e - s), a.V.AsSpan(s, e - s), b.V.AsSpan(s, e - s)));
        return Result(y, r => Chunks(y.Length, Elementwise, (s, e) =>
        {
            if (a.G is not null) Dpa3Kernels<T>.Add(a.G.AsSpan(s, e - s), r.G.AsSpan(s, e - s));
            if (b.G is not null) Dpa3Kernels<T>.Add(b.G.AsSpan(s, e - s), r.G.AsSpan(s, e - s));
        }), [a, b]);
    }

    /// <summary>c·x + s.</summary>
    public Var Affine(Var x, double c, double s = 0)
    {
        T tc = T.CreateTruncating(c), ts = T.CreateTruncating(s);
        var y = Alloc(x.Length);
        Chunks(y.Length, Elementwise, (a, b) => ScaleShift(y.AsSpan(a, b - a), tc, x.V.AsSpan(a, b - a), ts));
        return Result(y, r => Chunks(y.Length, Elementwise, (a, b) =>
            Dpa3Kernels<T>.AddScaled(x.G.AsSpan(a, b - a), tc, r.G.AsSpan(a, b - a))), [x]);
    }

    /// <summary>x [n, d] times the constant vector v [d] on every row.</summary>
    public Var MulRow(Var x, double[] v)
    {
        var d = v.Length;
        var tv = v.Select(T.CreateTruncating).ToArray();
        var y = Alloc(x.Length);
        var n = x.Length / d;
        Chunks(n, Elementwise / Math.Max(1, d) + 1, (a, b) =>
        {
            for (var r = a; r < b; r++) Dpa3Kernels<T>.Mul(y.AsSpan(r * d, d), x.V.AsSpan(r * d, d), tv);
        });
        return Result(y, res => Chunks(n, Elementwise / Math.Max(1, d) + 1, (a, b) =>
        {
            for (var r = a; r < b; r++) Dpa3Kernels<T>.AddMul(x.G.AsSpan(r * d, d), res.G.AsSpan(r * d, d), tv);
        }), [x]);
    }

    /// <summary>Elementwise a · b with b broadcast: a is [A, B, C], b is [A, B or 1, C or 1].</summary>
    public Var Mul(Var a, Var b, int A, int B, int C, bool bHasB = true, bool bHasC = true)
    {
        if (a.Length != A * B * C) throw new ArgumentException("Mul: a has the wrong size");
        int bb = bHasB ? B : 1, bc = bHasC ? C : 1;
        if (b.Length != A * bb * bc) throw new ArgumentException("Mul: b has the wrong size");
        if (bHasB && bHasC)
        {
            var y0 = Alloc(a.Length);
            Chunks(y0.Length, Elementwise, (s, e) => Dpa3Kernels<T>.Mul(y0.AsSpan(s, e - s), a.V.AsSpan(s, e - s), b.V.AsSpan(s, e - s)));
            return Result(y0, r => Chunks(y0.Length, Elementwise, (s, e) =>
            {
                if (a.G is not null) Dpa3Kernels<T>.AddMul(a.G.AsSpan(s, e - s), r.G.AsSpan(s, e - s), b.V.AsSpan(s, e - s));
                if (b.G is not null) Dpa3Kernels<T>.AddMul(b.G.AsSpan(s, e - s), r.G.AsSpan(s, e - s), a.V.AsSpan(s, e - s));
            }), [a, b]);
        }
        var y = Alloc(a.Length);
        var chunk = Math.Max(1, Elementwise / Math.Max(1, B * C));
        Chunks(A, chunk, (i0, i1) =>
        {
            for (var i = i0; i < i1; i++)
                for (var j = 0; j < B; j++)
                {
                    var q = (i * B + j) * C;
                    var p = (i * bb + (bHasB ? j : 0)) * bc;
                    if (bHasC) Dpa3Kernels<T>.Mul(y.AsSpan(q, C), a.V.AsSpan(q, C), b.V.AsSpan(p, C));
                    else ScaleShift(y.AsSpan(q, C), b.V[p], a.V.AsSpan(q, C), T.Zero);
                }
        });
        return Result(y, r => Chunks(A, chunk, (i0, i1) =>
        {
            for (var i = i0; i < i1; i++)
                for (var j = 0; j < B; j++)
                {
                    var q = (i * B + j) * C;
                    var p = (i * bb + (bHasB ? j : 0)) * bc;
                    if (bHasC)
                    {
                        if (a.G is not null) Dpa3Kernels<T>.AddMul(a.G.AsSpan(q, C), r.G.AsSpan(q, C), b.V.AsSpan(p, C));
                        if (b.G is not null) Dpa3Kernels<T>.AddMul(b.G.AsSpan(p, C), r.G.AsSpan(q, C), a.V.AsSpan(q, C));
                        continue;
                    }
                    var s = b.V[p];
                    if (a.G is not null) Dpa3Kernels<T>.AddScaled(a.G.AsSpan(q, C), s, r.G.AsSpan(q, C));
                    if (b.G is not null) b.G[p] += Dpa3Kernels<T>.Dot(r.G.AsSpan(q, C), a.V.AsSpan(q, C), C);
                }
        }), [a, b], Timing ? $"Mul {A}x{B}x{C} {bHasB} {bHasC}" : "Mul");
    }

    public Var Mul(Var a, Var b)
    {
        Same(a, b);
        return Mul(a, b, 1, 1, a.Length);
    }

    /// <summary>Rows of x ([m, d]) picked by <paramref name="index"/> ([k, d]); a negative index gives a zero row.</summary>
    public Var Gather(Var x, int d, int[] index)
    {
        var y = Alloc(index.Length * d, clear: true);
        Chunks(index.Length, Math.Max(1, Elementwise / d), (a, b) =>
        {
            for (var r = a; r < b; r++)
                if (index[r] >= 0) Array.Copy(x.V, index[r] * d, y, r * d, d);
        });
        return Result(y, res =>
        {
            // Inverse index: for each source row, the rows that read it, ascending (a fixed order of the sums).
            var m = x.Length / d;
            var start = new int[m + 1];
            foreach (var s in index)
                if (s >= 0) start[s + 1]++;
            for (var s = 0; s < m; s++) start[s + 1] += start[s];
            var fill = start[..m];
            var readers = new int[start[m]];
            for (var r = 0; r < index.Length; r++)
                if (index[r] >= 0) readers[fill[index[r]]++] = r;
            Chunks(m, Math.Max(1, Elementwise / (4 * d)), (a, b) =>
            {
                for (var s = a; s < b; s++)
                {
                    var gx = x.G.AsSpan(s * d, d);
                    for (var q = start[s]; q < start[s + 1]; q++) Dpa3Kernels<T>.Add(gx, res.G.AsSpan(readers[q] * d, d));
                }
            });
        }, [x]);
    }

    /// <summary>Blocks side by side: each part is [n, d_part]; the result is [n, Σ d_part].</summary>
    public Var Concat(int n, params (Var X, int D)[] parts)
    {
        var width = parts.Sum(p => p.D);
        var y = Alloc(n * width);
        var chunk = Math.Max(1, Elementwise / width);
        Chunks(n, chunk, (r0, r1) =>
        {
            var off = 0;
            foreach (var (x, d) in parts)
            {
                for (var r = r0; r < r1; r++) Array.Copy(x.V, r * d, y, r * width + off, d);
                off += d;
            }
        });
        return Result(y, res => Chunks(n, chunk, (r0, r1) =>
        {
            var o = 0;
            foreach (var (x, d) in parts)
            {
                if (x.G is not null)
                    for (var r = r0; r < r1; r++) Dpa3Kernels<T>.Add(x.G.AsSpan(r * d, d), res.G.AsSpan(r * width + o, d));
                o += d;
            }
        }), parts.Select(p => p.X).ToArray());
    }

    /// <summary>x viewed as [outer, mid, inner]: the mid indices start..start+len−1, giving [outer, len, inner].</summary>
    public Var Slice(Var x, int outer, int mid, int inner, int start, int len)
    {
        if (x.Length != outer * mid * inner) throw new ArgumentException("Slice: wrong size");
        var y = Alloc(outer * len * inner);
        var w = len * inner;
        var chunk = Math.Max(1, Elementwise / Math.Max(1, w));
        Chunks(outer, chunk, (a, b) =>
        {
            for (var o = a; o < b; o++) Array.Copy(x.V, (o * mid + start) * inner, y, o * w, w);
        });
        return Result(y, r => Chunks(outer, chunk, (a, b) =>
        {
            for (var o = a; o < b; o++) Dpa3Kernels<T>.Add(x.G.AsSpan((o * mid + start) * inner, w), r.G.AsSpan(o * w, w));
        }), [x]);
    }

    /// <summary>Sum over the middle axis: [A, B, C] → [A, C].</summary>
    public Var SumMid(Var x, int A, int B, int C)
    {
        var y = Alloc(A * C, clear: true);
        var chunk = Math.Max(1, Elementwise / Math.Max(1, B * C));
        Chunks(A, chunk, (a, b) =>
        {
            for (var i = a; i < b; i++)
                for (var j = 0; j < B; j++) Dpa3Kernels<T>.Add(y.AsSpan(i * C, C), x.V.AsSpan((i * B + j) * C, C));
        });
        return Result(y, r => Chunks(A, chunk, (a, b) =>
        {
            for (var i = a; i < b; i++)
                for (var j = 0; j < B; j++) Dpa3Kernels<T>.Add(x.G.AsSpan((i * B + j) * C, C), r.G.AsSpan(i * C, C));
        }), [x]);
    }

    /// <summary>
    /// Batched matrix product: per batch op(a) [m, k] · op(b) [k, n] → [m, n], op(a) = aᵀ when a is stored [k, m]
    /// (<paramref name="ta"/>), op(b) = bᵀ when b is stored [n, k] (<paramref name="tb"/>).
    /// </summary>
    public Var MatMul(Var a, Var b, int batch, int m, int k, int n, bool ta = false, bool tb = false)
    {
        if (a.Length != batch * m * k || b.Length != batch * k * n) throw new ArgumentException("MatMul: wrong sizes");
        // a(i, p) = a[i·sai + p·sap], b(p, j) = b[p·sbp + j·sbj]
        int sai = ta ? 1 : k, sap = ta ? m : 1, sbp = tb ? 1 : n, sbj = tb ? k : 1;
        var y = Alloc(batch * m * n, clear: true);
        var chunk = Math.Max(1, 2 * Elementwise / Math.Max(1, m * n * k));
        // a row i contiguous (not ta) and b stored [n, k] (tb): every product is a dot of two contiguous rows.
        var rowDot = !ta && tb;
        var vc = Vector<T>.Count;
        // SIMD GEMMs (StridedGemm: the output's columns in whole vectors) where the shapes allow; loops otherwise.
        bool gemmY = !ta && n % vc == 0, gemmDa = !ta && k % vc == 0, gemmDb = !ta && (tb ? k % vc == 0 : n % vc == 0);
        Chunks(batch, chunk, (s0, s1) =>
        {
            var bt = gemmY && tb ? new T[k * n] : null;
            for (var s = s0; s < s1; s++)
            {
                int ao = s * m * k, bo = s * k * n, yo = s * m * n;
                if (gemmY)
                {
                    ReadOnlySpan<T> bk = b.V.AsSpan(bo, k * n);
                    if (tb)
                    {
                        StridedGemm<T>.Transpose(bk, k, bt, n, n, k);
                        bk = bt;
                    }
                    StridedGemm<T>.Multiply(a.V.AsSpan(ao, m * k), 1, k, bk, n, y.AsSpan(yo, m * n), n, m, n, k, accumulate: false);
                    continue;
                }
                for (var i = 0; i < m; i++)
                {
                    var yr = y.AsSpan(yo + i * n, n);
                    if (rowDot)
                    {
                        var ar = a.V.AsSpan(ao + i * k, k);
                        for (var j = 0; j < n; j++) yr[j] = Dpa3Kernels<T>.Dot(ar, b.V.AsSpan(bo + j * k, k), k);
                        continue;
                    }
                    for (var p = 0; p < k; p++)
                    {
                        var av = a.V[ao + i * sai + p * sap];
                        if (sbj == 1) Dpa3Kernels<T>.AddScaled(yr, av, b.V.AsSpan(bo + p * sbp, n));
                        else
                            for (var j = 0; j < n; j++) yr[j] += av * b.V[bo + p * sbp + j * sbj];
                    }
                }
            }
        });
        return Result(y, r => Chunks(batch, chunk, (s0, s1) =>
        {
            var bt = gemmDa && !tb ? new T[k * n] : null;
            for (var s = s0; s < s1; s++)
            {
                int ao = s * m * k, bo = s * k * n, yo = s * m * n;
                var g = r.G.AsSpan(yo, m * n);
                if (gemmDa && gemmDb)
                {
                    if (a.G is not null)
                    {
                        // dA [m][k] = g [m][n] · op(b)ᵀ: b itself when tb (stored [n][k]), else bᵀ
                        ReadOnlySpan<T> bn = b.V.AsSpan(bo, k * n);
                        if (!tb)
                        {
                            StridedGemm<T>.Transpose(bn, n, bt, k, k, n);
                            bn = bt;
                        }
                        StridedGemm<T>.Multiply(g, 1, n, bn, k, a.G.AsSpan(ao, m * k), k, m, k, n, accumulate: true);
                    }
                    if (b.G is not null)
                    {
                        if (tb) // dB [n][k] = gᵀ a
                            StridedGemm<T>.Multiply(g, n, 1, a.V.AsSpan(ao, m * k), k, b.G.AsSpan(bo, k * n), k, n, k, m, accumulate: true);
                        else // dB [k][n] = aᵀ g
                            StridedGemm<T>.Multiply(a.V.AsSpan(ao, m * k), k, 1, g, n, b.G.AsSpan(bo, k * n), n, k, n, m, accumulate: true);
                    }
                    continue;
                }
                if (rowDot)
                {
                    // dA(i, :) += Σ_j g(i, j) B(j, :), dB(j, :) += Σ_i g(i, j) A(i, :), rows contiguous
                    for (var i = 0; i < m; i++)
                    {
                        var gr = r.G.AsSpan(yo + i * n, n);
                        if (a.G is not null)
                        {
                            var da = a.G.AsSpan(ao + i * k, k);
                            for (var j = 0; j < n; j++) Dpa3Kernels<T>.AddScaled(da, gr[j], b.V.AsSpan(bo + j * k, k));
                        }
                    }
                    if (b.G is not null)
                        for (var j = 0; j < n; j++)
                        {
                            var db = b.G.AsSpan(bo + j * k, k);
                            for (var i = 0; i < m; i++) Dpa3Kernels<T>.AddScaled(db, r.G![yo + i * n + j], a.V.AsSpan(ao + i * k, k));
                        }
                    continue;
                }
                if (a.G is not null)
                    // dA(i, p) = Σ_j g(i, j) b(p, j)
                    for (var i = 0; i < m; i++)
                    {
                        var gr = r.G.AsSpan(yo + i * n, n);
                        for (var p = 0; p < k; p++)
                        {
                            T sum;
                            if (sbj == 1) sum = Dpa3Kernels<T>.Dot(gr, b.V.AsSpan(bo + p * sbp, n), n);
                            else
                            {
                                sum = T.Zero;
                                for (var j = 0; j < n; j++) sum += gr[j] * b.V[bo + p * sbp + j * sbj];
                            }
                            a.G[ao + i * sai + p * sap] += sum;
                        }
                    }
                if (b.G is not null)
                    // dB(p, j) = Σ_i a(i, p) g(i, j)
                    for (var i = 0; i < m; i++)
                    {
                        var gr = r.G.AsSpan(yo + i * n, n);
                        for (var p = 0; p < k; p++)
                        {
                            var av = a.V[ao + i * sai + p * sap];
                            if (sbj == 1) Dpa3Kernels<T>.AddScaled(b.G.AsSpan(bo + p * sbp, n), av, gr);
                            else
                                for (var j = 0; j < n; j++) b.G[bo + p * sbp + j * sbj] += av * gr[j];
                        }
                    }
            }
        }), [a, b], Timing ? $"MatMul {batch}x{m}x{k}x{n}{(ta ? " ta" : "")}{(tb ? " tb" : "")}" : "MatMul");
    }

    /// <summary>Axes permuted: x has <paramref name="shape"/>; result axis q is input axis perm[q].</summary>
    public Var Permute(Var x, int[] shape, int[] perm)
    {
        if (perm[0] == 0 && shape.Length <= 4) return Permute4(x, shape, perm);
        return PermuteGeneral(x, shape, perm);
    }

    /// <summary>A permutation that keeps axis 0 (every one DPA-2 uses), rank ≤ 4: nested loops, parallel over axis 0.</summary>
    private Var Permute4(Var x, int[] shape, int[] perm)
    {
        var rank = shape.Length;
        var sh = new int[4];
        var pm = new int[4];
        for (var q = 0; q < 4; q++)
        {
            sh[q] = q < rank ? shape[q] : 1;
            pm[q] = q < rank ? perm[q] : q;
        }
        var inStride = new int[4];
        inStride[3] = 1;
        for (var q = 2; q >= 0; q--) inStride[q] = inStride[q + 1] * sh[q + 1];
        int n1 = sh[pm[1]], n2 = sh[pm[2]], n3 = sh[pm[3]];
        int s1 = inStride[pm[1]], s2 = inStride[pm[2]], s3 = inStride[pm[3]];
        var block = sh[1] * sh[2] * sh[3];
        var y = Alloc(x.Length);
        var chunk = Math.Max(1, Elementwise / Math.Max(1, block));
        Chunks(sh[0], chunk, (a0, a1) =>
        {
            for (var a = a0; a < a1; a++)
            {
                var o = a * block;
                for (var i1 = 0; i1 < n1; i1++)
                    for (var i2 = 0; i2 < n2; i2++)
                    {
                        var src = a * block + i1 * s1 + i2 * s2;
                        for (var i3 = 0; i3 < n3; i3++) y[o++] = x.V[src + i3 * s3];
                    }
            }
        });
        return Result(y, r => Chunks(sh[0], chunk, (a0, a1) =>
        {
            for (var a = a0; a < a1; a++)
            {
                var o = a * block;
                for (var i1 = 0; i1 < n1; i1++)
                    for (var i2 = 0; i2 < n2; i2++)
                    {
                        var src = a * block + i1 * s1 + i2 * s2;
                        for (var i3 = 0; i3 < n3; i3++) x.G![src + i3 * s3] += r.G![o++];
                    }
            }
        }), [x]);
    }

    private Var PermuteGeneral(Var x, int[] shape, int[] perm)
{
        var rank = shape.Length;
        var outShape = perm.Select(p => shape[p]).ToArray();
        var inStride = new int[rank];
        inStride[rank - 1] = 1;
        for (var q = rank - 2; q >= 0; q--) inStride[q] = inStride[q + 1] * shape[q + 1];
        var map = GC.AllocateUninitializedArray<int>(x.Length);
        var srcStride = perm.Select(p => inStride[p]).ToArray(); // input stride of each output axis
        Chunks(map.Length, Elementwise, (a, b) =>
        {
            // The output index of a, then incremented like an odometer.
            Span<int> idx = stackalloc int[rank];
            var rest = a;
            for (var q = rank - 1; q >= 0; q--)
            {
                idx[q] = rest % outShape[q];
                rest /= outShape[q];
            }
            var src = 0;
            for (var q = 0; q < rank; q++) src += idx[q] * srcStride[q];
            for (var o = a; o < b; o++)
            {
                map[o] = src;
                for (var q = rank - 1; q >= 0; q--)
                {
                    src += srcStride[q];
                    if (++idx[q] < outShape[q]) break;
                    src -= idx[q] * srcStride[q];
                    idx[q] = 0;
                }
            }
        });
        var y = Alloc(x.Length);
        Chunks(y.Length, Elementwise, (a, b) =>
        {
            for (var o = a; o < b; o++) y[o] = x.V[map[o]];
        });
        // A permutation: each input element is read once, so the reverse writes are disjoint.
        return Result(y, r => Chunks(y.Length, Elementwise, (a, b) =>
        {
            for (var o = a; o < b; o++) x.G![map[o]] += r.G![o];
        }), [x]);
    }

    /// <summary>Softmax over the last axis of [rows, n]; masked entries count as −∞ (an all-masked row gives zeros).</summary>
    public Var Softmax(Var x, int rows, int n, bool[]? minusInfinity = null)
    {
        var y = Alloc(rows * n, clear: true);
        var chunk = Math.Max(1, Elementwise / Math.Max(1, n));
        Chunks(rows, chunk, (r0, r1) =>
        {
            for (var r = r0; r < r1; r++)
            {
                var max = T.NegativeInfinity;
                for (var j = 0; j < n; j++)
                    if (minusInfinity is null || !minusInfinity[r * n + j]) max = T.Max(max, x.V[r * n + j]);
                if (T.IsNegativeInfinity(max)) continue;
                var sum = T.Zero;
                for (var j = 0; j < n; j++)
                {
                    var e = minusInfinity is not null && minusInfinity[r * n + j] ? T.Zero : T.Exp(x.V[r * n + j] - max);
                    y[r * n + j] = e;
                    sum += e;
                }
                var inv = T.One / sum;
                for (var j = 0; j < n; j++) y[r * n + j] *= inv;
            }
        });
        return Result(y, res => Chunks(rows, chunk, (r0, r1) =>
        {
            for (var r = r0; r < r1; r++)
            {
                var dot = Dpa3Kernels<T>.Dot(res.G.AsSpan(r * n, n), y.AsSpan(r * n, n), n);
                for (var j = 0; j < n; j++) x.G![r * n + j] += y[r * n + j] * (res.G![r * n + j] - dot);
            }
        }), [x]);
    }

    /// <summary>
    /// The attention weights of DeePMD-kit's repformer attentions from the logits <paramref name="w"/>
    /// [nloc, nh, Q, N] in one pass per row: w·gate (attn2_has_gate), then smooth ((w + shift)·sw − shift) or −∞ on
    /// padding keys (<paramref name="keyMask"/> [nloc, N] zero), the softmax over the N keys, then ·pairMask·sw·post.
    /// <paramref name="gate"/>, <paramref name="sw"/>, <paramref name="post"/> and <paramref name="pairMask"/> are
    /// [nloc, Q, N], shared by the heads (null: absent). Parallel over centers, so the heads' sums into the shared
    /// gradients have a fixed order.
    /// </summary>
    public Var AttentionWeights(Var w, int nloc, int nh, int Q, int N, Var? gate, Var? sw, double[] keyMask, double[] pairMask, Var? post, double shift)
    {
        var S = T.CreateTruncating(shift);
        var y = Alloc(w.Length, clear: true);
        var p = Alloc(w.Length, clear: true);
        var pm = Alloc(pairMask.Length);
        for (var q = 0; q < pm.Length; q++) pm[q] = T.CreateTruncating(pairMask[q]);
        var km = keyMask;
        Chunks(nloc, 1, (i0, i1) =>
        {
            for (var i = i0; i < i1; i++)
                for (var h = 0; h < nh; h++)
                    for (var j = 0; j < Q; j++)
                    {
                        var row = ((i * nh + h) * Q + j) * N;
                        var f = (i * Q + j) * N; // factors' row
                        var u = p.AsSpan(row, N);
                        var max = T.NegativeInfinity;
                        for (var k = 0; k < N; k++)
                        {
                            var z = w.V[row + k];
                            if (gate is not null) z *= gate.V[f + k];
                            if (sw is not null) z = (z + S) * sw.V[f + k] - S;
                            else if (km[i * N + k] == 0) z = T.NegativeInfinity;
                            u[k] = z;
                            if (z > max) max = z;
                        }
                        if (T.IsNegativeInfinity(max))
                        {
                            u.Clear();
                            continue;
                        }
                        for (var k = 0; k < N; k++) u[k] -= max;
                        ExpInPlace(u);
                        var sum = T.Zero;
                        for (var k = 0; k < N; k++)
                        {
                            if (sw is null && km[i * N + k] == 0) u[k] = T.Zero; // −∞ logits
                            sum += u[k];
                        }
                        var inv = T.One / sum;
                        for (var k = 0; k < N; k++)
                        {
                            u[k] *= inv;
                            var a = u[k] * pm[f + k];
                            if (sw is not null) a *= sw.V[f + k];
                            if (post is not null) a *= post.V[f + k];
                            y[row + k] = a;
                        }
                    }
        });
        Var[] inputs = [w, .. new[] { gate, sw, post }.Where(v => v is not null).Select(v => v!)];
        return Result(y, r => Chunks(nloc, 1, (i0, i1) =>
        {
            var buf = new T[N];
            for (var i = i0; i < i1; i++)
                for (var h = 0; h < nh; h++)
                    for (var j = 0; j < Q; j++)
                    {
                        var row = ((i * nh + h) * Q + j) * N;
                        var f = (i * Q + j) * N;
                        var pr = p.AsSpan(row, N);
                        // gP = gA·pm·sw·post, and the direct parts of the factors' gradients
                        var dot = T.Zero;
                        for (var k = 0; k < N; k++)
                        {
                            var ga = r.G![row + k];
                            T m = pm[f + k], swk = sw is null ? T.One : sw.V[f + k], pk = post is null ? T.One : post.V[f + k];
                            var gp = ga * m * swk * pk;
                            if (sw?.G is not null) sw.G[f + k] += ga * pr[k] * m * pk;
                            if (post?.G is not null) post.G[f + k] += ga * pr[k] * m * swk;
                            buf[k] = gp;
                            dot += gp * pr[k];
                        }
                        for (var k = 0; k < N; k++)
                        {
                            var gz = pr[k] * (buf[k] - dot); // ∂/∂u
                            if (gz == T.Zero) continue;
                            var z = w.V[row + k];
                            if (gate is not null) z *= gate.V[f + k];
                            if (sw is not null)
                            {
                                if (sw.G is not null) sw.G[f + k] += gz * (z + S);
                                gz *= sw.V[f + k];
                            }
                            if (gate is not null)
                            {
                                if (gate.G is not null) gate.G[f + k] += gz * w.V[row + k];
                                gz *= gate.V[f + k];
                            }
                            if (w.G is not null) w.G[row + k] += gz;
                        }
                    }
        }), inputs);
    }

    /// <summary>Layer normalisation of each of <paramref name="rows"/> rows.</summary>
    public Var LayerNormRows(Var x, int rows, LayerNorm ln)
    {
        var d = ln.Size;
        var gamma = ln.Gamma.Select(T.CreateTruncating).ToArray();
        var beta = ln.Beta?.Select(T.CreateTruncating).ToArray();
        var eps = T.CreateTruncating(ln.Eps);
        var y = Alloc(rows * d, clear: true);
        var xhat = Alloc(rows * d);
        var inv = Alloc(rows);
        var dd = T.CreateTruncating(d);
        var chunk = Math.Max(1, Elementwise / d);
        Chunks(rows, chunk, (r0, r1) =>
        {
            for (var r = r0; r < r1; r++)
            {
                var xr = x.V.AsSpan(r * d, d);
                var mean = T.Zero;
                for (var k = 0; k < d; k++) mean += xr[k];
                mean /= dd;
                var variance = T.Zero;
                for (var k = 0; k < d; k++) variance += (xr[k] - mean) * (xr[k] - mean);
                variance /= dd;
                var iv = T.One / T.Sqrt(variance + eps);
                inv[r] = iv;
                for (var k = 0; k < d; k++)
                {
                    var h = (xr[k] - mean) * iv;
                    xhat[r * d + k] = h;
                    y[r * d + k] = h * gamma[k] + (beta is null ? T.Zero : beta[k]);
                }
            }
        });
        return Result(y, res => Chunks(rows, chunk, (r0, r1) =>
        {
            for (var r = r0; r < r1; r++)
            {
                T meanG = T.Zero, meanGx = T.Zero;
                for (var k = 0; k < d; k++)
                {
                    var g = res.G![r * d + k] * gamma[k];
                    meanG += g;
                    meanGx += g * xhat[r * d + k];
                }
                meanG /= dd;
                meanGx /= dd;
                for (var k = 0; k < d; k++)
                    x.G![r * d + k] += inv[r] * (res.G![r * d + k] * gamma[k] - meanG - xhat[r * d + k] * meanGx);
            }
        }), [x]);
    }

    private static void Same(Var a, Var b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"operands differ in size ({a.Length} and {b.Length})");
    }
}
