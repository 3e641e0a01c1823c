namespace DeepMD.Sharp.Dynamics.Analysis;

/// <summary>An ordinary least-squares straight line y = Intercept + Slope·x.</summary>
/// <param name="Slope">The fitted slope.</param>
/// <param name="Intercept">The fitted value at x = 0.</param>
/// <param name="SlopeStandardError">The slope's standard error from the residuals (0 for two points or an exact fit).</param>
/// <param name="RSquared">The coefficient of determination (1 for an exact fit; NaN when y is constant).</param>
/// <param name="Count">Number of points fitted.</param>
public readonly record struct LinearFit(double Slope, double Intercept, double SlopeStandardError, double RSquared, int Count)
{
    /// <summary>Fits a line to (x, y); at least two points with distinct x.</summary>
    public static LinearFit Of(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length) throw new ArgumentException("x and y differ in length");
        var n = x.Length;
        if (n < 2) throw new ArgumentException("a line needs at least two points");
        double mx = 0, my = 0;
        for (var i = 0; i < n; i++)
        {
            mx += x[i];
            my += y[i];
        }

        mx /= n;
        my /= n;
        double sxx = 0, sxy = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            var dx = x[i] - mx;
            var dy = y[i] - my;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }

        if (!(sxx > 0)) throw new ArgumentException("all x are equal; no line can be fitted");
        var slope = sxy / sxx;
        var intercept = my - slope * mx;
        double rss = 0;
        for (var i = 0; i < n; i++)
        {
            var r = y[i] - (intercept + slope * x[i]);
            rss += r * r;
        }

        var se = n > 2 ? Math.Sqrt(rss / (n - 2) / sxx) : 0;
        var r2 = syy > 0 ? 1 - rss / syy : double.NaN;
        return new LinearFit(slope, intercept, se, r2, n);
    }
}
