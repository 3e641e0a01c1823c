namespace DeepMD.Sharp.Dynamics.Analysis;

/// <summary>
/// Mean squared displacement from unwrapped positions, averaged over atoms and over every time origin
/// (msd(k) = ⟨|r(t₀ + k) − r(t₀)|²⟩ over all t₀ with t₀ + k within the frames), and the self-diffusion
/// coefficient from its slope (Einstein relation in three dimensions: D = slope / 6).
/// </summary>
public static class MeanSquaredDisplacement
{
    /// <summary>
    /// msd for lags 0..<paramref name="maxLag"/> frames of the selected <paramref name="atoms"/>. Each frame is an
    /// interleaved array x0, y0, z0, x1, … of all atoms' unwrapped positions (Å).
    /// </summary>
    public static double[] Compute(IReadOnlyList<double[]> frames, ReadOnlySpan<int> atoms, int maxLag)
    {
        if (frames.Count == 0) throw new ArgumentException("no frames");
        maxLag = Math.Min(maxLag, frames.Count - 1);
        if (maxLag < 0 || atoms.Length == 0) return [];
        var msd = new double[maxLag + 1];
        for (var k = 1; k <= maxLag; k++)
        {
            double sum = 0;
            var origins = frames.Count - k;
            for (var t0 = 0; t0 < origins; t0++)
            {
                var a = frames[t0];
                var b = frames[t0 + k];
                foreach (var i in atoms)
                {
                    double dx = b[3 * i] - a[3 * i], dy = b[3 * i + 1] - a[3 * i + 1], dz = b[3 * i + 2] - a[3 * i + 2];
                    sum += dx * dx + dy * dy + dz * dz;
                }
            }

            msd[k] = sum / ((double)origins * atoms.Length);
        }

        return msd;
    }

    /// <summary>
    /// D (Å²/ps when <paramref name="frameInterval"/> is in ps) from a straight-line fit of msd(t) over lag times
    /// <paramref name="fitStart"/> ≤ t ≤ <paramref name="fitEnd"/>, and the fit itself. 1 Å²/ps = 1e-4 cm²/s.
    /// </summary>
    public static (double D, LinearFit Fit) Diffusion(double[] msd, double frameInterval, double fitStart, double fitEnd)
    {
        var t = new List<double>();
        var m = new List<double>();
        for (var k = 0; k < msd.Length; k++)
        {
            var tk = k * frameInterval;
            if (tk < fitStart - 1e-9 * frameInterval || tk > fitEnd + 1e-9 * frameInterval) continue;
            t.Add(tk);
            m.Add(msd[k]);
        }

        if (t.Count < 2) throw new ArgumentException($"fewer than two msd points between {fitStart} and {fitEnd}");
        var fit = LinearFit.Of(t.ToArray(), m.ToArray());
        return (fit.Slope / 6, fit);
    }
}
