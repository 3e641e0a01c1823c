namespace DeepMD.Sharp.Cpu;

using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The fused CPU backend for se_e2_a: atoms of one type are processed in small batches; for each neighbor type the
/// real neighbor slots of the whole batch go through the embedding net as one feature-major SIMD batch; the constant
/// contribution of padded slots is precomputed once; the fitting net runs batched over the atoms; the backward pass
/// mirrors the forward one. Networks run in precision <typeparamref name="T"/> (double or float); environment
/// matrices, descriptor accumulation, energy and virial stay in double.
/// </summary>
public sealed class CpuSeAEvaluator<T> : CpuEvaluatorBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SeE2ASpec _d;
    private readonly PackedNetwork<T>?[] _embeddings; // NetworkCollection index
    private readonly PackedTable<T>?[]? _tables;      // compressed embedding (NetworkCollection index), or null
    private readonly int _tablePaddedChannels;         // the tables' channels rounded up to whole vectors (all alike)
    private readonly double[] _padG;                  // [ti][tt][M1]: embedding of a padded slot's s
    private readonly double[] _padR;                  // [ti][tt][4]: normalised row of a padded slot
    private readonly double[] _padOuter;              // [ti][tt][4][M1]: pad row[q] · G(pad row)[a] (T's per-center layout)
    private readonly double[] _invStd;                // [ti][tt][4]: 1/dstd (uniform within a type block)
    private readonly double[] _mean;                  // [ti][tt][4]: davg (uniform within a type block)

    public CpuSeAEvaluator(DeepPotModel model)
        : base(model, NameFor(model))
    {
        if (!Supports(model, out var why)) throw new ArgumentException(why);
        _d = (SeE2ASpec)model.Descriptor;
        var nt = _d.TypeCount;
        _embeddings = _d.Embeddings.Select(n => n is null ? null : new PackedNetwork<T>(n)).ToArray();
        _tables = _d.Tables?.Select(t => t is null ? null : new PackedTable<T>(t)).ToArray();
        _tablePaddedChannels = _tables?.FirstOrDefault(t => t is not null)?.PaddedChannels ?? 0;
        var m1 = _d.EmbeddingWidth;
        _padG = new double[nt * nt * m1];
        _padR = new double[nt * nt * 4];
        _padOuter = new double[nt * nt * m1 * 4];
        _invStd = new double[nt * nt * 4];
        _mean = new double[nt * nt * 4];
        var deriv = new double[m1];
        for (var ti = 0; ti < nt; ti++)
            for (var tt = 0; tt < nt; tt++)
            {
                var k = (ti * _d.SlotCount + _d.SelOffsets[tt]) * 4;
                for (var c = 0; c < 4; c++)
                {
                    _mean[(ti * nt + tt) * 4 + c] = _d.Davg[k + c];
                    _invStd[(ti * nt + tt) * 4 + c] = 1.0 / _d.Dstd[k + c];
                    _padR[(ti * nt + tt) * 4 + c] = -_d.Davg[k + c] / _d.Dstd[k + c];
                }
                if (_d.Sel[tt] > 0 && _d.TableFor(ti, tt) is { } table)
                    table.Evaluate(_padR[(ti * nt + tt) * 4], _padG.AsSpan((ti * nt + tt) * m1, m1), deriv);
                else if (_d.Sel[tt] > 0 && _d.EmbeddingFor(ti, tt) is { } net)
                    net.EvaluateScalar(_padR[(ti * nt + tt) * 4], _padG.AsSpan((ti * nt + tt) * m1, m1), deriv);
                for (var a = 0; a < m1; a++)
                    for (var c = 0; c < 4; c++)
                        _padOuter[(ti * nt + tt) * m1 * 4 + c * m1 + a] = _padG[(ti * nt + tt) * m1 + a] * _padR[(ti * nt + tt) * 4 + c];
            }
    }

    private static string NameFor(DeepPotModel model) =>
        (typeof(T) == typeof(double) ? "cpu-f64" : "cpu-f32") + (model.Descriptor is SeE2ASpec { IsCompressed: true } ? "-compressed" : "");

    // Larger batches amortise streaming the fitting weights (several MB, beyond L2, read twice per batch) over more
    // atoms, but the batch's embedding outputs (G and dG/ds: ~160 KB per atom for full double nets, half that in float,
    // ~80 KB for tables in float) and its fitting activations grow with it. Measured on the water example (12,288 atoms,
    // 2 cores, 512-bit vectors, interleaved runs, after weight prefetching): full double nets 105-108 CPU-µs/atom-step
    // at 32 against 115-126 at 64; full float nets and float tables equal or better at 64; 96 and 128 slower.
    private protected override bool ChecksNeighborCountsInBatches => true;

    protected override int BatchSize => typeof(T) == typeof(double) && _tables is null ? MaxBatchSize / 2 : MaxBatchSize;

    /// <summary>
    /// Whether this backend can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why
    /// (the reference backend handles every model).
    /// </summary>
    public static bool Supports(DeepPotModel model, out string reason)
    {
        if (model.Descriptor is not SeE2ASpec d)
        {
            reason = $"this is the se_e2_a evaluator; the model's descriptor is {model.Descriptor.TypeName}";
            return false;
        }
        var nnei = d.SlotCount;
        for (var ti = 0; ti < d.TypeCount; ti++)
            for (var tt = 0; tt < d.TypeCount; tt++)
                for (var k = d.SelOffsets[tt] + 1; k < d.SelOffsets[tt + 1]; k++)
                    for (var c = 0; c < 4; c++)
                    {
                        var first = (ti * nnei + d.SelOffsets[tt]) * 4 + c;
                        var here = (ti * nnei + k) * 4 + c;
                        if (d.Davg[here] != d.Davg[first] || d.Dstd[here] != d.Dstd[first])
                        {
                            reason = "the model's davg/dstd differ between slots of one type block (not produced by DeePMD-kit's statistics); " +
                                     "the CPU backend needs them uniform per block";
                            return false;
                        }
                    }
        if (model.Fitting.MixedTypes)
        {
            reason = "the CPU backend expects one fitting net per type (se_e2_a models have them)";
            return false;
        }
        reason = "";
        return true;
    }

    /// <summary>
    /// The normalised environment rows R̃ of every column (zero for fillers) into <paramref name="rt"/> ([4][ld]), a
    /// vector of columns at a time from the displacements the gather stored; the block's R becomes r. The arithmetic is
    /// <see cref="EnvironmentRow.Raw"/>'s and the switch's, operation for operation, so the rows equal the scalar ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // own JIT inlining budget (ProcessBatch is large)
    private void EnvironmentRows(SlotBlock block, Span<T> rt, int ld, int pb)
    {
        var dv = Vector<double>.Count;
        var perT = Vector<T>.Count / dv; // double vectors per vector of T: 1 (double) or 2 (float)
        ref var rr = ref MemoryMarshal.GetReference(rt);
        Span<Vector<double>> rows = stackalloc Vector<double>[8];
        for (var v = 0; v < block.Count; v += Vector<T>.Count)
        {
            for (var h = 0; h < perT; h++)
            {
                var k = v + h * dv;
                var r2 = new Vector<double>(block.R.AsSpan(k, dv));
                var real = Vector.GreaterThanOrEqual(r2, Vector<double>.Zero);
                var r = Vector.SquareRoot(Vector.Max(r2, Vector<double>.Zero));
                r.CopyTo(block.R.AsSpan(k, dv));
                var (w, _) = SwitchVector(r);
                var inv = Vector<double>.One / (r + new Vector<double>(_d.EnvProtection));
                var r0 = w * inv;
                var inv2 = r0 * inv;
                rows[h] = Vector.ConditionalSelect(real, (r0 - new Vector<double>(_mean[pb])) * new Vector<double>(_invStd[pb]), Vector<double>.Zero);
                rows[2 + h] = Vector.ConditionalSelect(real,
                    (inv2 * new Vector<double>(block.Dx.AsSpan(k, dv)) - new Vector<double>(_mean[pb + 1])) * new Vector<double>(_invStd[pb + 1]), Vector<double>.Zero);
                rows[4 + h] = Vector.ConditionalSelect(real,
                    (inv2 * new Vector<double>(block.Dy.AsSpan(k, dv)) - new Vector<double>(_mean[pb + 2])) * new Vector<double>(_invStd[pb + 2]), Vector<double>.Zero);
                rows[6 + h] = Vector.ConditionalSelect(real,
                    (inv2 * new Vector<double>(block.Dz.AsSpan(k, dv)) - new Vector<double>(_mean[pb + 3])) * new Vector<double>(_invStd[pb + 3]), Vector<double>.Zero);
            }
            for (var q = 0; q < 4; q++)
            {
                Vector<T> row;
                if (typeof(T) == typeof(double)) row = rows[2 * q].As<double, T>();
                else row = Vector.Narrow(rows[2 * q], rows[2 * q + 1]).As<float, T>();
                row.StoreUnsafe(ref rr, (nuint)(q * ld + v));
            }
        }
    }

    /// <summary><see cref="ReferenceEvaluator.Switch"/> lane by lane (same operations in the same order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private (Vector<double> W, Vector<double> Dw) SwitchVector(Vector<double> r)
    {
        var rs = new Vector<double>(_d.RcutSmooth);
        var rc = new Vector<double>(_d.Rcut);
        var inverseWidth = new Vector<double>(1 / (_d.Rcut - _d.RcutSmooth));
        var u = (r - rs) * inverseWidth;
        var w = u * u * u * (new Vector<double>(-6) * u * u + new Vector<double>(15) * u - new Vector<double>(10)) + Vector<double>.One;
        var oneMinusU = Vector<double>.One - u;
        var dw = new Vector<double>(-30) * u * u * oneMinusU * oneMinusU * inverseWidth;
        var inner = Vector.GreaterThan(r, rs);
        var outer = Vector.GreaterThanOrEqual(r, rc);
        w = Vector.ConditionalSelect(inner, Vector.ConditionalSelect(outer, Vector<double>.Zero, w), Vector<double>.One);
        dw = Vector.ConditionalSelect(inner & ~outer, dw, Vector<double>.Zero);
        return (w, dw);
    }

    /// <summary>
    /// Pair gradients g = ∂e/∂d from ∂e/∂R̃ (GradR, GradS) through the normalisation and the switch, a vector of
    /// columns at a time (<see cref="EnvironmentRow.PairGradient"/>'s arithmetic, operation for operation), stored to the
    /// columns' neighbor entries.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // own JIT inlining budget (ProcessBatch is large)
    private void WritePairGradients(SlotBlock block, int ld, int pair, double[] gx, double[] gy, double[] gz)
    {
        var dv = Vector<double>.Count;
        var perT = Vector<T>.Count / dv;
        var pb = pair * 4;
        ref var gr = ref MemoryMarshal.GetReference(block.GradR.AsSpan(0, 4 * ld));
        ref var gs = ref MemoryMarshal.GetReference(block.GradS.AsSpan(0, ld));
        Span<Vector<double>> widened = stackalloc Vector<double>[10];
        Span<double> outX = stackalloc double[dv];
        Span<double> outY = stackalloc double[dv];
        Span<double> outZ = stackalloc double[dv];
        var p = new Vector<double>(_d.EnvProtection);
        for (var v = 0; v < block.Count; v += Vector<T>.Count)
        {
            for (var q = 0; q < 5; q++)
            {
                var x = q < 4 ? Vector.LoadUnsafe(ref gr, (nuint)(q * ld + v)) : Vector.LoadUnsafe(ref gs, (nuint)v);
                if (typeof(T) == typeof(double)) widened[2 * q] = x.As<T, double>();
                else Vector.Widen(x.As<T, float>(), out widened[2 * q], out widened[2 * q + 1]);
            }
            for (var h = 0; h < perT; h++)
            {
                var k = v + h * dv;
                var dR0 = (widened[h] + widened[8 + h]) * new Vector<double>(_invStd[pb]);
                var dR1 = widened[2 + h] * new Vector<double>(_invStd[pb + 1]);
                var dR2 = widened[4 + h] * new Vector<double>(_invStd[pb + 2]);
                var dR3 = widened[6 + h] * new Vector<double>(_invStd[pb + 3]);
                var dx = new Vector<double>(block.Dx.AsSpan(k, dv));
                var dy = new Vector<double>(block.Dy.AsSpan(k, dv));
                var dz = new Vector<double>(block.Dz.AsSpan(k, dv));
                var r = new Vector<double>(block.R.AsSpan(k, dv));
                var (w, dw) = SwitchVector(r);
                var inv = Vector<double>.One / (r + p);
                var invR = Vector<double>.One / r;
                var diag = w * inv * inv;
                var c0 = (dw * inv - diag) * invR;
                var c1 = (dw * inv * inv - new Vector<double>(2) * diag * inv) * invR;
                var proj = dR1 * dx + dR2 * dy + dR3 * dz;
                (dR0 * c0 * dx + dR1 * diag + proj * c1 * dx).CopyTo(outX);
                (dR0 * c0 * dy + dR2 * diag + proj * c1 * dy).CopyTo(outY);
                (dR0 * c0 * dz + dR3 * diag + proj * c1 * dz).CopyTo(outZ);
                for (var l = 0; l < dv; l++)
                {
                    var e = block.Entry[k + l];
                    if (e < 0) continue;
                    gx[e] = outX[l];
                    gy[e] = outY[l];
                    gz[e] = outZ[l];
                }
            }
        }
    }

    /// <summary>D[a·M2+b][v] = Σ_q T[4a+q][v] T[4b+q][v] into the fitting input, every column of every descriptor row.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its own JIT inlining budget (see ComputeDT)
    private static void Descriptor(ref T tfr, ref T xr, int m1, int m2, int ldf)
    {
        var vcf = Vector<T>.Count;
        for (var v = 0; v < ldf; v += vcf)
            for (var a = 0; a < m1; a++)
            {
                // D[a][b] = Σ_q T[a][q] T[b][q]: T's row a stays in registers across b.
                ref var ta = ref Unsafe.Add(ref tfr, 4 * a * ldf + v);
                var a0 = Vector.LoadUnsafe(ref ta);
                var a1 = Vector.LoadUnsafe(ref ta, (nuint)ldf);
                var a2 = Vector.LoadUnsafe(ref ta, (nuint)(2 * ldf));
                var a3 = Vector.LoadUnsafe(ref ta, (nuint)(3 * ldf));
                for (var b = 0; b < m2; b++)
                {
                    ref var tb = ref Unsafe.Add(ref tfr, 4 * b * ldf + v);
                    var acc = a0 * Vector.LoadUnsafe(ref tb);
                    acc = FeatureMajorGemm<T>.Fma(a1, Vector.LoadUnsafe(ref tb, (nuint)ldf), acc);
                    acc = FeatureMajorGemm<T>.Fma(a2, Vector.LoadUnsafe(ref tb, (nuint)(2 * ldf)), acc);
                    acc = FeatureMajorGemm<T>.Fma(a3, Vector.LoadUnsafe(ref tb, (nuint)(3 * ldf)), acc);
                    acc.StoreUnsafe(ref xr, (nuint)((a * m2 + b) * ldf + v));
                }
            }
    }

    /// <summary>
    /// dT[4a+q][v] = invN·(Σ_b dD[a·M2+b][v] T[4b+q][v] + [a &lt; M2] Σ_a' dD[a'·M2+a][v] T[4a'+q][v]), all rows
    /// <paramref name="ldf"/> apart (feature-major over the batch's centers). With 32 vector registers four column vectors
    /// are done at once (16 accumulators): each dD row is then read as whole 256-byte runs instead of one vector per
    /// row, which matters for the second sum, whose dD rows lie M2·ldf elements (4 KB in float) apart. Same summation
    /// order either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // own JIT inlining budget (ProcessBatch is large)
    private static void ComputeDT(ref T gr, ref T tr, ref T dtr, int m1, int m2, int ldf, Vector<T> invN)
    {
        var vc = Vector<T>.Count;
        var v = 0;
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            for (; v + 4 * vc <= ldf; v += 4 * vc)
                for (var a = 0; a < m1; a++)
                {
                    Vector<T> d00 = default, d01 = default, d02 = default, d03 = default, d10 = default, d11 = default, d12 = default, d13 = default;
                    Vector<T> d20 = default, d21 = default, d22 = default, d23 = default, d30 = default, d31 = default, d32 = default, d33 = default;
                    // d[k][q]: column vector k, component q.
                    for (var pass = 0; pass < 2; pass++)
                    {
                        if (pass == 1 && a >= m2) break;
                        var count = pass == 0 ? m2 : m1;
                        for (var b = 0; b < count; b++)
                        {
                            ref var g = ref Unsafe.Add(ref gr, (pass == 0 ? a * m2 + b : b * m2 + a) * ldf + v);
                            ref var t = ref Unsafe.Add(ref tr, 4 * b * ldf + v);
                            var g0 = Vector.LoadUnsafe(ref g);
                            var g1 = Vector.LoadUnsafe(ref g, (nuint)vc);
                            var g2 = Vector.LoadUnsafe(ref g, (nuint)(2 * vc));
                            var g3 = Vector.LoadUnsafe(ref g, (nuint)(3 * vc));
                            d00 = FeatureMajorGemm<T>.Fma(g0, Vector.LoadUnsafe(ref t), d00);
                            d10 = FeatureMajorGemm<T>.Fma(g1, Vector.LoadUnsafe(ref t, (nuint)vc), d10);
                            d20 = FeatureMajorGemm<T>.Fma(g2, Vector.LoadUnsafe(ref t, (nuint)(2 * vc)), d20);
                            d30 = FeatureMajorGemm<T>.Fma(g3, Vector.LoadUnsafe(ref t, (nuint)(3 * vc)), d30);
                            t = ref Unsafe.Add(ref t, ldf);
                            d01 = FeatureMajorGemm<T>.Fma(g0, Vector.LoadUnsafe(ref t), d01);
                            d11 = FeatureMajorGemm<T>.Fma(g1, Vector.LoadUnsafe(ref t, (nuint)vc), d11);
                            d21 = FeatureMajorGemm<T>.Fma(g2, Vector.LoadUnsafe(ref t, (nuint)(2 * vc)), d21);
                            d31 = FeatureMajorGemm<T>.Fma(g3, Vector.LoadUnsafe(ref t, (nuint)(3 * vc)), d31);
                            t = ref Unsafe.Add(ref t, ldf);
                            d02 = FeatureMajorGemm<T>.Fma(g0, Vector.LoadUnsafe(ref t), d02);
                            d12 = FeatureMajorGemm<T>.Fma(g1, Vector.LoadUnsafe(ref t, (nuint)vc), d12);
                            d22 = FeatureMajorGemm<T>.Fma(g2, Vector.LoadUnsafe(ref t, (nuint)(2 * vc)), d22);
                            d32 = FeatureMajorGemm<T>.Fma(g3, Vector.LoadUnsafe(ref t, (nuint)(3 * vc)), d32);
                            t = ref Unsafe.Add(ref t, ldf);
                            d03 = FeatureMajorGemm<T>.Fma(g0, Vector.LoadUnsafe(ref t), d03);
                            d13 = FeatureMajorGemm<T>.Fma(g1, Vector.LoadUnsafe(ref t, (nuint)vc), d13);
                            d23 = FeatureMajorGemm<T>.Fma(g2, Vector.LoadUnsafe(ref t, (nuint)(2 * vc)), d23);
                            d33 = FeatureMajorGemm<T>.Fma(g3, Vector.LoadUnsafe(ref t, (nuint)(3 * vc)), d33);
                        }
                    }
                    ref var o = ref Unsafe.Add(ref dtr, 4 * a * ldf + v);
                    (d00 * invN).StoreUnsafe(ref o); (d10 * invN).StoreUnsafe(ref o, (nuint)vc);
                    (d20 * invN).StoreUnsafe(ref o, (nuint)(2 * vc)); (d30 * invN).StoreUnsafe(ref o, (nuint)(3 * vc));
                    o = ref Unsafe.Add(ref o, ldf);
                    (d01 * invN).StoreUnsafe(ref o); (d11 * invN).StoreUnsafe(ref o, (nuint)vc);
                    (d21 * invN).StoreUnsafe(ref o, (nuint)(2 * vc)); (d31 * invN).StoreUnsafe(ref o, (nuint)(3 * vc));
                    o = ref Unsafe.Add(ref o, ldf);
                    (d02 * invN).StoreUnsafe(ref o); (d12 * invN).StoreUnsafe(ref o, (nuint)vc);
                    (d22 * invN).StoreUnsafe(ref o, (nuint)(2 * vc)); (d32 * invN).StoreUnsafe(ref o, (nuint)(3 * vc));
                    o = ref Unsafe.Add(ref o, ldf);
                    (d03 * invN).StoreUnsafe(ref o); (d13 * invN).StoreUnsafe(ref o, (nuint)vc);
                    (d23 * invN).StoreUnsafe(ref o, (nuint)(2 * vc)); (d33 * invN).StoreUnsafe(ref o, (nuint)(3 * vc));
                }
        for (; v < ldf; v += vc)
            for (var a = 0; a < m1; a++)
            {
                // Four accumulators in registers (one per q); T rows 4b..4b+3 are adjacent, ldf apart.
                Vector<T> d0 = Vector<T>.Zero, d1 = Vector<T>.Zero, d2 = Vector<T>.Zero, d3 = Vector<T>.Zero;
                for (var b = 0; b < m2; b++)
                {
                    var g = Vector.LoadUnsafe(ref gr, (nuint)((a * m2 + b) * ldf + v));
                    ref var tb = ref Unsafe.Add(ref tr, 4 * b * ldf + v);
                    d0 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref tb), d0);
                    d1 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref tb, (nuint)ldf), d1);
                    d2 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref tb, (nuint)(2 * ldf)), d2);
                    d3 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref tb, (nuint)(3 * ldf)), d3);
                }
                if (a < m2)
                    for (var a2 = 0; a2 < m1; a2++)
                    {
                        var g = Vector.LoadUnsafe(ref gr, (nuint)((a2 * m2 + a) * ldf + v));
                        ref var ta = ref Unsafe.Add(ref tr, 4 * a2 * ldf + v);
                        d0 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref ta), d0);
                        d1 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref ta, (nuint)ldf), d1);
                        d2 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref ta, (nuint)(2 * ldf)), d2);
                        d3 = FeatureMajorGemm<T>.Fma(g, Vector.LoadUnsafe(ref ta, (nuint)(3 * ldf)), d3);
                    }
                (d0 * invN).StoreUnsafe(ref dtr, (nuint)(4 * a * ldf + v));
                (d1 * invN).StoreUnsafe(ref dtr, (nuint)((4 * a + 1) * ldf + v));
                (d2 * invN).StoreUnsafe(ref dtr, (nuint)((4 * a + 2) * ldf + v));
                (d3 * invN).StoreUnsafe(ref dtr, (nuint)((4 * a + 3) * ldf + v));
            }
    }

    /// <summary>
    /// Full-net forward of one center: tc[q·m1 + a] += Σ_v G[a][v] · R̃[q][v] over the center's <paramref name="n"/>
    /// columns, with G the center's own block (rows <paramref name="ldc"/> apart) and R̃ the batch's rows
    /// (<paramref name="ld"/> apart) from the center's first column. Two rows of G at a time share the loads of R̃.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // own JIT inlining budget (ProcessBatch is large)
    private static void AccumulateTCenter(ref T g, int ldc, ref T r, int ld, int n, int m1, Span<double> tc)
    {
        var vc = Vector<T>.Count;
        var a = 0;
        for (; a + 2 <= m1; a += 2)
        {
            ref var g0 = ref Unsafe.Add(ref g, a * ldc);
            ref var g1 = ref Unsafe.Add(ref g, (a + 1) * ldc);
            Vector<T> s00 = Vector<T>.Zero, s01 = Vector<T>.Zero, s02 = Vector<T>.Zero, s03 = Vector<T>.Zero;
            Vector<T> s10 = Vector<T>.Zero, s11 = Vector<T>.Zero, s12 = Vector<T>.Zero, s13 = Vector<T>.Zero;
            for (var v = 0; v < n; v += vc)
            {
                var r0 = Vector.LoadUnsafe(ref r, (nuint)v);
                var r1 = Vector.LoadUnsafe(ref r, (nuint)(ld + v));
                var r2 = Vector.LoadUnsafe(ref r, (nuint)(2 * ld + v));
                var r3 = Vector.LoadUnsafe(ref r, (nuint)(3 * ld + v));
                var x0 = Vector.LoadUnsafe(ref g0, (nuint)v);
                var x1 = Vector.LoadUnsafe(ref g1, (nuint)v);
                s00 = FeatureMajorGemm<T>.Fma(x0, r0, s00);
                s01 = FeatureMajorGemm<T>.Fma(x0, r1, s01);
                s02 = FeatureMajorGemm<T>.Fma(x0, r2, s02);
                s03 = FeatureMajorGemm<T>.Fma(x0, r3, s03);
                s10 = FeatureMajorGemm<T>.Fma(x1, r0, s10);
                s11 = FeatureMajorGemm<T>.Fma(x1, r1, s11);
                s12 = FeatureMajorGemm<T>.Fma(x1, r2, s12);
                s13 = FeatureMajorGemm<T>.Fma(x1, r3, s13);
            }
            var (u0, u1, u2, u3) = VectorReduce.Sum4(s00, s01, s02, s03);
            tc[a] += double.CreateTruncating(u0);
            tc[m1 + a] += double.CreateTruncating(u1);
            tc[2 * m1 + a] += double.CreateTruncating(u2);
            tc[3 * m1 + a] += double.CreateTruncating(u3);
            (u0, u1, u2, u3) = VectorReduce.Sum4(s10, s11, s12, s13);
            tc[a + 1] += double.CreateTruncating(u0);
            tc[m1 + a + 1] += double.CreateTruncating(u1);
            tc[2 * m1 + a + 1] += double.CreateTruncating(u2);
            tc[3 * m1 + a + 1] += double.CreateTruncating(u3);
        }
        for (; a < m1; a++)
        {
            ref var g0 = ref Unsafe.Add(ref g, a * ldc);
            Vector<T> s0 = Vector<T>.Zero, s1 = Vector<T>.Zero, s2 = Vector<T>.Zero, s3 = Vector<T>.Zero;
            for (var v = 0; v < n; v += vc)
            {
                var x0 = Vector.LoadUnsafe(ref g0, (nuint)v);
                s0 = FeatureMajorGemm<T>.Fma(x0, Vector.LoadUnsafe(ref r, (nuint)v), s0);
                s1 = FeatureMajorGemm<T>.Fma(x0, Vector.LoadUnsafe(ref r, (nuint)(ld + v)), s1);
                s2 = FeatureMajorGemm<T>.Fma(x0, Vector.LoadUnsafe(ref r, (nuint)(2 * ld + v)), s2);
                s3 = FeatureMajorGemm<T>.Fma(x0, Vector.LoadUnsafe(ref r, (nuint)(3 * ld + v)), s3);
            }
            var (u0, u1, u2, u3) = VectorReduce.Sum4(s0, s1, s2, s3);
            tc[a] += double.CreateTruncating(u0);
            tc[m1 + a] += double.CreateTruncating(u1);
            tc[2 * m1 + a] += double.CreateTruncating(u2);
            tc[3 * m1 + a] += double.CreateTruncating(u3);
        }
    }

    /// <summary>
    /// Full-net backward of one center, a vector of its columns at a time with the sums in registers over all channels:
    /// ∂L/∂R̃[q][v] = Σ_a dT[a][q] G[a][v] into <paramref name="gradR"/> and ∂L/∂s[v] = Σ_a (Σ_q dT[a][q] R̃[q][v])
    /// dG[a][v]/ds into <paramref name="gradS"/> (both written, not added to; batch rows <paramref name="ld"/> apart from
    /// the center's first column). G and dG/ds are the center's blocks (rows <paramref name="ldc"/> apart); the center's
    /// dT is [a][q] in <paramref name="dt"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // own JIT inlining budget (ProcessBatch is large)
    private static void BackwardCenter(ref T g, ref T tangent, int ldc, ref T r, ref T gradR, ref T gradS, int ld, int n, int m1, ref T dt)
    {
        var vc = Vector<T>.Count;
        for (var v = 0; v < n; v += vc)
        {
            var r0 = Vector.LoadUnsafe(ref r, (nuint)v);
            var r1 = Vector.LoadUnsafe(ref r, (nuint)(ld + v));
            var r2 = Vector.LoadUnsafe(ref r, (nuint)(2 * ld + v));
            var r3 = Vector.LoadUnsafe(ref r, (nuint)(3 * ld + v));
            Vector<T> d0 = Vector<T>.Zero, d1 = Vector<T>.Zero, d2 = Vector<T>.Zero, d3 = Vector<T>.Zero, ds = Vector<T>.Zero;
            ref var ga = ref Unsafe.Add(ref g, v);
            ref var ta = ref Unsafe.Add(ref tangent, v);
            ref var wa = ref dt;
            for (var a = 0; a < m1; a++)
            {
                var w0 = new Vector<T>(wa);
                var w1 = new Vector<T>(Unsafe.Add(ref wa, 1));
                var w2 = new Vector<T>(Unsafe.Add(ref wa, 2));
                var w3 = new Vector<T>(Unsafe.Add(ref wa, 3));
                var dg = FeatureMajorGemm<T>.Fma(w0, r0, FeatureMajorGemm<T>.Fma(w1, r1, FeatureMajorGemm<T>.Fma(w2, r2, w3 * r3)));
                ds = FeatureMajorGemm<T>.Fma(dg, Vector.LoadUnsafe(ref ta), ds);
                var x = Vector.LoadUnsafe(ref ga);
                d0 = FeatureMajorGemm<T>.Fma(w0, x, d0);
                d1 = FeatureMajorGemm<T>.Fma(w1, x, d1);
                d2 = FeatureMajorGemm<T>.Fma(w2, x, d2);
                d3 = FeatureMajorGemm<T>.Fma(w3, x, d3);
                ga = ref Unsafe.Add(ref ga, ldc);
                ta = ref Unsafe.Add(ref ta, ldc);
                wa = ref Unsafe.Add(ref wa, 4);
            }
            d0.StoreUnsafe(ref gradR, (nuint)v);
            d1.StoreUnsafe(ref gradR, (nuint)(ld + v));
            d2.StoreUnsafe(ref gradR, (nuint)(2 * ld + v));
            d3.StoreUnsafe(ref gradR, (nuint)(3 * ld + v));
            ds.StoreUnsafe(ref gradS, (nuint)v);
        }
    }

    /// <summary>
    /// Compressed forward: per column its center, table interval and offset; the batch's real columns counting-sorted
    /// by interval (stable, so the order is fixed); then T[c][a][q] += G[a] · R̃[q][col] slot by slot in that order, into
    /// per-center accumulators (<see cref="PackedTable{T}.AccumulateAt"/>). Visiting the table in address order, each
    /// coefficient row once for all the batch's slots in it, and storing no G or G′ (the backward pass recomputes them
    /// in the same order) replaced a slot-order lookup that wrote G and G′ (5.5 MB per float batch) for the backward:
    /// 0.88–0.91 of the float step time, 0.84 of the double one (in-process A/B, water).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // own JIT inlining budget (ProcessBatch is large)
    private static void AccumulateCompressed(Workspace ws, SlotBlock block, PackedTable<T> table, Span<T> rt, int ld, int m1, int bsz, Span<double> tacc)
    {
        var mp = table.PaddedChannels;
        var n = block.Count;
        if (block.Center.Length < n) block.Center = new int[n + n / 4];
        if (block.Interval.Length < n) block.Interval = new int[n + n / 4];
        if (block.Order.Length < n) block.Order = new int[n + n / 4];
        Workspace.Ensure(ref block.Tt, n);
        Workspace.Ensure(ref block.Extra, n);
        var counts = ws.SortCount.Length >= table.Intervals + 1 ? ws.SortCount : ws.SortCount = new int[table.Intervals + 1];
        Array.Clear(counts, 0, table.Intervals + 1);
        var tt = block.Tt.AsSpan(0, n);
        var ex = block.Extra.AsSpan(0, n);
        for (var c = 0; c < bsz; c++)
            for (var v = block.Start[c]; v < block.Start[c + 1]; v++)
            {
                block.Center[v] = c;
                if (block.Entry[v] < 0) continue;
                var idx = table.Locate(double.CreateTruncating(rt[v]), out tt[v], out ex[v]);
                block.Interval[v] = idx;
                counts[idx + 1]++;
            }
        for (var k = 0; k < table.Intervals; k++) counts[k + 1] += counts[k];
        var real = counts[table.Intervals];
        for (var v = 0; v < n; v++)
            if (block.Entry[v] >= 0) block.Order[counts[block.Interval[v]]++] = v;
        block.RealCount = real;
        Workspace.Ensure(ref ws.TAcc, bsz * 4 * mp);
        var acc = ws.TAcc.AsSpan(0, bsz * 4 * mp);
        acc.Clear();
        ref var ar = ref MemoryMarshal.GetReference(acc);
        for (var k = 0; k < real; k++)
        {
            var v = block.Order[k];
            table.AccumulateAt(block.Interval[v], tt[v], ex[v], rt[v], rt[ld + v], rt[2 * ld + v], rt[3 * ld + v],
                ref Unsafe.Add(ref ar, block.Center[v] * 4 * mp));
        }
        for (var c = 0; c < bsz; c++)
        {
            var tc = tacc.Slice(c * m1 * 4, m1 * 4);
            var ac = acc.Slice(c * 4 * mp, 4 * mp);
            AddWidened(ac, tc, m1);
        }
    }

    /// <summary>
    /// tc[q·m1 + a] += acc[<see cref="PackedTable{T}.Index"/>(a, q)] for one center: the accumulator's blocks are
    /// contiguous runs of channels per component, so whole vectors are widened to double and added (the element-wise
    /// version cost ~1 CPU-µs per atom of a float32 compressed water step).
    /// </summary>
    private static void AddWidened(Span<T> acc, Span<double> tc, int m1)
    {
        var vc = Vector<T>.Count;
        var dv = Vector<double>.Count;
        for (var q = 0; q < 4; q++)
        {
            var row = tc.Slice(q * m1, m1);
            for (var a0 = 0; a0 < m1; a0 += vc)
            {
                var src = acc.Slice(a0 / vc * 4 * vc + q * vc, vc);
                var count = Math.Min(vc, m1 - a0);
                if (count == vc && typeof(T) == typeof(float))
                {
                    Vector.Widen(Vector.AsVectorSingle(new Vector<T>(src)), out var lo, out var hi);
                    var d = row.Slice(a0, vc);
                    (new Vector<double>(d[..dv]) + lo).CopyTo(d[..dv]);
                    (new Vector<double>(d[dv..]) + hi).CopyTo(d[dv..]);
                }
                else if (count == vc && typeof(T) == typeof(double))
                {
                    var d = row.Slice(a0, vc);
                    (new Vector<double>(d) + Vector.AsVectorDouble(new Vector<T>(src))).CopyTo(d);
                }
                else
                    for (var l = 0; l < count; l++) row[a0 + l] += double.CreateTruncating(src[l]);
            }
        }
    }

    /// <summary>
    /// Compressed backward: G and G′ recomputed in the forward pass's interval order and contracted with the center's dT
    /// (<see cref="PackedTable{T}.ContractAt"/>): ∂L/∂R̃[q][col] = Σ_a dT[a][q] G[a], with the chain through the table,
    /// Σ_a (Σ_q dT[a][q] R̃[q][col]) G′[a], folded into row 0 (GradS = 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // own JIT inlining budget (ProcessBatch is large)
    private static void BackwardCompressed(Workspace ws, SlotBlock block, PackedTable<T> table, Span<T> rt, int ld, int m1, int bsz,
        ReadOnlySpan<T> dT, int ldf, Span<T> gradR)
    {
        var mp = table.PaddedChannels;
        gradR.Clear();
        block.GradS.AsSpan(0, ld).Clear();
        ref var dr = ref MemoryMarshal.GetReference(ws.DTc.AsSpan(0, bsz * 4 * mp));
        var tt = block.Tt.AsSpan(0, block.Count);
        var ex = block.Extra.AsSpan(0, block.Count);
        for (var k = 0; k < block.RealCount; k++)
        {
            var v = block.Order[k];
            var (s0, s1, s2, s3) = table.ContractAt(block.Interval[v], tt[v], ex[v], rt[v], rt[ld + v], rt[2 * ld + v], rt[3 * ld + v],
                ref Unsafe.Add(ref dr, block.Center[v] * 4 * mp));
            (gradR[v], gradR[ld + v], gradR[2 * ld + v], gradR[3 * ld + v]) = VectorReduce.Sum4(s0, s1, s2, s3);
        }
    }

    private protected override void ProcessBatch(Workspace ws, int[] centers, int[] types, NeighborList nl, double[]? fparam, EvaluationOptions options,
        double[] atomEnergy, double[] gx, double[] gy, double[] gz)
    {
        var tick = Profile.Start();
        var d = _d;
        var nt = d.TypeCount;
        var m1 = d.EmbeddingWidth;
        var m2 = d.AxisNeuron;
        var nnei = d.SlotCount;
        var ti = types[centers[0]];
        var bsz = centers.Length;
        var rc2 = d.Rcut * d.Rcut;
        Array.Clear(ws.Counts);
        Array.Clear(ws.PairExcluded);
        foreach (var block in ws.Slots) block.Reset();

        var overlap2 = ws.CheckCounts ? options.OverlapDistance * options.OverlapDistance : -1;
        Profile.Mark(ref tick, 0, false);
        // 1. Gather contributing slots per neighbor type; count occupied and pair-excluded ones. The blocks get room for
        // every entry of the batch first, so columns are appended without capacity checks.
        var entries = 0;
        foreach (var i in centers) entries += nl.Offsets[i + 1] - nl.Offsets[i];
        foreach (var block in ws.Slots) block.Reserve(entries + bsz * Vector<T>.Count);
        if (ws.Kind.Length < nt) ws.Kind = new byte[nt];
        var kind = ws.Kind; // per neighbor type: 0 contributes, 1 pair-excluded, 2 excluded from the descriptor
        for (var tj = 0; tj < nt; tj++) kind[tj] = (byte)(Model.IsPairExcluded(ti, tj) ? 1 : d.IsExcluded(ti, tj) ? 2 : 0);
        double[] dxs = nl.Dx, dys = nl.Dy, dzs = nl.Dz;
        var owner = nl.Owner;
        var counts = ws.Counts;
        for (var c = 0; c < bsz; c++)
        {
            var i = centers[c];
            foreach (var block in ws.Slots) block.Start[c] = block.Count;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var r2 = dxs[e] * dxs[e] + dys[e] * dys[e] + dzs[e] * dzs[e];
                // Entries that get no column get a zero pair gradient here (the backward pass writes the others).
                if (r2 > rc2) { gx[e] = gy[e] = gz[e] = 0; continue; }
                if (r2 < overlap2) ws.Problem = true;
                var tj = types[owner[e]];
                counts[c * nt + tj]++;
                if (kind[tj] != 0)
                {
                    if (kind[tj] == 1) ws.PairExcluded[c * nt + tj]++;
                    gx[e] = gy[e] = gz[e] = 0; // a descriptor-excluded neighbor occupies a slot and contributes nothing
                    continue;
                }
                ws.Slots[tj].Append(e, dxs[e], dys[e], dzs[e], r2);
            }
            // Each center's columns start at a whole vector. Packing them instead (masking each center's last vector in
            // the contractions) saves the ~7% filler columns in the nets but makes every load of the contractions
            // unaligned: measured no faster overall (f64 water, 512-bit), so not kept.
            foreach (var block in ws.Slots) block.Align();
            if (ws.CheckCounts)
                for (var tj = 0; tj < nt; tj++)
                    if (ws.Counts[c * nt + tj] > d.Sel[tj]) ws.Problem = true;
        }
        foreach (var block in ws.Slots) block.Start[bsz] = block.Count;
        if (ws.Problem) return; // the caller's whole-list check reports it

        Profile.Mark(ref tick, 0, true);
        // 2. Embedding forward per neighbor type and accumulation of T (double).
        var tacc = ws.T.AsSpan(0, bsz * m1 * 4); // per center [q][a]
        tacc.Clear();
        var vc = Vector<T>.Count;
        var sub = Profile.Start();
        for (var tt = 0; tt < nt; tt++)
        {
            var block = ws.Slots[tt];
            if (block.Count == 0) continue;
            var netIndex = d.TypeOneSide ? tt : ti + nt * tt;
            var table = _tables?[netIndex];
            var net = _embeddings[netIndex]
                      ?? throw new UserInputException($"the model has no embedding net for center type {ti}, neighbor type {tt}", Model.Source);
            var ld = FeatureMajorGemm<T>.Pad(block.Count);
            block.Ld = ld;
            Workspace.Ensure(ref block.Rt, ld * 4);
            Workspace.Ensure(ref block.GradS, ld);
            Workspace.Ensure(ref block.GradR, 4 * ld);
            Workspace.Ensure(ref ws.Scratch, 4 * Math.Max(net.MaxWidth * ld, 1));
            var pb = (ti * nt + tt) * 4;
            var rt = block.Rt.AsSpan(0, 4 * ld);
            rt.Slice(block.Count, ld - block.Count).Clear();
            rt.Slice(ld + block.Count, ld - block.Count).Clear();
            rt.Slice(2 * ld + block.Count, ld - block.Count).Clear();
            rt.Slice(3 * ld + block.Count, ld - block.Count).Clear();
            EnvironmentRows(block, rt, ld, pb);
            Profile.Mark(ref sub, 7, true);
            if (table is not null)
            {
                // Compressed: T from the table in interval order; nothing per slot is kept but its interval and offset.
                AccumulateCompressed(ws, block, table, rt, ld, m1, bsz, tacc);
                Profile.Mark(ref sub, 8, true);
                continue;
            }
            // Full nets, one center at a time: its G and dG/ds go to blocks of their own ([M1][ldc], ldc the center's
            // columns padded against 4K aliasing) and T is accumulated while the block is still in cache. The backward
            // pass then reads each center's blocks contiguously.
            var size = 0;
            var widest = 0;
            for (var c = 0; c < bsz; c++)
            {
                var cols = block.Start[c + 1] - block.Start[c];
                var ldc = cols == 0 ? 0 : FeatureMajorGemm<T>.Pad(cols);
                block.NetOffset[c] = size;
                block.NetLd[c] = ldc;
                size += m1 * ldc;
                widest = Math.Max(widest, ldc);
            }
            Workspace.Ensure(ref block.G, size);
            Workspace.Ensure(ref block.Saved, size);
            Workspace.Ensure(ref ws.Scratch, 4 * net.MaxWidth * widest);
            ref var rr = ref MemoryMarshal.GetReference(rt);
            for (var c = 0; c < bsz; c++)
            {
                int c0 = block.Start[c], cols = block.Start[c + 1] - c0, ldc = block.NetLd[c];
                if (cols == 0) continue;
                var gc = block.G.AsSpan(block.NetOffset[c], m1 * ldc);
                net.ForwardTangent(rt[c0..], gc, block.Saved.AsSpan(block.NetOffset[c], m1 * ldc), ldc, ws.Scratch, cols);
                AccumulateTCenter(ref MemoryMarshal.GetReference(gc), ldc, ref Unsafe.Add(ref rr, c0), ld, cols, m1, tacc.Slice(c * m1 * 4, m1 * 4));
            }
            Profile.Mark(ref sub, 8, true); // embedding forward and T together (a clock read per center would cost more than T)
        }

        Profile.Mark(ref tick, 1, true);
        // 3. Padded slots: a constant row per (center type, neighbor type), counted per center.
        for (var c = 0; c < bsz; c++)
        {
            var tc = tacc.Slice(c * m1 * 4, m1 * 4);
            for (var tt = 0; tt < nt; tt++)
            {
                var pad = d.Sel[tt] - ws.Counts[c * nt + tt] + ws.PairExcluded[c * nt + tt];
                if (pad == 0) continue;
                // tc += pad · (G(pad row) ⊗ pad row), the outer product precomputed: one vector pass.
                TensorPrimitives.MultiplyAdd(_padOuter.AsSpan((ti * nt + tt) * m1 * 4, m1 * 4), (double)pad, tc, tc);
            }
            TensorPrimitives.Multiply(tc, 1.0 / nnei, tc);
        }

        Profile.Mark(ref tick, 2, true);
        // 4. Descriptor and fitting input, feature-major over the batch.
        // The descriptor loop below writes every column of the descriptor rows (padding columns from T's zero columns).
        var x = FittingInput(ws, ti, centers, fparam, options, out var ldf, descriptorWritten: true);
        // T feature-major over the batch (row a·4+q, column = center) so D and dT are vector loops over centers. Written
        // row by row (contiguous stores, no bounds checks): the center-by-center version with strided stores cost ~0.8
        // CPU-µs per atom of a float32 compressed water step.
        Workspace.Ensure(ref ws.TFeature, m1 * 4 * ldf);
        var tf = ws.TFeature.AsSpan(0, m1 * 4 * ldf);
        {
            ref var src0 = ref MemoryMarshal.GetReference(tacc);
            ref var dst0 = ref MemoryMarshal.GetReference(tf);
            var centerStride = m1 * 4;
            for (var a = 0; a < m1; a++)
                for (var q = 0; q < 4; q++)
                {
                    ref var row = ref Unsafe.Add(ref dst0, (4 * a + q) * ldf);
                    ref var src = ref Unsafe.Add(ref src0, q * m1 + a);
                    for (var c = 0; c < bsz; c++) Unsafe.Add(ref row, c) = T.CreateTruncating(Unsafe.Add(ref src, c * centerStride));
                    for (var c = bsz; c < ldf; c++) Unsafe.Add(ref row, c) = T.Zero;
                }
        }
        Descriptor(ref MemoryMarshal.GetReference(tf), ref MemoryMarshal.GetReference(x), m1, m2, ldf);

        Profile.Mark(ref tick, 3, true);
        // 5. Fitting forward and backward (∂e/∂out = 1 for real columns).
        var dxFit = RunFitting(ws, ti, centers, ldf, atomEnergy, options);

        Profile.Mark(ref tick, 4, true);
        // 6. dT from dD, including the 1/nnei of T = (1/nnei) Σ G ⊗ R̃.
        // dT[a][q] = Σ_b dD[a][b] T[b][q] + [a < M2] Σ_a' dD[a'][a] T[a'][q], vectorised over the batch's centers and
        // stored feature-major like T (row 4a+q, column = center): whole-vector stores (picking lanes out one by one into
        // a per-center array cost more than computing them).
        Workspace.Ensure(ref ws.DTFeature, m1 * 4 * ldf);
        var dT = ws.DTFeature.AsSpan(0, m1 * 4 * ldf);
        ref var dtr = ref MemoryMarshal.GetReference(dT);
        var invN = new Vector<T>(T.One / T.CreateTruncating(nnei));
        ref var gr = ref MemoryMarshal.GetReference(dxFit);
        ref var tr = ref MemoryMarshal.GetReference(tf);
        ComputeDT(ref gr, ref tr, ref dtr, m1, m2, ldf, invN);

        // dT per center in the tables' blocked layout (zero in the padding channels), once for all neighbor types:
        // rows of dT are read contiguously.
        if (_tables is null)
        {
            // Full nets: dT per center as [a][q], read in channel order by the per-center backward pass.
            Workspace.Ensure(ref ws.DTc, bsz * 4 * m1);
            var dtc = ws.DTc.AsSpan(0, bsz * 4 * m1);
            for (var a = 0; a < m1; a++)
                for (var q = 0; q < 4; q++)
                {
                    var row = dT.Slice((4 * a + q) * ldf, bsz);
                    for (var c = 0; c < bsz; c++) dtc[c * 4 * m1 + 4 * a + q] = row[c];
                }
        }
        else if (_tablePaddedChannels > 0)
        {
            var mp = _tablePaddedChannels;
            Workspace.Ensure(ref ws.DTc, bsz * 4 * mp);
            ref var dst0 = ref MemoryMarshal.GetReference(ws.DTc.AsSpan(0, bsz * 4 * mp));
            for (var a = 0; a < mp; a++)
                for (var q = 0; q < 4; q++)
                {
                    ref var dst = ref Unsafe.Add(ref dst0, PackedTable<T>.Index(a, q));
                    if (a >= m1)
                    {
                        for (var c = 0; c < bsz; c++) Unsafe.Add(ref dst, c * 4 * mp) = T.Zero; // padding channels
                        continue;
                    }
                    ref var row = ref Unsafe.Add(ref dtr, (4 * a + q) * ldf);
                    for (var c = 0; c < bsz; c++) Unsafe.Add(ref dst, c * 4 * mp) = Unsafe.Add(ref row, c);
                }
        }

        Profile.Mark(ref tick, 5, true);
        // 7. Embedding backward per neighbor type and pair gradients.
        sub = Profile.Start();
        for (var tt = 0; tt < nt; tt++)
        {
            var block = ws.Slots[tt];
            if (block.Count == 0) continue;
            var netIndex = d.TypeOneSide ? tt : ti + nt * tt;
            var ld = block.Ld;
            var rt = block.Rt.AsSpan(0, 4 * ld);
            var gradR = block.GradR.AsSpan(0, 4 * ld);
            if (_tables?[netIndex] is { } table)
            {
                BackwardCompressed(ws, block, table, rt, ld, m1, bsz, dT, ldf, gradR);
                Profile.Mark(ref sub, 10, true);
                WritePairGradients(block, ld, ti * nt + tt, gx, gy, gz);
                Profile.Mark(ref sub, 11, true);
                continue;
            }
            // Direct part Σ_a dT[c][a][q] G[a][col] and the chain Σ_a (Σ_q dT[c][a][q] R̃[q][col]) dG[a][col]/ds.
            ref var rr = ref MemoryMarshal.GetReference(rt);
            ref var drr = ref MemoryMarshal.GetReference(gradR);
            ref var dsr = ref MemoryMarshal.GetReference(block.GradS.AsSpan(0, ld));
            ref var gr0 = ref MemoryMarshal.GetReference(block.G.AsSpan());
            ref var tg0 = ref MemoryMarshal.GetReference(block.Saved.AsSpan());
            ref var dtc = ref MemoryMarshal.GetReference(ws.DTc.AsSpan(0, bsz * 4 * m1));
            for (var c = 0; c < bsz; c++)
            {
                int c0 = block.Start[c], cols = block.Start[c + 1] - c0;
                if (cols == 0) continue;
                BackwardCenter(ref Unsafe.Add(ref gr0, block.NetOffset[c]), ref Unsafe.Add(ref tg0, block.NetOffset[c]), block.NetLd[c],
                    ref Unsafe.Add(ref rr, c0), ref Unsafe.Add(ref drr, c0), ref Unsafe.Add(ref dsr, c0), ld, cols, m1,
                    ref Unsafe.Add(ref dtc, c * 4 * m1));
            }
            Profile.Mark(ref sub, 10, true);
            WritePairGradients(block, ld, ti * nt + tt, gx, gy, gz);
            Profile.Mark(ref sub, 11, true);
        }
        Profile.Mark(ref tick, 6, true);
    }
}
