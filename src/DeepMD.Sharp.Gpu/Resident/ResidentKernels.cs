namespace DeepMD.Sharp.Gpu.Resident;

using DeepMD.Sharp.Gpu.Neighbors;
using ILGPU;
using ILGPU.Algorithms;

/// <summary>
/// The two ends of a device-resident evaluation: <see cref="StageSlots"/> turns the device neighbor list and the
/// current positions into the slot inputs of <see cref="SeAKernels{T, TOps}"/> (the device twin of the host staging,
/// with the sel and overlap checks), and <see cref="ScatterForces"/> folds the pair gradients into forces, per-atom
/// energies and per-center virials without leaving the device.
/// </summary>
public static class ResidentKernels<T, TOps> where T : unmanaged where TOps : struct, IRealOps<T>
{
    /// <summary>Per chunk atom (atoms taken in cell order): slots per type block in list order, the neighbors beyond rcut left out.</summary>
    public static void StageSlots(Index1D index, SeAKernelParams<T> p, ResidentParams r)
    {
        var ops = default(TOps);
        int c = index;
        var i = r.Order[r.Start + c];
        var nt = p.TypeCount;
        var nnei = p.Nnei;
        var ti = r.ModelType[i];
        var excluded = r.AtomExcluded[ti] != 0;
        p.CenterType[c] = excluded ? -1 : ti;
        long slotBase = (long)c * nnei;
        for (var k = 0; k < nnei; k++)
        {
            p.SlotFlag[slotBase + k] = excluded ? -1 : 0;
            r.SlotNeighbor[slotBase + k] = -1;
        }
        for (var tt = 0; tt < nt; tt++)
        {
            p.PadCount[c * nt + tt] = 0;
            r.RcCount[i * nt + tt] = 0;
        }
        if (excluded) return;
        var g = r.Geometry;
        double xi = r.X[i], yi = r.Y[i], zi = r.Z[i];
        var row = (long)i * r.ListStride;
        for (var tt = 0; tt < nt; tt++)
        {
            var first = row + r.ListCapOffset[tt];
            var count = r.ListUsed[i * nt + tt];
            var sel = r.SelOffset[tt + 1] - r.SelOffset[tt];
            var inside = 0;
            for (var u = 0; u < count; u++)
            {
                var j = r.ListNeighbor[first + u];
                var s = r.ListShift[first + u];
                int sa = NeighborKernels.Unpack(s, 0), sb = NeighborKernels.Unpack(s, 1), sc = NeighborKernels.Unpack(s, 2);
                var dx = r.X[j] + sa * g[0] + sb * g[3] + sc * g[6] - xi;
                var dy = r.Y[j] + sa * g[1] + sb * g[4] + sc * g[7] - yi;
                var dz = r.Z[j] + sa * g[2] + sb * g[5] + sc * g[8] - zi;
                var r2 = dx * dx + dy * dy + dz * dz;
                if (r2 > r.Rcut2) continue;
                if (r2 < r.Overlap2) Atomic.Min(ref r.Problem[1], i);
                var k = inside++;
                if (k >= sel) continue;
                if (r.PairExcluded[ti * nt + tt] != 0) continue; // padding
                var slot = slotBase + r.SelOffset[tt] + k;
                if (r.DescriptorExcluded[ti * nt + tt] != 0)
                {
                    p.SlotFlag[slot] = p.Radial == 1 ? 2 : -1;
                    continue;
                }
                p.SlotFlag[slot] = 1;
                r.SlotNeighbor[slot] = j;
                p.SlotD[slot * 3] = ops.FromDouble(dx);
                p.SlotD[slot * 3 + 1] = ops.FromDouble(dy);
                p.SlotD[slot * 3 + 2] = ops.FromDouble(dz);
            }
            r.RcCount[i * nt + tt] = inside;
            if (inside > sel) Atomic.Min(ref r.Problem[0], i);
            var pads = 0;
            for (var k = r.SelOffset[tt]; k < r.SelOffset[tt + 1]; k++)
                if (p.SlotFlag[slotBase + k] == 0) pads++;
            p.PadCount[c * nt + tt] = pads;
        }
    }

    /// <summary>Per chunk atom: energy, Σ g onto itself, −g onto each neighbor (atomic adds), −Σ g ⊗ d as its virial.</summary>
    public static void ScatterForces(Index1D index, SeAKernelParams<T> p, ResidentParams r)
    {
        var ops = default(TOps);
        int c = index;
        var i = r.Order[r.Start + c];
        var ti = p.CenterType[c];
        r.AtomEnergy[i] = ti < 0 ? 0.0 : ops.ToDouble(p.Energy[c]) + r.EnergyBias[ti];
        double fx = 0, fy = 0, fz = 0;
        double v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0, v7 = 0, v8 = 0;
        long slotBase = (long)c * p.Nnei;
        for (var k = 0; k < p.Nnei; k++)
        {
            var slot = slotBase + k;
            if (p.SlotFlag[slot] != 1) continue;
            var gx = ops.ToDouble(p.PairGradient[slot * 3]);
            var gy = ops.ToDouble(p.PairGradient[slot * 3 + 1]);
            var gz = ops.ToDouble(p.PairGradient[slot * 3 + 2]);
            if (gx == 0 && gy == 0 && gz == 0) continue;
            var dx = ops.ToDouble(p.SlotD[slot * 3]);
            var dy = ops.ToDouble(p.SlotD[slot * 3 + 1]);
            var dz = ops.ToDouble(p.SlotD[slot * 3 + 2]);
            var j = r.SlotNeighbor[slot];
            fx += gx;
            fy += gy;
            fz += gz;
            Atomic.Add(ref r.Fx[j], -gx);
            Atomic.Add(ref r.Fy[j], -gy);
            Atomic.Add(ref r.Fz[j], -gz);
            v0 -= gx * dx; v1 -= gx * dy; v2 -= gx * dz;
            v3 -= gy * dx; v4 -= gy * dy; v5 -= gy * dz;
            v6 -= gz * dx; v7 -= gz * dy; v8 -= gz * dz;
        }
        Atomic.Add(ref r.Fx[i], fx);
        Atomic.Add(ref r.Fy[i], fy);
        Atomic.Add(ref r.Fz[i], fz);
        var vb = 9L * i;
        r.CenterVirial[vb] = v0; r.CenterVirial[vb + 1] = v1; r.CenterVirial[vb + 2] = v2;
        r.CenterVirial[vb + 3] = v3; r.CenterVirial[vb + 4] = v4; r.CenterVirial[vb + 5] = v5;
        r.CenterVirial[vb + 6] = v6; r.CenterVirial[vb + 7] = v7; r.CenterVirial[vb + 8] = v8;
    }
}
