namespace DeepMD.Sharp.Benchmarks;

using System.Diagnostics;
using System.Numerics;
using DeepMD.Sharp.Cpu.Kernels;

/// <summary>
/// Fast, rough kernel timings for development (`dotnet run -c Release --project tests/DeepMD.Sharp.Benchmarks -- quick`):
/// the GEMM shapes of the water model's nets in MAC/ns (best of several repeats, one thread) and tanh in ns/value.
/// BenchmarkDotNet (KernelBenchmarks) gives the figures to quote; this gives an answer in seconds.
/// </summary>
public static class QuickKernels
{
    public static void Run()
    {
        Console.WriteLine($"Vector<double>.Count = {Vector<double>.Count}");
        var only = Environment.GetEnvironmentVariable("QUICK_ONLY") ?? "";
        if (only is "" or "gemm")
        {
            Gemm<double>(50, 100, 512);
            Gemm<double>(25, 50, 512);
            Gemm<double>(100, 50, 512);
            Gemm<double>(1600, 240, 32);
            Gemm<double>(1600, 240, 64);
            Gemm<double>(240, 240, 32);
            Gemm<double>(240, 1600, 32);
            Gemm<double>(240, 1600, 64);
            Gemm<float>(1600, 240, 64);
            Gemm<float>(240, 1600, 64);
            Gemm<float>(240, 240, 64);
        }
        Tanh<double>();
        Tanh<float>();
        if (only is "" or "table")
        {
            var m = DeepMD.Sharp.Models.ModelLoader.Load(Find("potentials/test-models/water-example-float32.dp"));
            var spec = (DeepMD.Sharp.Models.Descriptors.SeE2ASpec)m.Descriptor;
            var table = new PackedTable<float>(DeepMD.Sharp.Models.Compression.TableBuilder.Build(spec, 0.8)[1]!);
            var rng = new Random(4);
            const int slots = 6400;
            var sv = Enumerable.Range(0, slots).Select(_ => rng.NextDouble() * 2.5 - 0.3).ToArray();
            var g = new float[slots * 100 + 16];
            var gp = new float[slots * 100 + 16];
            var perSlot = 1 / Best(() => { for (var q = 0; q < slots; q++) table.Evaluate(sv[q], g.AsSpan(q * 100, 100), gp.AsSpan(q * 100, 100)); }, slots);
            var perSlotHot = 1 / Best(() => { for (var q = 0; q < slots; q++) table.Evaluate(sv[q], g.AsSpan(0, 100), gp.AsSpan(0, 100)); }, slots);
            var locate = 1 / Best(() => { double acc = 0; for (var q = 0; q < slots; q++) acc += table.Table.Locate(sv[q]).T; g[0] = (float)acc; }, slots);
            Console.WriteLine($"table f32, {slots} slots: {perSlot:F1} ns/slot into 2x{slots * 400 / 1e6:F1} MB, {perSlotHot:F1} ns/slot into one L1 row, Locate alone {locate:F1} ns");
        }
        if (only is "" or "tacc")
        {
            // The compressed forward's per-slot accumulation (PackedTable.AccumulateAt) in ns per slot: 64 centers of ~90
            // neighbors at water-like distances, in interval order (as the evaluator runs it) and in variants that isolate
            // the memory traffic (one hot accumulator; one hot table row; center order); also both threads at once.
            // QUICK_COLD=1 reads a QUICK_FLUSH_MB (default 2) MB buffer before each repetition to push the table out of
            // L2, and prints that read's own time to subtract.
            var m = DeepMD.Sharp.Models.ModelLoader.Load(Find("potentials/test-models/water-example-float32.dp"));
            var spec = (DeepMD.Sharp.Models.Descriptors.SeE2ASpec)m.Descriptor;
            var table = new PackedTable<float>(DeepMD.Sharp.Models.Compression.TableBuilder.Build(spec, 0.8)[1]!);
            var rng = new Random(5);
            const int centers = 64, per = 90, n = centers * per;
            var davg = spec.Davg[0];
            var dstd = spec.Dstd[0];
            var rt = new float[4 * n];
            var center = new int[n];
            var idx = new int[n];
            var tv = new float[n];
            var xv = new float[n];
            for (var v = 0; v < n; v++)
            {
                var r = Math.Cbrt(1 + rng.NextDouble() * 215);
                var sw = r < 0.5 ? 1 : 0.5 * Math.Cos(Math.PI * (r - 0.5) / 5.5) + 0.5;
                rt[v] = (float)((sw / r - davg) / dstd);
                for (var q = 1; q < 4; q++) rt[q * n + v] = (float)(rng.NextDouble() - 0.5);
                center[v] = v / per;
                idx[v] = table.Locate(rt[v], out tv[v], out xv[v]);
            }
            var order = Enumerable.Range(0, n).OrderBy(v => idx[v]).ThenBy(v => v).ToArray();
            var mp = table.PaddedChannels;
            var acc = new AlignedArray<float>(centers * 4 * mp + 64);
            var flush = new long[(int.TryParse(Environment.GetEnvironmentVariable("QUICK_FLUSH_MB"), out var fmb) ? fmb : 2) << 17];
            long sink = 0;
            var cold = Environment.GetEnvironmentVariable("QUICK_COLD") == "1";
            double Time(int[] ord, bool oneAcc, bool oneRow) => 1 / Best(() =>
            {
                if (cold)
                    for (var i = 0; i < flush.Length; i += 8) sink += flush[i];
                foreach (var v in ord)
                    table.AccumulateAt(oneRow ? idx[ord[0]] : idx[v], tv[v], xv[v], rt[v], rt[n + v], rt[2 * n + v], rt[3 * n + v],
                        ref acc[oneAcc ? 0 : center[v] * 4 * mp]);
            }, n);
            var natural = Enumerable.Range(0, n).ToArray();
            if (cold) Console.WriteLine($"cache flush alone: {Time([], false, false):F1} ns per slot (subtract)");
            var acc2 = new AlignedArray<float>(centers * 4 * mp + 64);
            var both = 1 / Best(() => Parallel.For(0, 2, w =>
            {
                var a = w == 0 ? acc : acc2;
                foreach (var v in order)
                    table.AccumulateAt(idx[v], tv[v], xv[v], rt[v], rt[n + v], rt[2 * n + v], rt[3 * n + v], ref a[center[v] * 4 * mp]);
            }), n);
            Console.WriteLine($"two threads at once, interval order: {both:F1} ns per slot-pair (each thread {n} slots)");
            Console.WriteLine($"table: {table.Intervals} intervals, {order.Select(v => idx[v]).Distinct().Count()} used, rt range {rt.Take(n).Min():F2}..{rt.Take(n).Max():F2}");
            Console.WriteLine($"table accumulate f32 ({n} slots, {centers} centers): interval order {Time(order, false, false):F1} ns/slot, " +
                              $"one accumulator {Time(order, true, false):F1}, one row {Time(order, false, true):F1}, both {Time(order, true, true):F1}, " +
                              $"center order {Time(natural, false, false):F1}");
        }
        if (only is "" or "align")
            foreach (var off in new[] { 0, 1, 2, 4 })
            {
                AlignedGemm(1600, 240, 32, off);
                AlignedGemm(50, 100, 512, off);
            }
        if (only is "" or "nl")
        {
            var water = DeepMD.Sharp.IO.StructureReader.Read(Find("examples/water/water.lmp"), ["O", "H"]).Replicate(4, 4, 4);
            foreach (var recycle in new[] { false, true })
            {
                var ms = new List<double>();
                DeepMD.Sharp.Core.Neighbors.NeighborList? list = null;
                for (var r = 0; r < 8; r++)
                {
                    var sw = Stopwatch.StartNew();
                    list = DeepMD.Sharp.Core.Neighbors.CellListNeighborSearch.Build(water.X, water.Y, water.Z, water.Box, 6.0, recycle ? list : null);
                    ms.Add(sw.Elapsed.TotalMilliseconds);
                }
                Console.WriteLine($"neighbor list, {water.Count} atoms, rcut 6{(recycle ? ", recycled" : "")}: " + string.Join(" ", ms.Select(m => $"{m:F1}")) + " ms per build");
            }
        }
        var model = DeepMD.Sharp.Models.ModelLoader.Load(Find("potentials/test-models/water-example-float32.dp"));
        var d = (DeepMD.Sharp.Models.Descriptors.SeE2ASpec)model.Descriptor;
        foreach (var atoms in new[] { 32, 64 })
        {
            Net<double>(model.Fitting.NetFor(0)!, atoms, "fitting");
            Net<float>(model.Fitting.NetFor(0)!, atoms, "fitting");
        }
        Net<double>(d.Embeddings[1]!, 512, "embedding");
        Net<float>(d.Embeddings[1]!, 512, "embedding");
    }

