namespace DeepMD.Sharp.Cpu.Kernels;

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

/// <summary>
/// The one dense kernel of the CPU backend: z = Wᵀx (+ b) for a batch stored feature-major, i.e. x[k, v] at
/// <c>x[k·ld + v]</c> with the batch (neighbor slots or atoms) contiguous. Each weight is broadcast once per
/// register tile and multiplied into SIMD vectors of the batch, so the batch dimension carries the vector width
/// whatever the ISA (Vector&lt;T&gt; is 512, 256 or 128 bits wide depending on the CPU and the DOTNET_Enable* switches).
/// </summary>
internal static class FeatureMajorGemm<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// z[o·ld + v] = bias[o] + Σ_k w[k·nout + o] · x[k·ld + v] for o &lt; nout, v &lt; ld; <paramref name="ld"/> must be a
    /// multiple of Vector&lt;T&gt;.Count. An empty <paramref name="bias"/> means zero.
    /// </summary>
    public static void Multiply(ReadOnlySpan<T> w, ReadOnlySpan<T> bias, int nin, int nout, ReadOnlySpan<T> x, Span<T> z, int ld)
    {
        var vc = Vector<T>.Count;
        ref var wr = ref MemoryMarshal.GetReference(w);
        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var zr = ref MemoryMarshal.GetReference(z);
        var hasBias = !bias.IsEmpty;
        var o = 0;
        for (; o + 4 <= nout; o += 4)
        {
            var b0 = hasBias ? new Vector<T>(bias[o]) : Vector<T>.Zero;
            var b1 = hasBias ? new Vector<T>(bias[o + 1]) : Vector<T>.Zero;
            var b2 = hasBias ? new Vector<T>(bias[o + 2]) : Vector<T>.Zero;
            var b3 = hasBias ? new Vector<T>(bias[o + 3]) : Vector<T>.Zero;
            var v = 0;
            for (; v + 2 * vc <= ld; v += 2 * vc)
            {
                Vector<T> a00 = b0, a01 = b0, a10 = b1, a11 = b1, a20 = b2, a21 = b2, a30 = b3, a31 = b3;
                for (var k = 0; k < nin; k++)
                {
                    var xk0 = Vector.LoadUnsafe(ref xr, (nuint)(k * ld + v));
                    var xk1 = Vector.LoadUnsafe(ref xr, (nuint)(k * ld + v + vc));
                    ref var wk = ref Unsafe.Add(ref wr, k * nout + o);
                    var w0 = new Vector<T>(wk);
                    var w1 = new Vector<T>(Unsafe.Add(ref wk, 1));
                    var w2 = new Vector<T>(Unsafe.Add(ref wk, 2));
                    var w3 = new Vector<T>(Unsafe.Add(ref wk, 3));
                    a00 += xk0 * w0;
                    a01 += xk1 * w0;
                    a10 += xk0 * w1;
                    a11 += xk1 * w1;
                    a20 += xk0 * w2;
                    a21 += xk1 * w2;
                    a30 += xk0 * w3;
                    a31 += xk1 * w3;
                }
                a00.StoreUnsafe(ref zr, (nuint)(o * ld + v));
                a01.StoreUnsafe(ref zr, (nuint)(o * ld + v + vc));
                a10.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v));
                a11.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v + vc));
                a20.StoreUnsafe(ref zr, (nuint)((o + 2) * ld + v));
                a21.StoreUnsafe(ref zr, (nuint)((o + 2) * ld + v + vc));
                a30.StoreUnsafe(ref zr, (nuint)((o + 3) * ld + v));
                a31.StoreUnsafe(ref zr, (nuint)((o + 3) * ld + v + vc));
            }
            for (; v < ld; v += vc)
            {
                Vector<T> a0 = b0, a1 = b1, a2 = b2, a3 = b3;
                for (var k = 0; k < nin; k++)
                {
                    var xk = Vector.LoadUnsafe(ref xr, (nuint)(k * ld + v));
                    ref var wk = ref Unsafe.Add(ref wr, k * nout + o);
                    a0 += xk * new Vector<T>(wk);
                    a1 += xk * new Vector<T>(Unsafe.Add(ref wk, 1));
                    a2 += xk * new Vector<T>(Unsafe.Add(ref wk, 2));
                    a3 += xk * new Vector<T>(Unsafe.Add(ref wk, 3));
                }
                a0.StoreUnsafe(ref zr, (nuint)(o * ld + v));
                a1.StoreUnsafe(ref zr, (nuint)((o + 1) * ld + v));
                a2.StoreUnsafe(ref zr, (nuint)((o + 2) * ld + v));
                a3.StoreUnsafe(ref zr, (nuint)((o + 3) * ld + v));
            }
        }
        for (; o < nout; o++)
        {
            var b0 = hasBias ? new Vector<T>(bias[o]) : Vector<T>.Zero;
            for (var v = 0; v < ld; v += vc)
            {
                var a0 = b0;
                for (var k = 0; k < nin; k++)
                    a0 += Vector.LoadUnsafe(ref xr, (nuint)(k * ld + v)) * new Vector<T>(Unsafe.Add(ref wr, k * nout + o));
                a0.StoreUnsafe(ref zr, (nuint)(o * ld + v));
            }
        }
    }

    /// <summary>Rounds <paramref name="n"/> up to a multiple of the vector width (at least one vector).</summary>
    public static int Pad(int n)
    {
        var vc = Vector<T>.Count;
        return Math.Max(vc, (n + vc - 1) / vc * vc);
    }
}
