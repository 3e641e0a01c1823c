namespace DeepMD.Sharp.Cpu;

using System.Numerics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu.Kernels;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The fused CPU backend for se_e2_r: D_i = (1/5)(1/Σsel) Σ_slots G(s), with s the normalised w(r)/(r+p). Real
/// neighbor slots of a batch go through the embedding net as feature-major SIMD batches; padded slots add the constant
/// G(−davg/dstd) and descriptor-excluded neighbors the constant G(0), as DeePMD-kit does.
/// </summary>
public sealed class CpuSeREvaluator<T> : CpuEvaluatorBase<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SeE2RSpec _d;
    private readonly PackedNetwork<T>?[] _embeddings;
    private readonly PackedTable<T>?[]? _tables; // compressed embedding (NetworkCollection index), or null
    private readonly double[] _padG;   // [ti][tt][M1]: G of a padded slot
    private readonly double[] _zeroG;  // [ti][tt][M1]: G(0), what a descriptor-excluded neighbor adds
    private readonly double[] _mean;   // [ti][tt]
    private readonly double[] _invStd; // [ti][tt]

    public CpuSeREvaluator(DeepPotModel model)
        : base(model, (typeof(T) == typeof(double) ? "cpu-f64" : "cpu-f32") + (model.Descriptor.IsCompressed ? "-compressed" : ""))
    {
        if (!Supports(model, out var why)) throw new ArgumentException(why);
        _d = (SeE2RSpec)model.Descriptor;
        var nt = _d.TypeCount;
        var m1 = _d.Neuron[^1];
        _embeddings = _d.Embeddings.Select(n => n is null ? null : new PackedNetwork<T>(n)).ToArray();
        _tables = _d.Tables?.Select(t => t is null ? null : new PackedTable<T>(t)).ToArray();
        _padG = new double[nt * nt * m1];
        _zeroG = new double[nt * nt * m1];
        _mean = new double[nt * nt];
        _invStd = new double[nt * nt];
        var deriv = new double[m1];
        for (var ti = 0; ti < nt; ti++)
            for (var tt = 0; tt < nt; tt++)
            {
                var k = ti * _d.SlotCount + _d.SelOffsets[tt];
                _mean[ti * nt + tt] = _d.Davg[k];
                _invStd[ti * nt + tt] = 1.0 / _d.Dstd[k];
                if (_d.Sel[tt] == 0 || _d.EmbeddingFor(ti, tt) is not { } net) continue;
                if (_d.TableFor(ti, tt) is { } table)
                {
                    table.Evaluate(-_d.Davg[k] / _d.Dstd[k], _padG.AsSpan((ti * nt + tt) * m1, m1), deriv);
                    table.Evaluate(0, _zeroG.AsSpan((ti * nt + tt) * m1, m1), deriv);
                    continue;
                }
                net.EvaluateScalar(-_d.Davg[k] / _d.Dstd[k], _padG.AsSpan((ti * nt + tt) * m1, m1), deriv);
                net.EvaluateScalar(0, _zeroG.AsSpan((ti * nt + tt) * m1, m1), deriv);
            }
    }

    /// <summary>Whether this backend can evaluate <paramref name="model"/>; if not, <paramref name="reason"/> says why.</summary>
    public static bool Supports(DeepPotModel model, out string reason)
    {
        if (model.Descriptor is not SeE2RSpec d)
        {
            reason = $"this is the se_e2_r evaluator; the model's descriptor is {model.Descriptor.TypeName}";
            return false;
        }
        for (var ti = 0; ti < d.TypeCount; ti++)
            for (var tt = 0; tt < d.TypeCount; tt++)
                for (var k = d.SelOffsets[tt] + 1; k < d.SelOffsets[tt + 1]; k++)
                {
                    int first = ti * d.SlotCount + d.SelOffsets[tt], here = ti * d.SlotCount + k;
                    if (d.Davg[here] != d.Davg[first] || d.Dstd[here] != d.Dstd[first])
                    {
                        reason = "the model's davg/dstd differ between slots of one type block; the CPU backend needs them uniform per block";
                        return false;
                    }
                }
        if (model.Fitting.MixedTypes)
        {
            reason = "the CPU backend expects one fitting net per type";
            return false;
        }
        reason = "";
        return true;
    }

    protected override int BatchSize => 16;

    private protected override void ProcessBatch(Workspace ws, int[] centers, int[] types, NeighborList nl, double[]? fparam,
        EvaluationOptions options, double[] atomEnergy, double[] gx, double[] gy, double[] gz)
    {
        var d = _d;
        var nt = d.TypeCount;
        var m1 = d.Neuron[^1];
        var nnei = d.SlotCount;
        var ti = types[centers[0]];
        var bsz = centers.Length;
        var rc2 = d.Rcut * d.Rcut;
        var vc = Vector<T>.Count;
        Array.Clear(ws.Counts);
        Array.Clear(ws.PairExcluded);
        Array.Clear(ws.DescriptorExcluded);
        foreach (var block in ws.Slots) block.Reset();

        // 1. Slots: contributing neighbors as columns (each center's columns start on a vector boundary).
        for (var c = 0; c < bsz; c++)
        {
            var i = centers[c];
            foreach (var block in ws.Slots) block.Start[c] = block.Count;
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var r2 = nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e];
                // Entries that get no column get a zero pair gradient here (the backward pass writes the others).
                if (r2 > rc2) { gx[e] = gy[e] = gz[e] = 0; continue; }
                var tj = types[nl.Owner[e]];
                ws.Counts[c * nt + tj]++;
                if (Model.IsPairExcluded(ti, tj)) { ws.PairExcluded[c * nt + tj]++; gx[e] = gy[e] = gz[e] = 0; }
                else if (d.IsExcluded(ti, tj)) { ws.DescriptorExcluded[c * nt + tj]++; gx[e] = gy[e] = gz[e] = 0; }
                else ws.Slots[tj].Add(e);
            }
            foreach (var block in ws.Slots) block.Align();
        }
        foreach (var block in ws.Slots) block.Start[bsz] = block.Count;

        // 2. Embedding forward per neighbor type; D[c][a] = Σ over the center's columns (fillers zeroed first).
        var desc = ws.T.AsSpan(0, bsz * m1);
        desc.Clear();
        for (var tt = 0; tt < nt; tt++)
        {
            var block = ws.Slots[tt];
            if (block.Count == 0) continue;
            var net = _embeddings[d.TypeOneSide ? tt : ti + nt * tt]
                      ?? throw new UserInputException($"the model has no embedding net for center type {ti}, neighbor type {tt}", Model.Source);
            var ld = FeatureMajorGemm<T>.Pad(block.Count);
            block.Ld = ld;
            Workspace.Ensure(ref block.Rt, ld);
            Workspace.Ensure(ref block.G, m1 * ld);
            Workspace.Ensure(ref block.Saved, m1 * ld); // dG/ds (full nets, feature-major) or G' (tables, slot-major)
            Workspace.Ensure(ref block.GradS, ld);
            Workspace.Ensure(ref ws.Scratch, 4 * Math.Max(net.MaxWidth * ld, 1));
            var s = block.Rt.AsSpan(0, ld);
            s.Clear();
            var pb = ti * nt + tt;
            for (var q = 0; q < block.Count; q++)
            {
                var e = block.Entry[q];
                if (e < 0) continue;
                double dx = nl.Dx[e], dy = nl.Dy[e], dz = nl.Dz[e];
                var (r0, _, _, _) = EnvironmentRow.Raw(dx, dy, dz, Math.Sqrt(dx * dx + dy * dy + dz * dz), d.RcutSmooth, d.Rcut, d.EnvProtection);
                s[q] = T.CreateTruncating((r0 - _mean[pb]) * _invStd[pb]);
            }
            var g = block.G.AsSpan(0, m1 * ld);
            if (_tables?[d.TypeOneSide ? tt : ti + nt * tt] is { } table)
            {
                // Compressed: G(s) and G'(s) per column from the table, slot-major; D sums G over the center's columns.
                for (var c = 0; c < bsz; c++)
                {
                    var dc = desc.Slice(c * m1, m1);
                    for (var q = block.Start[c]; q < block.Start[c + 1]; q++)
                    {
                        if (block.Entry[q] < 0) continue;
                        var gq = block.G.AsSpan(q * m1, m1);
                        table.Evaluate(double.CreateTruncating(s[q]), gq, block.Saved.AsSpan(q * m1, m1));
                        for (var a = 0; a < m1; a++) dc[a] += double.CreateTruncating(gq[a]);
                    }
                }
                continue;
            }
            net.ForwardTangent(s, g, block.Saved.AsSpan(0, m1 * ld), ld, ws.Scratch);
            for (var q = 0; q < block.Count; q++)
                if (block.Entry[q] < 0)
                    for (var a = 0; a < m1; a++) g[a * ld + q] = T.Zero;
            for (var c = 0; c < bsz; c++)
            {
                int c0 = block.Start[c], c1 = block.Start[c + 1];
                for (var a = 0; a < m1; a++)
                {
                    var acc = Vector<T>.Zero;
                    for (var v = c0; v < c1; v += vc) acc += new Vector<T>(g.Slice(a * ld + v, vc));
                    desc[c * m1 + a] += double.CreateTruncating(Vector.Sum(acc));
                }
            }
        }

        // 3. Constant slots, then the 1/Σsel average and DeePMD-kit's 1/5 rescale.
        for (var c = 0; c < bsz; c++)
            for (var tt = 0; tt < nt; tt++)
            {
                var pad = d.Sel[tt] - ws.Counts[c * nt + tt] + ws.PairExcluded[c * nt + tt];
                var excluded = ws.DescriptorExcluded[c * nt + tt];
                var o = (ti * nt + tt) * m1;
                for (var a = 0; a < m1; a++) desc[c * m1 + a] += pad * _padG[o + a] + excluded * _zeroG[o + a];
            }
        var scale = SeE2RSpec.ResultRescale / nnei;
        var x = FittingInput(ws, ti, centers, fparam, options, out var ldf);
        for (var c = 0; c < bsz; c++)
            for (var a = 0; a < m1; a++) x[a * ldf + c] = T.CreateTruncating(desc[c * m1 + a] * scale);

        // 4. Fitting, then ∂e/∂G for every contributing column = ∂e/∂D · scale.
        var dX = RunFitting(ws, ti, centers, ldf, atomEnergy, options);
        for (var tt = 0; tt < nt; tt++)
        {
            var block = ws.Slots[tt];
            if (block.Count == 0) continue;
            var ld = block.Ld;
            var pbt = ti * nt + tt;
            if (_tables?[d.TypeOneSide ? tt : ti + nt * tt] is not null)
            {
                // ∂e/∂s = scale · Σ_a ∂e/∂D[a] · G'(s)[a] with G' saved slot-major by the forward pass.
                for (var c = 0; c < bsz; c++)
                    for (var q = block.Start[c]; q < block.Start[c + 1]; q++)
                    {
                        var e = block.Entry[q];
                        if (e < 0) continue;
                        var gp = block.Saved.AsSpan(q * m1, m1);
                        double ds = 0;
                        for (var a = 0; a < m1; a++) ds += double.CreateTruncating(dX[a * ldf + c]) * double.CreateTruncating(gp[a]);
                        double ddx = nl.Dx[e], ddy = nl.Dy[e], ddz = nl.Dz[e];
                        var r = Math.Sqrt(ddx * ddx + ddy * ddy + ddz * ddz);
                        (gx[e], gy[e], gz[e]) = EnvironmentRow.PairGradient(ds * scale * _invStd[pbt], 0, 0, 0, ddx, ddy, ddz, r, d.RcutSmooth, d.Rcut, d.EnvProtection);
                    }
                continue;
            }
            // ∂e/∂s[col] = scale · Σ_a ∂e/∂D[c][a] · dG[a][col]/ds, with dG/ds from the forward pass (feature-major).
            var gradS = block.GradS.AsSpan(0, ld);
            gradS.Clear();
            var tangent = block.Saved.AsSpan(0, m1 * ld);
            var scaleT = T.CreateTruncating(scale);
            for (var a = 0; a < m1; a++)
                for (var c = 0; c < bsz; c++)
                {
                    int c0 = block.Start[c], c1 = block.Start[c + 1];
                    if (c0 == c1) continue;
                    var w = new Vector<T>(dX[a * ldf + c] * scaleT);
                    for (var v = c0; v < c1; v += vc)
                        FeatureMajorGemm<T>.Fma(w, new Vector<T>(tangent.Slice(a * ld + v, vc)), new Vector<T>(gradS.Slice(v, vc))).CopyTo(gradS.Slice(v, vc));
                }
            var pb = ti * nt + tt;
            for (var q = 0; q < block.Count; q++)
            {
                var e = block.Entry[q];
                if (e < 0) continue;
                double ddx = nl.Dx[e], ddy = nl.Dy[e], ddz = nl.Dz[e];
                var r = Math.Sqrt(ddx * ddx + ddy * ddy + ddz * ddz);
                var dR0 = double.CreateTruncating(block.GradS[q]) * _invStd[pb];
                (gx[e], gy[e], gz[e]) = EnvironmentRow.PairGradient(dR0, 0, 0, 0, ddx, ddy, ddz, r, d.RcutSmooth, d.Rcut, d.EnvProtection);
            }
        }
    }
}
