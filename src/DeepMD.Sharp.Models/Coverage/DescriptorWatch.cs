namespace DeepMD.Sharp.Models.Coverage;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

/// <summary>
/// Looks at every center's descriptor (the fitting net's input) as an evaluator computes it, through
/// <see cref="Evaluation.EvaluationOptions.DescriptorWatch"/>. Two modes: <see cref="Recording"/> widens per-type
/// [min, max] ranges (what <c>dpsharp coverage</c> stores in a model), <see cref="Checker"/> compares with allowed
/// ranges and keeps the worst component that leaves them (what the extrapolation guard reports). Backends call
/// <see cref="ObserveBatch{T}"/> (feature-major batches, vectorised) or <see cref="Observe"/> (one center); centers
/// may be observed from several threads at once. A backend that does not call it leaves <see cref="Observed"/> at 0,
/// so the caller can say the descriptor was not checked.
/// </summary>
public sealed class DescriptorWatch
{
    private readonly double[][] _lo, _hi; // per center type: allowed range (checking) or the range seen (recording)
    private readonly float[][] _loF, _hiF;
    private readonly object _gate = new();
    private long _observed;

    private DescriptorWatch(double[][] lo, double[][] hi, bool recording)
    {
        _lo = lo;
        _hi = hi;
        Recording = recording;
        _loF = lo.Select(a => a.Select(v => (float)v).ToArray()).ToArray();
        _hiF = hi.Select(a => a.Select(v => (float)v).ToArray()).ToArray();
    }

    /// <summary>A watch that records the range of each component, per center type.</summary>
    public static DescriptorWatch Recorder(int typeCount, int descriptorSize)
    {
        var lo = new double[typeCount][];
        var hi = new double[typeCount][];
        for (var t = 0; t < typeCount; t++)
        {
            lo[t] = Enumerable.Repeat(double.PositiveInfinity, descriptorSize).ToArray();
            hi[t] = Enumerable.Repeat(double.NegativeInfinity, descriptorSize).ToArray();
        }
        return new DescriptorWatch(lo, hi, recording: true);
    }

    /// <summary>
    /// A watch that checks each component against the training range widened by <paramref name="margin"/> times its
    /// width on each side (types never seen in training are not checked).
    /// </summary>
    public static DescriptorWatch Checker(TrainingCoverage coverage, double margin)
    {
        var nt = coverage.TypeCount;
        var lo = new double[nt][];
        var hi = new double[nt][];
        for (var t = 0; t < nt; t++)
        {
            var ds = coverage.DescriptorMin!.GetLength(1);
            lo[t] = new double[ds];
            hi[t] = new double[ds];
            for (var k = 0; k < ds; k++)
            {
                if (coverage.CenterCounts[t] == 0)
                {
                    lo[t][k] = double.NegativeInfinity;
                    hi[t][k] = double.PositiveInfinity;
                    continue;
                }
                double a = coverage.DescriptorMin[t, k], b = coverage.DescriptorMax![t, k];
                var w = (b - a) * margin;
                lo[t][k] = a - w;
                hi[t][k] = b + w;
            }
        }
        return new DescriptorWatch(lo, hi, recording: false) { Coverage = coverage };
    }

    /// <summary>Whether this watch records ranges (else it checks them).</summary>
    public bool Recording { get; }

    /// <summary>The training coverage a checker compares with (null for a recorder).</summary>
    public TrainingCoverage? Coverage { get; private init; }

    private long _slowBatches;

    /// <summary>Batches whose vector check saw a value outside and were scanned center by center (diagnostics).</summary>
    public long SlowBatches => Interlocked.Read(ref _slowBatches);

    /// <summary>Centers observed since the last <see cref="Reset"/>.</summary>
    public long Observed => Interlocked.Read(ref _observed);

    /// <summary>The worst component outside its range since the last <see cref="Reset"/> (checking), or null.</summary>
    public DescriptorExcursion? Worst { get; private set; }

    /// <summary>Centers with a component outside its range since the last <see cref="Reset"/>.</summary>
    public int OutsideCount { get; private set; }

