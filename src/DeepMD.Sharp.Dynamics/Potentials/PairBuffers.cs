namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Potentials;

/// <summary>Buffer chores shared by the half-list pair styles: zeroed scratch, per-slab sums, copying forces out.</summary>
internal static class PairBuffers
{
    /// <summary>Makes <paramref name="a"/> at least <paramref name="n"/> long with its first n entries zero.</summary>
    public static void Zeroed(ref double[] a, int n)
    {
        if (a.Length < n) a = new double[n + n / 8];
        else Array.Clear(a, 0, n);
    }

    /// <summary>Stores one slab's energy and virial (xx yy zz xy xz yz) at its place in <paramref name="sums"/>.</summary>
    public static void StoreSlab(double[] sums, int slab, double energy, double vxx, double vyy, double vzz, double vxy, double vxz, double vyz)
    {
        var b = 7 * slab;
        sums[b] += energy;
        sums[b + 1] += vxx;
        sums[b + 2] += vyy;
        sums[b + 3] += vzz;
        sums[b + 4] += vxy;
        sums[b + 5] += vxz;
        sums[b + 6] += vyz;
    }

    /// <summary>Adds the slabs' sums, in slab order, to the result's energy and virial.</summary>
    public static void SumSlabs(double[] sums, int slabs, ForceResult result)
    {
        double energy = 0, vxx = 0, vyy = 0, vzz = 0, vxy = 0, vxz = 0, vyz = 0;
        for (var s = 0; s < slabs; s++)
        {
            var b = 7 * s;
            energy += sums[b];
            vxx += sums[b + 1];
            vyy += sums[b + 2];
            vzz += sums[b + 3];
            vxy += sums[b + 4];
            vxz += sums[b + 5];
            vyz += sums[b + 6];
        }
        result.Energy += energy;
        var w = result.Virial;
        w[0] += vxx;
        w[4] += vyy;
        w[8] += vzz;
        w[1] += vxy;
        w[3] += vxy;
        w[2] += vxz;
        w[6] += vxz;
        w[5] += vyz;
        w[7] += vyz;
    }

    /// <summary>Copies interleaved local forces into the result's SoA arrays.</summary>
    public static void CopyForces(double[] f, ForceResult result)
    {
        var n = result.Fx.Length;
        var fx = result.Fx;
        var fy = result.Fy;
        var fz = result.Fz;
        for (var i = 0; i < n; i++)
        {
            fx[i] = f[3 * i];
            fy[i] = f[3 * i + 1];
            fz[i] = f[3 * i + 2];
        }
    }
}
