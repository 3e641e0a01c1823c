namespace DeepMD.Sharp.Gpu.Dynamics;

using ILGPU;
using ILGPU.Algorithms;

/// <summary>Velocity Verlet and its bookkeeping on the device, one thread per atom (or per block of atoms for sums).</summary>
public static class MdKernels
{
    /// <summary>Atoms per partial sum of <see cref="Reduce"/>.</summary>
    public const int ReduceBlock = 256;

    /// <summary>Half kick then drift: v += dt·ftm2v/(2m)·f; x += dt·v (LAMMPS fix nve's initial integrate).</summary>
    public static void KickDrift(Index1D index, MdKernelParams p)
    {
        int i = index;
        var dtfm = p.Dtf / p.Mass[i];
        var vx = p.Vx[i] + dtfm * p.Fx[i];
        var vy = p.Vy[i] + dtfm * p.Fy[i];
        var vz = p.Vz[i] + dtfm * p.Fz[i];
        p.Vx[i] = vx;
        p.Vy[i] = vy;
        p.Vz[i] = vz;
        p.X[i] += p.Dt * vx;
        p.Y[i] += p.Dt * vy;
        p.Z[i] += p.Dt * vz;
    }

    /// <summary>Half kick: v += dt·ftm2v/(2m)·f (fix nve's final integrate).</summary>
    public static void Kick(Index1D index, MdKernelParams p)
    {
        int i = index;
        var dtfm = p.Dtf / p.Mass[i];
        p.Vx[i] += dtfm * p.Fx[i];
        p.Vy[i] += dtfm * p.Fy[i];
        p.Vz[i] += dtfm * p.Fz[i];
    }

    /// <summary>Multiplies every velocity by <paramref name="factor"/> (the thermostat's scaling).</summary>
    public static void Scale(Index1D index, MdKernelParams p, double factor)
    {
        int i = index;
        p.Vx[i] *= factor;
        p.Vy[i] *= factor;
        p.Vz[i] *= factor;
    }

    /// <summary>Flags a rebuild when an atom moved more than half the skin since the last build.</summary>
    public static void CheckDisplacement(Index1D index, MdKernelParams p)
    {
        int i = index;
        var dx = p.X[i] - p.X0[i];
        var dy = p.Y[i] - p.Y0[i];
        var dz = p.Z[i] - p.Z0[i];
        if (dx * dx + dy * dy + dz * dz > p.HalfSkin2) p.Moved[0] = 1;
    }

    /// <summary>Wraps each atom into the cell (fractional coordinates in [0, 1)) and counts the lattice vectors in its image flags.</summary>
    public static void Wrap(Index1D index, MdKernelParams p)
    {
        int i = index;
        var g = p.Geometry;
        double x = p.X[i], y = p.Y[i], z = p.Z[i];
        var fa = XMath.Floor(x * g[9] + y * g[12] + z * g[15]);
        var fb = XMath.Floor(x * g[10] + y * g[13] + z * g[16]);
        var fc = XMath.Floor(x * g[11] + y * g[14] + z * g[17]);
        if (fa == 0 && fb == 0 && fc == 0) return;
        p.X[i] = x - (fa * g[0] + fb * g[3] + fc * g[6]);
        p.Y[i] = y - (fa * g[1] + fb * g[4] + fc * g[7]);
        p.Z[i] = z - (fa * g[2] + fb * g[5] + fc * g[8]);
        p.ImageA[i] += (int)fa;
        p.ImageB[i] += (int)fb;
        p.ImageC[i] += (int)fc;
    }

    /// <summary>Remembers the positions of this build.</summary>
    public static void SaveBuildPositions(Index1D index, MdKernelParams p)
    {
        int i = index;
        p.X0[i] = p.X[i];
        p.Y0[i] = p.Y[i];
        p.Z0[i] = p.Z[i];
    }

    /// <summary>Per block of atoms, in atom order: Σe, Σm·v², Σ virial (9). The host adds the blocks in order.</summary>
    public static void Reduce(Index1D index, MdKernelParams p)
    {
        int b = index;
        var first = b * ReduceBlock;
        var end = first + ReduceBlock < p.AtomCount ? first + ReduceBlock : p.AtomCount;
        double e = 0, mv2 = 0, v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0, v7 = 0, v8 = 0;
        for (var i = first; i < end; i++)
        {
            e += p.AtomEnergy[i];
            mv2 += p.Mass[i] * (p.Vx[i] * p.Vx[i] + p.Vy[i] * p.Vy[i] + p.Vz[i] * p.Vz[i]);
            long q = 9L * i;
            v0 += p.CenterVirial[q]; v1 += p.CenterVirial[q + 1]; v2 += p.CenterVirial[q + 2];
            v3 += p.CenterVirial[q + 3]; v4 += p.CenterVirial[q + 4]; v5 += p.CenterVirial[q + 5];
            v6 += p.CenterVirial[q + 6]; v7 += p.CenterVirial[q + 7]; v8 += p.CenterVirial[q + 8];
        }
        long o = 11L * b;
        p.Partial[o] = e;
        p.Partial[o + 1] = mv2;
        p.Partial[o + 2] = v0; p.Partial[o + 3] = v1; p.Partial[o + 4] = v2;
        p.Partial[o + 5] = v3; p.Partial[o + 6] = v4; p.Partial[o + 7] = v5;
        p.Partial[o + 8] = v6; p.Partial[o + 9] = v7; p.Partial[o + 10] = v8;
    }
}
