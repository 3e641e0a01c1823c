namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The raw se_e2_a environment-matrix row of one neighbor, R = w(r)·[1/(r+p), d/(r+p)²] (notes §1.2), and the chain
/// rule from ∂e/∂R back to the displacement d = r_j − r_i. Shared by every backend so the geometry is written once.
/// </summary>
public static class EnvironmentRow
{
    /// <summary>The four raw components of the row for displacement (dx, dy, dz) at distance r.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static (double R0, double R1, double R2, double R3) Raw(double dx, double dy, double dz, double r, double rs, double rc, double p)
    {
        var (w, _) = ReferenceEvaluator.Switch(r, rs, rc);
        var inv = 1 / (r + p);
        var r0 = w * inv;
        var inv2 = r0 * inv;
        return (r0, inv2 * dx, inv2 * dy, inv2 * dz);
    }

    /// <summary>
    /// g = ∂e/∂d = Σ_c (∂e/∂R_c) ∂R_c/∂d, given the gradient (dR0..dR3) with respect to the raw row.
    /// ∂R0/∂d = (w'/(r+p) − w/(r+p)²) d/r; ∂R_k/∂d_l = w δ_kl/(r+p)² + d_k (w'/(r+p)² − 2w/(r+p)³) d_l/r.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static (double Gx, double Gy, double Gz) PairGradient(double dR0, double dR1, double dR2, double dR3,
        double dx, double dy, double dz, double r, double rs, double rc, double p)
    {
        var (w, dw) = ReferenceEvaluator.Switch(r, rs, rc);
        // Two reciprocals and products instead of six divisions (a division costs several multiplications' throughput).
        var inv = 1 / (r + p);
        var invR = 1 / r;
        var diag = w * inv * inv;
        var c0 = (dw * inv - diag) * invR;
        var c1 = (dw * inv * inv - 2 * diag * inv) * invR;
        var proj = dR1 * dx + dR2 * dy + dR3 * dz;
        return (dR0 * c0 * dx + dR1 * diag + proj * c1 * dx,
                dR0 * c0 * dy + dR2 * diag + proj * c1 * dy,
                dR0 * c0 * dz + dR3 * diag + proj * c1 * dz);
    }
}