    private static string Find(string relative)
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        throw new FileNotFoundException(relative);
    }

    private static void Net<T>(DeepMD.Sharp.Models.Networks.NeuralNetwork n, int cols, string what) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var net = new PackedNetwork<T>(n);
        var ld = FeatureMajorGemm<T>.Pad(cols);
        var rng = new Random(3);
        var x = Enumerable.Range(0, net.InputSize * ld).Select(_ => T.CreateTruncating(rng.NextDouble() * 0.2)).ToArray();
        var y = new T[net.OutputSize * ld];
        var saved = new T[net.ActivationFloats * ld];
        var scratch = new T[3 * net.MaxWidth * ld];
        var dy = new T[net.OutputSize * ld];
        var dx = new T[net.InputSize * ld];
        var macs = (double)n.Layers.Sum(l => l.InputSize * l.OutputSize) * cols;
        var fwd = Best(() => net.Forward(x, y, ld, saved, scratch), macs);
        if (Environment.GetEnvironmentVariable("QUICK_FLUSH") is { } mb)
        {
            var junk = new double[int.Parse(mb) * 131072];
            var both = Best(() =>
            {
                for (var q = 0; q < junk.Length; q += 8) junk[q] += 1;
                net.Forward(x, y, ld, saved, scratch);
                Array.Fill(dy, T.One);
                net.Backward(dy, dx, ld, saved, scratch);
            }, macs);
            var flushOnly = Best(() => { for (var q = 0; q < junk.Length; q += 8) junk[q] += 1; }, 1);
            var tBoth = macs / both;
            var tFlush = 1 / flushOnly;
            Console.WriteLine($"  with {mb} MB touched between calls: forward+backward {tBoth / 1000:F0} us, flush alone {tFlush / 1000:F0} us -> {2 * macs / (tBoth - tFlush):F1} MAC/ns");
        }
        var bwd = Best(() => { Array.Fill(dy, T.One); net.Backward(dy, dx, ld, saved, scratch); }, macs);
        Console.WriteLine($"{what} {typeof(T).Name,-6} {cols,4} columns: forward {fwd,6:F1} MAC/ns ({macs / fwd / cols:F0} ns/column), backward {bwd,6:F1} MAC/ns ({macs / bwd / cols:F0} ns/column)");
    }

    private static double Best(Action a, double work)
    {
        a();
        var best = double.MaxValue;
        for (var r = 0; r < 7; r++)
        {
            var reps = 0;
            var sw = Stopwatch.StartNew();
            do { a(); reps++; } while (sw.Elapsed.TotalMilliseconds < 40);
            best = Math.Min(best, sw.Elapsed.TotalNanoseconds / reps);
        }
        return work / best;
    }

    private static void Gemm<T>(int nin, int nout, int cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(1);
        var ld = FeatureMajorGemm<T>.Pad(cols);
        var w = FeatureMajorGemm<T>.Pack(Enumerable.Range(0, nin * nout).Select(_ => T.CreateTruncating(rng.NextDouble() - 0.5)).ToArray(), nin, nout);
        var b = Enumerable.Range(0, nout).Select(_ => T.CreateTruncating(rng.NextDouble())).ToArray();
        var x = Enumerable.Range(0, nin * ld).Select(_ => T.CreateTruncating(rng.NextDouble())).ToArray();
        var z = new T[nout * ld];
        var rate = Best(() => FeatureMajorGemm<T>.Multiply(w, b, nin, nout, x, z, ld), (double)nin * nout * cols);
        Console.WriteLine($"GEMM {typeof(T).Name,-6} {nin,5}x{nout,-5} {cols,4} columns: {rate,6:F1} MAC/ns");
    }

    private static unsafe Span<double> Aligned(int n, int offsetDoubles)
    {
        var a = GC.AllocateArray<double>(n + 16, pinned: true);
        fixed (double* p = a)
        {
            var skip = (int)((64 - ((long)p & 63)) & 63) / 8 + offsetDoubles;
            return a.AsSpan(skip, n);
        }
    }

    private static void AlignedGemm(int nin, int nout, int cols, int offset)
    {
        var rng = new Random(1);
        var ld = FeatureMajorGemm<double>.Pad(cols);
        var w = Aligned(nin * nout, offset);
        FeatureMajorGemm<double>.Pack(Enumerable.Range(0, nin * nout).Select(_ => rng.NextDouble() - 0.5).ToArray(), nin, nout).CopyTo(w);
        var b = Enumerable.Range(0, nout).Select(_ => rng.NextDouble()).ToArray();
        var x = Aligned(nin * ld, offset);
        for (var q = 0; q < x.Length; q++) x[q] = rng.NextDouble();
        var z = Aligned(nout * ld, offset);
        var wa = w.ToArray();
        unsafe
        {
            fixed (double* wp = w, xp = x, zp = z)
            {
                var (pw, px, pz) = ((nint)wp, (nint)xp, (nint)zp);
                var rate = Best(() => FeatureMajorGemm<double>.Multiply(new ReadOnlySpan<double>((void*)pw, nin * nout), b, nin, nout,
                    new ReadOnlySpan<double>((void*)px, nin * ld), new Span<double>((void*)pz, nout * ld), ld), (double)nin * nout * cols);
                Console.WriteLine($"GEMM double {nin,5}x{nout,-5} {cols,4} columns, data {offset * 8} bytes past a 64-byte boundary: {rate,6:F1} MAC/ns");
            }
        }
    }

    private static void Tanh<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(2);
        var x = Enumerable.Range(0, 8192).Select(_ => T.CreateTruncating(rng.NextDouble() * 6 - 3)).ToArray();
        var y = new T[x.Length];
        var rate = Best(() => VectorMath.Tanh<T>(x, y), x.Length);
        Console.WriteLine($"tanh {typeof(T).Name,-6}: {1 / rate:F3} ns/value");
    }
}
