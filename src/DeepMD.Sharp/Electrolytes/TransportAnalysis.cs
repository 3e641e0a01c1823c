namespace DeepMD.Sharp.Electrolytes;

using DeepMD.Sharp.Dynamics.Analysis;

/// <summary>A diffusion coefficient or conductivity with its block-average error.</summary>
/// <param name="Value">From the fit over the whole trajectory.</param>
/// <param name="Error">Standard error of the mean over blocks (<see cref="TransportAnalysis.BlockError"/>); NaN with fewer than two blocks.</param>
/// <param name="Blocks">The value of each block.</param>
public sealed record Estimate(double Value, double Error, double[] Blocks);

/// <summary>
/// Transport from unwrapped trajectories: mean squared displacements of atoms or molecular centres of mass, the
/// collective (charge) displacement, straight-line fits over a lag-time window, block averages, and the
/// Nernst–Einstein and Einstein conductivities. Units: Å, ps, e; D in Å²/ps (1 Å²/ps = 1e-8 m²/s), σ in S/m.
/// </summary>
public static class TransportAnalysis
{
    public const double ElementaryCharge = 1.602176634e-19;
    public const double Boltzmann = 1.380649e-23;

    /// <summary>
    /// Per frame, the centre of mass of each group (interleaved x, y, z per group) from unwrapped atom positions;
    /// with <paramref name="removeDrift"/> the whole system's centre of mass (all atoms, weighted by
    /// <paramref name="masses"/>) is subtracted, so a drift of the total momentum does not show as diffusion.
    /// </summary>
    public static List<double[]> Centres(IReadOnlyList<double[]> frames, IReadOnlyList<int[]> groups, double[] masses, bool removeDrift = true)
    {
        var result = new List<double[]>(frames.Count);
        var total = masses.Sum();
        foreach (var f in frames)
        {
            double sx = 0, sy = 0, sz = 0;
            if (removeDrift)
            {
                for (var i = 0; i < masses.Length; i++)
                {
                    sx += masses[i] * f[3 * i];
                    sy += masses[i] * f[3 * i + 1];
                    sz += masses[i] * f[3 * i + 2];
                }
                sx /= total;
                sy /= total;
                sz /= total;
            }
            var c = new double[3 * groups.Count];
            for (var g = 0; g < groups.Count; g++)
            {
                double m = 0, x = 0, y = 0, z = 0;
                foreach (var i in groups[g])
                {
                    m += masses[i];
                    x += masses[i] * f[3 * i];
                    y += masses[i] * f[3 * i + 1];
                    z += masses[i] * f[3 * i + 2];
                }
                c[3 * g] = x / m - sx;
                c[3 * g + 1] = y / m - sy;
                c[3 * g + 2] = z / m - sz;
            }
            result.Add(c);
        }
        return result;
    }

    /// <summary>
    /// The collective displacement's mean square ⟨|Σ_i z_i [r_i(t₀+k) − r_i(t₀)]|²⟩ over all time origins t₀, for lags
    /// 0..<paramref name="maxLag"/> frames; <paramref name="centres"/> holds one position per charged species (ion).
    /// </summary>
    public static double[] CollectiveMsd(IReadOnlyList<double[]> centres, double[] charges, int maxLag)
    {
        var frames = centres.Count;
        maxLag = Math.Min(maxLag, frames - 1);
        var m = new double[frames * 3];
        for (var f = 0; f < frames; f++)
            for (var i = 0; i < charges.Length; i++)
                for (var d = 0; d < 3; d++)
                    m[3 * f + d] += charges[i] * centres[f][3 * i + d];
        var msd = new double[maxLag + 1];
        for (var k = 1; k <= maxLag; k++)
        {
            double sum = 0;
            for (var t = 0; t + k < frames; t++)
                for (var d = 0; d < 3; d++)
                {
                    var dm = m[3 * (t + k) + d] - m[3 * t + d];
                    sum += dm * dm;
                }
            msd[k] = sum / (frames - k);
        }
        return msd;
    }

    /// <summary>Slope of <paramref name="msd"/> (per ps) from a straight line over lags in [fitStart, fitEnd] ps.</summary>
    public static LinearFit Fit(double[] msd, double frameInterval, double fitStart, double fitEnd) =>
        MeanSquaredDisplacement.Diffusion(msd, frameInterval, fitStart, fitEnd).Fit;

    /// <summary>
    /// <paramref name="slopeOf"/> evaluated on the whole trajectory and on each of <paramref name="blocks"/>
    /// consecutive equal blocks of frames; the error is the standard error of the block mean, s/√B.
    /// </summary>
    public static Estimate Blocked<T>(IReadOnlyList<T> frames, int blocks, Func<IReadOnlyList<T>, double> slopeOf)
    {
        var whole = slopeOf(frames);
        if (blocks < 2) return new Estimate(whole, double.NaN, []);
        var size = frames.Count / blocks;
        var values = new double[blocks];
        for (var b = 0; b < blocks; b++) values[b] = slopeOf(frames.Skip(b * size).Take(size).ToList());
        return new Estimate(whole, BlockError(values), values);
    }

    /// <summary>Standard error of the mean of independent block values: sample standard deviation / √B.</summary>
    public static double BlockError(double[] values)
    {
        if (values.Length < 2) return double.NaN;
        var mean = values.Average();
        var s2 = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return Math.Sqrt(s2 / values.Length);
    }

    /// <summary>
    /// Nernst–Einstein conductivity σ = e² / (V k_B T) Σ_s N_s z_s² D_s in S/m, from self-diffusion coefficients
    /// D_s (Å²/ps) of <paramref name="species"/> (count N_s, charge z_s in e) in volume V (Å³) at T (K).
    /// </summary>
    public static double NernstEinstein(double volume, double temperature, IReadOnlyList<(int Count, double Charge, double D)> species)
    {
        var sum = species.Sum(s => s.Count * s.Charge * s.Charge * s.D * 1e-8);
        return ElementaryCharge * ElementaryCharge * sum / (volume * 1e-30 * Boltzmann * temperature);
    }

    /// <summary>
    /// Einstein conductivity σ = e² / (6 V k_B T) d⟨|ΔM|²⟩/dt in S/m from the slope (e²Å²/ps) of the collective
    /// displacement's mean square.
    /// </summary>
    public static double Einstein(double volume, double temperature, double collectiveSlope) =>
        ElementaryCharge * ElementaryCharge * collectiveSlope * 1e-8 / (6 * volume * 1e-30 * Boltzmann * temperature);
}