    /// <summary>Forgets what was observed (ranges recorded so far are kept).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _observed, 0);
        Worst = null;
        OutsideCount = 0;
    }

    /// <summary>The range recorded (or allowed) for component <paramref name="k"/> of center type <paramref name="type"/>.</summary>
    public (double Min, double Max) Range(int type, int k) => (_lo[type][k], _hi[type][k]);

    /// <summary>Observes the descriptor of one center (atom index <paramref name="center"/>, model type <paramref name="type"/>).</summary>
    public void Observe(int center, int type, ReadOnlySpan<double> descriptor)
    {
        Interlocked.Increment(ref _observed);
        double[] lo = _lo[type], hi = _hi[type];
        if (Recording)
        {
            lock (_gate)
                for (var k = 0; k < descriptor.Length; k++)
                {
                    var v = descriptor[k];
                    if (v < lo[k]) lo[k] = v;
                    if (v > hi[k]) hi[k] = v;
                }
            return;
        }
        for (var k = 0; k < descriptor.Length; k++)
        {
            var v = descriptor[k];
            if (v < lo[k] || v > hi[k])
            {
                ReportCenter(center, type, descriptor);
                return;
            }
        }
    }

    /// <summary>
    /// Observes a batch of centers of one type whose descriptors are the first <paramref name="size"/> rows of the
    /// feature-major <paramref name="x"/> (row k, column c at k·<paramref name="ldf"/> + c); columns past
    /// <c>centers.Length</c> are ignored. The check is vectorised: a batch inside its ranges costs two compares per value.
    /// </summary>
    public void ObserveBatch<T>(int type, ReadOnlySpan<T> x, int ldf, int size, ReadOnlySpan<int> centers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var n = centers.Length;
        if (n == 0) return;
        if (Recording || typeof(T) != typeof(float) && typeof(T) != typeof(double) || ldf % Vector<T>.Count != 0)
        {
            var column = new double[size];
            for (var c = 0; c < n; c++)
            {
                for (var k = 0; k < size; k++) column[k] = double.CreateTruncating(x[k * ldf + c]);
                Observe(centers[c], type, column);
            }
            return;
        }
        Interlocked.Add(ref _observed, n);
        var w = Vector<T>.Count;
        var full = n / w * w; // whole vectors of real columns; the rest is checked lane by lane
        var bad = Vector<T>.Zero;
        ref var x0 = ref MemoryMarshal.GetReference(x);
        var isFloat = typeof(T) == typeof(float);
        float[] loF = _loF[type], hiF = _hiF[type];
        double[] lo = _lo[type], hi = _hi[type];
        var anyTail = false;
        for (var k = 0; k < size; k++)
        {
            T a, b;
            if (isFloat)
            {
                a = Unsafe.As<float, T>(ref loF[k]);
                b = Unsafe.As<float, T>(ref hiF[k]);
            }
            else
            {
                a = Unsafe.As<double, T>(ref lo[k]);
                b = Unsafe.As<double, T>(ref hi[k]);
            }
            var va = new Vector<T>(a);
            var vb = new Vector<T>(b);
            ref var row = ref Unsafe.Add(ref x0, k * ldf);
            for (var c = 0; c < full; c += w)
            {
                var v = Vector.LoadUnsafe(ref row, (nuint)c);
                bad |= Vector.LessThan(v, va) | Vector.GreaterThan(v, vb);
            }
            for (var c = full; c < n; c++)
            {
                var v = Unsafe.Add(ref row, c);
                if (v < a || v > b) anyTail = true;
            }
        }
        if (!anyTail && bad == Vector<T>.Zero) return;
        Interlocked.Increment(ref _slowBatches);
        // Rare: find which centers left their ranges (in double, against the double ranges).
        var col = new double[size];
        for (var c = 0; c < n; c++)
        {
            for (var k = 0; k < size; k++) col[k] = double.CreateTruncating(Unsafe.Add(ref x0, k * ldf + c));
            for (var k = 0; k < size; k++)
                if (col[k] < lo[k] || col[k] > hi[k])
                {
                    ReportCenter(centers[c], type, col);
                    break;
                }
        }
    }

    private void ReportCenter(int center, int type, ReadOnlySpan<double> descriptor)
    {
        // The component that leaves its training range by the most, in units of the range's width.
        var cov = Coverage;
        DescriptorExcursion? worst = null;
        for (var k = 0; k < descriptor.Length; k++)
        {
            var v = descriptor[k];
            if (v >= _lo[type][k] && v <= _hi[type][k]) continue;
            double a = cov?.DescriptorMin![type, k] ?? _lo[type][k], b = cov?.DescriptorMax![type, k] ?? _hi[type][k];
            var width = Math.Max(b - a, 1e-300);
            var excess = (v < a ? a - v : v - b) / width;
            if (worst is null || excess > worst.Excess) worst = new DescriptorExcursion(center, type, k, v, a, b, excess);
        }
        if (worst is null) return;
        lock (_gate)
        {
            OutsideCount++;
            if (Worst is null || worst.Excess > Worst.Excess || worst.Excess == Worst.Excess && worst.Center < Worst.Center) Worst = worst;
        }
    }

    /// <summary>The recorded ranges, [type, component] (±∞ where a type was never observed).</summary>
    public (double[,] Min, double[,] Max) Ranges()
    {
        var nt = _lo.Length;
        var ds = nt == 0 ? 0 : _lo[0].Length;
        var min = new double[nt, ds];
        var max = new double[nt, ds];
        for (var t = 0; t < nt; t++)
            for (var k = 0; k < ds; k++)
            {
                min[t, k] = _lo[t][k];
                max[t, k] = _hi[t][k];
            }
        return (min, max);
    }
}

/// <summary>A descriptor component of <paramref name="Center"/> outside the training range [<paramref name="Min"/>, <paramref name="Max"/>]; <paramref name="Excess"/> is the distance outside in units of the range's width.</summary>
public sealed record DescriptorExcursion(int Center, int Type, int Component, double Value, double Min, double Max, double Excess);
