namespace DeepMD.Sharp.Gpu.Neighbors;

using ILGPU;
using ILGPU.Algorithms;

/// <summary>
/// The device cell list: bin atoms into cells along the lattice coordinates (counting sort with a two-level prefix
/// sum, then a per-cell sort so the order does not depend on thread timing), then one thread per atom scans
/// ceil(cutoff / w_d) cells each way (w_d: cell width perpendicular to the faces), which is exact for any triclinic
/// cell, also when a face distance is below the cutoff (each image within the cutoff is its own entry).
/// </summary>
public static class NeighborKernels
{
    /// <summary>Cells per block of the first prefix-sum level.</summary>
    public const int ScanBlock = 1024;

    private const int ShiftBias = 512;

    /// <summary>Packs a lattice shift (each component in [−512, 511]) into one int.</summary>
    public static int Pack(int a, int b, int c) => (a + ShiftBias) | ((b + ShiftBias) << 10) | ((c + ShiftBias) << 20);

    /// <summary>Component <paramref name="d"/> (0, 1, 2) of a packed shift.</summary>
    public static int Unpack(int packed, int d) => ((packed >> (10 * d)) & 1023) - ShiftBias;

    private static bool Fits(int a) => a >= -ShiftBias && a < ShiftBias;

    /// <summary>Per atom: wrap into the cell (fractional coordinates in [0, 1)), find its cell, count it.</summary>
    public static void Bin(Index1D index, NeighborKernelParams p)
    {
        int i = index;
        var g = p.Geometry;
        double x = p.X[i], y = p.Y[i], z = p.Z[i];
        var a = x * g[9] + y * g[12] + z * g[15];
        var b = x * g[10] + y * g[13] + z * g[16];
        var c = x * g[11] + y * g[14] + z * g[17];
        var wa = WrapUnit(a);
        var wb = WrapUnit(b);
        var wc = WrapUnit(c);
        int oa = (int)XMath.Round(a - wa), ob = (int)XMath.Round(b - wb), oc = (int)XMath.Round(c - wc);
        if (!Fits(oa) || !Fits(ob) || !Fits(oc)) p.Error[0] = 1;
        p.Wrap[i] = Pack(Clamp(oa), Clamp(ob), Clamp(oc));
        p.Wx[i] = wa * g[0] + wb * g[3] + wc * g[6];
        p.Wy[i] = wa * g[1] + wb * g[4] + wc * g[7];
        p.Wz[i] = wa * g[2] + wb * g[5] + wc * g[8];
        var cell = (Bin(wa, p.CountA) * p.CountB + Bin(wb, p.CountB)) * p.CountC + Bin(wc, p.CountC);
        p.CellOf[i] = cell;
        Atomic.Add(ref p.CellFill[cell], 1);
    }

    private static int Clamp(int v) => v < -ShiftBias ? -ShiftBias : v >= ShiftBias ? ShiftBias - 1 : v;

    private static double WrapUnit(double f)
    {
        var w = f - XMath.Floor(f);
        return w >= 1.0 ? 0.0 : w;
    }

    private static int Bin(double u, int count)
    {
        var k = (int)XMath.Floor(u * count);
        return k < 0 ? 0 : k >= count ? count - 1 : k;
    }

    /// <summary>Per block of cells: exclusive prefix of the counts within the block, and the block total.</summary>
    public static void ScanBlocks(Index1D index, NeighborKernelParams p)
    {
        int blockIndex = index;
        var first = blockIndex * ScanBlock;
        var end = XMath.Min(first + ScanBlock, p.Cells);
        var run = 0;
        for (var c = first; c < end; c++)
        {
            var v = p.CellFill[c];
            p.CellStart[c] = run;
            run += v;
        }
        p.BlockSum[blockIndex] = run;
    }

    /// <summary>One thread: exclusive prefix of the block totals; closes CellStart with the atom count.</summary>
    public static void ScanTotals(Index1D index, NeighborKernelParams p, int blocks)
    {
        var run = 0;
        for (var b = 0; b < blocks; b++)
        {
            var v = p.BlockSum[b];
            p.BlockSum[b] = run;
            run += v;
        }
        p.CellStart[p.Cells] = p.AtomCount;
    }

    /// <summary>Per cell: add its block's offset; the fill cursor starts at the cell's first slot.</summary>
    public static void AddOffsets(Index1D index, NeighborKernelParams p)
    {
        int c = index;
        var start = p.CellStart[c] + p.BlockSum[c / ScanBlock];
        p.CellStart[c] = start;
        p.CellFill[c] = start;
    }

