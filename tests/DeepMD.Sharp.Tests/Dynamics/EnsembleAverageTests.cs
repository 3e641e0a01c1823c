namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Long-run averages: NPT temperature, pressure and volume against LAMMPS (block-average error bars), and the
/// canonical temperature distribution (mean T₀, variance 2T₀²/dof) under fix temp/csvr and fix nvt.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class EnsembleAverageTests
{
    /// <summary>Mean and its standard error from <paramref name="blocks"/> block averages.</summary>
    internal static (double Mean, double Error) BlockAverage(IReadOnlyList<double> v, int blocks = 10)
    {
        var size = v.Count / blocks;
        Assert.That(size, Is.GreaterThan(1), "too few samples for block averages");
        var means = new double[blocks];
        for (var b = 0; b < blocks; b++)
        {
            double s = 0;
            for (var i = b * size; i < (b + 1) * size; i++) s += v[i];
            means[b] = s / size;
        }
        var mean = means.Average();
        var var = means.Sum(m => (m - mean) * (m - mean)) / (blocks - 1);
        return (mean, Math.Sqrt(var / blocks));
    }

    private static List<double> Column(string output, int table, string name, long fromStep)
    {
        var t = LammpsHarness.ThermoTables(output)[table];
        var k = Array.IndexOf(t.Header, name);
        Assert.That(k, Is.GreaterThanOrEqualTo(0), $"thermo column {name}");
        return t.Rows.Where(r => r[0] >= fromStep).Select(r => r[k]).ToList();
    }

    [Test]
    public void NptAveragesOverThreeThousandStepsAgreeWithLammpsWithinErrorBars()
    {
        var lmp = NptVersusLammpsTests.RequirePotentials();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.cu");
        File.WriteAllText(path, NptVersusLammpsTests.CopperDeck("fix 2 all npt temp 800.0 800.0 0.1 iso 0.0 0.0 1.0", steps: 3000, thermo: 5));
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        foreach (var col in new[] { "Temp", "Press", "Volume" })
        {
            // the first 500 steps (one barostat period) are equilibration
            var (ma, ea) = BlockAverage(Column(lammps, 1, col, 520));
            var (mb, eb) = BlockAverage(Column(ours, 1, col, 520));
            var bar = Math.Sqrt(ea * ea + eb * eb);
            TestContext.Out.WriteLine($"{col}: LAMMPS {ma:G8} ± {ea:G3}, dpsharp {mb:G8} ± {eb:G3} (10 blocks)");
            Assert.That(Math.Abs(ma - mb), Is.LessThanOrEqualTo(3 * bar + 1e-9 * Math.Abs(ma)), $"{col} averages differ by more than 3 standard errors");
        }
    }

    private static void AssertCanonical(string thermostat, int steps, double tolSigma)
    {
        NptVersusLammpsTests.RequirePotentials();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.cu");
        File.WriteAllText(path, NptVersusLammpsTests.CopperDeck(thermostat, steps: steps, thermo: 2));
        var temps = Column(LammpsHarness.RunDpsharp(path, dir), 1, "Temp", 1020);
        const double t0 = 800.0, dof = 3 * 256 - 3;
        var (mean, meanErr) = BlockAverage(temps, 20);
        var (msd, msdErr) = BlockAverage(temps.Select(t => (t - t0) * (t - t0)).ToList(), 20);
        var canonicalVariance = 2 * t0 * t0 / dof;
        TestContext.Out.WriteLine($"<T> = {mean:F2} ± {meanErr:F2} (canonical {t0}); <(T-T0)^2> = {msd:F1} ± {msdErr:F1} (canonical 2T0^2/dof = {canonicalVariance:F1})");
        Assert.That(Math.Abs(mean - t0), Is.LessThanOrEqualTo(tolSigma * meanErr), "mean temperature");
        Assert.That(Math.Abs(msd - canonicalVariance), Is.LessThanOrEqualTo(tolSigma * msdErr), "temperature variance");
    }

    [Test]
    public void CsvrSamplesTheCanonicalTemperatureDistribution() =>
        AssertCanonical("fix 2 all nve\nfix 3 all temp/csvr 800.0 800.0 0.02 48213", 5000, 4);

    [Test]
    public void NoseHooverChainSamplesTheCanonicalTemperatureDistribution() =>
        AssertCanonical("fix 2 all nvt temp 800.0 800.0 0.05", 5000, 4);
}
