namespace DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// Tabulated EAM functions on the common grids LAMMPS uses: embedding F(ρ) per element, density ρ(r) per element
/// (or per element pair for Finnis–Sinclair), and r·φ(r) per element pair, each turned into LAMMPS' cubic spline
/// coefficients (7 per grid point, 1-based like LAMMPS: index m covers [m−1, m) grid spacings).
/// </summary>
public sealed class EamTabulation
{
    /// <summary>Number of ρ and r grid points.</summary>
    public required int Nrho { get; init; }

    public required int Nr { get; init; }

    /// <summary>Grid spacings (density units, distance units).</summary>
    public required double Drho { get; init; }

    public required double Dr { get; init; }

    /// <summary>Largest tabulated density, beyond which F is extended linearly.</summary>
    public required double RhoMax { get; init; }

    /// <summary>Cutoff (distance units).</summary>
    public required double Cutoff { get; init; }

    /// <summary>F(ρ) tables, one per element; values at 1..Nrho.</summary>
    public required double[][] Frho { get; init; }

    /// <summary>ρ(r) tables; values at 1..Nr.</summary>
    public required double[][] Rhor { get; init; }

    /// <summary>r·φ(r) tables for element pairs i ≥ j (index i(i+1)/2 + j); values at 1..Nr.</summary>
    public required double[][] Z2r { get; init; }

    /// <summary>Spline coefficients [table][(m·7)+c] built by <see cref="BuildSplines"/>.</summary>
    public double[][] FrhoSpline { get; private set; } = [];

    public double[][] RhorSpline { get; private set; } = [];

    public double[][] Z2rSpline { get; private set; } = [];

    /// <summary>Index of the r·φ table for elements a and b.</summary>
    public static int PairIndex(int a, int b)
    {
        if (a < b) (a, b) = (b, a);
        return a * (a + 1) / 2 + b;
    }

    /// <summary>Computes the spline coefficients of every table (LAMMPS' array2spline/interpolate).</summary>
    public void BuildSplines()
    {
        FrhoSpline = Frho.Select(f => Spline(Nrho, Drho, f)).ToArray();
        RhorSpline = Rhor.Select(f => Spline(Nr, Dr, f)).ToArray();
        Z2rSpline = Z2r.Select(f => Spline(Nr, Dr, f)).ToArray();
    }

    private static double[] Spline(int n, double delta, double[] f)
    {
        var s = new double[(n + 1) * 7];
        ref double S(int m, int c) => ref s[m * 7 + c];
        for (var m = 1; m <= n; m++) S(m, 6) = f[m];
        S(1, 5) = S(2, 6) - S(1, 6);
        S(2, 5) = 0.5 * (S(3, 6) - S(1, 6));
        S(n - 1, 5) = 0.5 * (S(n, 6) - S(n - 2, 6));
        S(n, 5) = S(n, 6) - S(n - 1, 6);
        for (var m = 3; m <= n - 2; m++)
            S(m, 5) = ((S(m - 2, 6) - S(m + 2, 6)) + 8.0 * (S(m + 1, 6) - S(m - 1, 6))) / 12.0;
        for (var m = 1; m <= n - 1; m++)
        {
            S(m, 4) = 3.0 * (S(m + 1, 6) - S(m, 6)) - 2.0 * S(m, 5) - S(m + 1, 5);
            S(m, 3) = S(m, 5) + S(m + 1, 5) - 2.0 * (S(m + 1, 6) - S(m, 6));
        }
        S(n, 4) = 0.0;
        S(n, 3) = 0.0;
        for (var m = 1; m <= n; m++)
        {
            S(m, 2) = S(m, 5) / delta;
            S(m, 1) = 2.0 * S(m, 4) / delta;
            S(m, 0) = 3.0 * S(m, 3) / delta;
        }
        return s;
    }
}