    /// <summary>Per atom: take a place in its cell.</summary>
    public static void Scatter(Index1D index, NeighborKernelParams p)
    {
        int i = index;
        var at = Atomic.Add(ref p.CellFill[p.CellOf[i]], 1);
        p.CellAtoms[at] = i;
    }

    /// <summary>Per cell: sort its atoms by index (insertion sort; cells hold a few tens of atoms).</summary>
    public static void SortCells(Index1D index, NeighborKernelParams p)
    {
        int c = index;
        int start = p.CellStart[c], end = p.CellStart[c + 1];
        for (var k = start + 1; k < end; k++)
        {
            var v = p.CellAtoms[k];
            var q = k - 1;
            while (q >= start && p.CellAtoms[q] > v)
            {
                p.CellAtoms[q + 1] = p.CellAtoms[q];
                q--;
            }
            p.CellAtoms[q + 1] = v;
        }
    }

    /// <summary>
    /// Per atom: every image of every atom within the cutoff, in cell-scan order, into its type block; counts go on
    /// past the capacity so that the host can grow the list instead of losing neighbors.
    /// </summary>
    public static void Build(Index1D index, NeighborKernelParams p)
    {
        int i = index;
        var g = p.Geometry;
        var nt = p.TypeCount;
        for (var t = 0; t < nt; t++) p.Used[i * nt + t] = 0;
        var cell = p.CellOf[i];
        var ci2 = cell % p.CountC;
        var ci1 = cell / p.CountC % p.CountB;
        var ci0 = cell / (p.CountB * p.CountC);
        double xi = p.Wx[i], yi = p.Wy[i], zi = p.Wz[i];
        var wi = p.Wrap[i];
        var row = (long)i * p.Stride;
        for (var da = -p.ReachA; da <= p.ReachA; da++)
        {
            var sa = FloorDiv(ci0 + da, p.CountA);
            var ca = ci0 + da - sa * p.CountA;
            for (var db = -p.ReachB; db <= p.ReachB; db++)
            {
                var sb = FloorDiv(ci1 + db, p.CountB);
                var cb = ci1 + db - sb * p.CountB;
                for (var dc = -p.ReachC; dc <= p.ReachC; dc++)
                {
                    var sc = FloorDiv(ci2 + dc, p.CountC);
                    var cc = ci2 + dc - sc * p.CountC;
                    var sx = sa * g[0] + sb * g[3] + sc * g[6];
                    var sy = sa * g[1] + sb * g[4] + sc * g[7];
                    var sz = sa * g[2] + sb * g[5] + sc * g[8];
                    var self = sa == 0 && sb == 0 && sc == 0;
                    var other = (ca * p.CountB + cb) * p.CountC + cc;
                    for (var k = p.CellStart[other]; k < p.CellStart[other + 1]; k++)
                    {
                        var j = p.CellAtoms[k];
                        if (self && j == i) continue;
                        var dx = p.Wx[j] + sx - xi;
                        var dy = p.Wy[j] + sy - yi;
                        var dz = p.Wz[j] + sz - zi;
                        if (dx * dx + dy * dy + dz * dz > p.Cutoff2) continue;
                        var t = p.Type[j];
                        var u = p.Used[i * nt + t];
                        p.Used[i * nt + t] = u + 1;
                        var cap = p.CapOffset[t + 1] - p.CapOffset[t];
                        if (u >= cap) continue;
                        // Shift relative to the caller's positions: the cell shift plus the two wrap offsets.
                        var wj = p.Wrap[j];
                        var a = sa - Unpack(wj, 0) + Unpack(wi, 0);
                        var b = sb - Unpack(wj, 1) + Unpack(wi, 1);
                        var c = sc - Unpack(wj, 2) + Unpack(wi, 2);
                        if (!Fits(a) || !Fits(b) || !Fits(c)) p.Error[0] = 1;
                        var e = row + p.CapOffset[t] + u;
                        p.Neighbor[e] = j;
                        p.Shift[e] = Pack(Clamp(a), Clamp(b), Clamp(c));
                    }
                }
            }
        }
        for (var t = 0; t < nt; t++) Atomic.Max(ref p.MaxUsed[t], p.Used[i * nt + t]);
    }

    private static int FloorDiv(int a, int n) => a >= 0 ? a / n : -((-a + n - 1) / n);
}
