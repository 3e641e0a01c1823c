namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix temp/csvr on 4 free lj atoms (9 degrees of freedom): the kinetic energy must follow the canonical gamma
/// distribution, mean T₀ and variance 2T₀²/9. With so few degrees of freedom the sum of squared Gaussians is drawn by
/// the small-order branch of the gamma deviate (the copper tests use the rejection branch).
/// </summary>
[TestFixture]
public class CsvrSmallSystemTests
{
    [Test]
    public void FourFreeAtomsSampleTheCanonicalKineticEnergy()
    {
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.tiny");
        File.WriteAllText(deck, """
            units lj
            atom_style atomic
            lattice fcc 0.3
            region box block 0 1 0 1 0 1
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.0 87287 loop geom
            pair_style lj/cut 1.1
            pair_coeff 1 1 1.0 1.0 1.1
            fix 1 all nve
            fix 2 all temp/csvr 1.0 1.0 0.05 4711
            thermo_style custom step temp
            thermo 5
            run 50000
            """);
        var screen = new StringWriter { NewLine = "\n" };
        using (var session = new DeckSession(screen, dir, null)) session.RunFile(deck);
        var (_, rows) = LammpsHarness.ThermoTables(screen.ToString())[0];
        var temps = rows.Where(r => r[0] >= 1000).Select(r => r[1]).ToList();
        var (mean, meanErr) = EnsembleAverageTests.BlockAverage(temps, 20);
        var (msd, msdErr) = EnsembleAverageTests.BlockAverage(temps.Select(t => (t - 1.0) * (t - 1.0)).ToList(), 20);
        const double canonicalVariance = 2.0 / 9.0;
        TestContext.Out.WriteLine($"<T> = {mean:F4} ± {meanErr:F4} (canonical 1); <(T-1)^2> = {msd:F4} ± {msdErr:F4} (canonical 2/9 = {canonicalVariance:F4})");
        Assert.That(Math.Abs(mean - 1.0), Is.LessThanOrEqualTo(4 * meanErr), "mean temperature");
        Assert.That(Math.Abs(msd - canonicalVariance), Is.LessThanOrEqualTo(4 * msdErr), "temperature variance");
    }
}
