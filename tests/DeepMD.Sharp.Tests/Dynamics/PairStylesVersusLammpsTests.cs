namespace DeepMD.Sharp.Tests.Dynamics;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The classical pair styles (zbl, soft, morse, born, buck, lj/smooth/linear, table, hybrid/overlay, and lj/cut's
/// pair_modify settings) against Debian's LAMMPS: each deck of its own (a two-type lattice with thermal motion,
/// 256 atoms) runs 200 NVE steps in lmp and in dpsharp and every printed thermo value (15 digits) agrees to 1e-10
/// relative; <c>pair_write</c> tables of the same decks (r and r² spacing, like and unlike types) agree value by value.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class PairStylesVersusLammpsTests
{
    /// <summary>A two-type fcc block: type 1 for x below half the box, type 2 above.</summary>
    private static string Lattice(string units, double constant, double m1, double m2, double temperature, double dt) => $"""
        units       {units}
        lattice     fcc {constant.ToString(CultureInfo.InvariantCulture)}
        region      box block 0 4 0 4 0 4
        create_box  2 box
        region      left block 0 1.99 INF INF INF INF
        region      right block 1.99 4 INF INF INF INF
        create_atoms 1 region left
        create_atoms 2 region right
        mass        1 {m1.ToString(CultureInfo.InvariantCulture)}
        mass        2 {m2.ToString(CultureInfo.InvariantCulture)}
        velocity    all create {temperature.ToString(CultureInfo.InvariantCulture)} 4928459 loop geom
        timestep    {dt.ToString(CultureInfo.InvariantCulture)}

        """;

    private static string Metal(double a) => Lattice("metal", a, 28.0, 63.5, 900.0, 0.001);

    private static string LjUnits => Lattice("lj", 0.8442, 1.0, 2.0, 1.5, 0.004);

    /// <summary>name, deck up to the pair settings, pair_write range (inner, outer).</summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("zbl", Metal(3.0) + """
            pair_style  zbl 1.8 2.6
            pair_coeff  1 1 14 14
            pair_coeff  2 2 29 29
            """, 0.5, 3.0);
        yield return Case("zbl explicit unlike pair", Metal(3.0) + """
            pair_style  zbl 1.8 2.6
            pair_coeff  * * 14 14
            pair_coeff  2 2 29 29
            pair_coeff  1 2 14 29
            """, 0.5, 3.0);
        yield return Case("soft", LjUnits + """
            pair_style  soft 1.12246
            pair_coeff  1 1 10.0
            pair_coeff  2 2 20.0 1.3
            """, 0.2, 1.5);
        yield return Case("morse", Metal(3.615) + """
            pair_style  morse 6.0
            pair_coeff  1 1 0.3429 1.3588 2.866
            pair_coeff  2 2 0.40 1.40 2.80 5.5
            pair_coeff  1 2 0.37 1.38 2.83
            """, 1.0, 7.0);
        yield return Case("morse shift", Metal(3.615) + """
            pair_style  morse 6.0
            pair_coeff  * * 0.3429 1.3588 2.866
            pair_coeff  2 2 0.40 1.40 2.80 5.5
            pair_modify shift yes
            """, 1.0, 7.0);
        yield return Case("born", Metal(4.5) + """
            pair_style  born 8.0
            pair_coeff  1 1 0.2 0.317 2.34 1.05 0.5
            pair_coeff  2 2 0.25 0.317 2.6 6.99 8.68 7.0
            pair_coeff  1 2 0.22 0.317 2.5 3.0 2.0
            """, 1.5, 8.5);
        yield return Case("born tail", Metal(4.5) + """
            pair_style  born 8.0
            pair_coeff  * * 0.2 0.317 2.34 1.05 0.5
            pair_coeff  2 2 0.25 0.317 2.6 6.99 8.68 7.0
            pair_modify tail yes
            """, 1.5, 8.5);
        yield return Case("buck", Metal(4.5) + """
            pair_style  buck 8.0
            pair_coeff  1 1 1388.77 0.3623 175.0
            pair_coeff  2 2 1000.0 0.35 100.0 7.0
            pair_coeff  1 2 1200.0 0.355 130.0
            """, 1.5, 8.5);
        yield return Case("buck shift", Metal(4.5) + """
            pair_style  buck 8.0
            pair_coeff  * * 1388.77 0.3623 175.0
            pair_coeff  2 2 1000.0 0.35 100.0 7.0
            pair_modify shift yes
            """, 1.5, 8.5);
        yield return Case("lj/smooth/linear", LjUnits + """
            pair_style  lj/smooth/linear 2.5
            pair_coeff  1 1 1.0 1.0
            pair_coeff  2 2 1.2 1.1 2.8
            """, 0.8, 3.0);
        yield return Case("lj/smooth/linear mix arithmetic", LjUnits + """
            pair_style  lj/smooth/linear 2.5
            pair_coeff  1 1 1.0 1.0
            pair_coeff  2 2 1.2 1.1 2.8
            pair_modify mix arithmetic
            """, 0.8, 3.0);
        yield return Case("lj/cut mix arithmetic shift", LjUnits + """
            pair_style  lj/cut 2.5
            pair_coeff  1 1 1.0 1.0
            pair_coeff  2 2 1.2 1.1 2.8
            pair_modify mix arithmetic shift yes
            """, 0.8, 3.0);
        yield return Case("lj/cut mix sixthpower tail", LjUnits + """
            pair_style  lj/cut 2.5
            pair_coeff  1 1 1.0 1.0
            pair_coeff  2 2 1.2 1.1 2.8
            pair_modify mix sixthpower tail yes
            """, 0.8, 3.0);
        yield return Case("lj/cut geometric tail", LjUnits + """
            pair_style  lj/cut 2.5
            pair_coeff  1 1 1.0 1.0
            pair_coeff  2 2 1.2 1.1 2.8
            pair_modify tail yes
            """, 0.8, 3.0);
        yield return Case("table linear (R, splined)", Metal(3.615) + """
            pair_style  table linear 1000
            pair_coeff  1 1 morse.table MORSE_R
            pair_coeff  2 2 morse.table MORSE_R 5.5
            pair_coeff  1 2 morse.table MORSE_FILE_R
            """, 1.6, 6.0);
        yield return Case("table spline (R)", Metal(3.615) + """
            pair_style  table spline 800
            pair_coeff  * * morse.table MORSE_R
            pair_coeff  1 2 morse.table MORSE_FILE_R 5.8
            """, 1.6, 6.0);
        yield return Case("table linear (RSQ, exact points)", Metal(3.615) + """
            pair_style  table linear 1200
            pair_coeff  * * morse.table MORSE_RSQ
            """, 1.6, 6.0);
        yield return Case("table lookup", Metal(3.615) + """
            pair_style  table lookup 2000
            pair_coeff  * * morse.table MORSE_RSQ
            """, 1.6, 6.0);
        yield return Case("hybrid/overlay morse zbl", Metal(3.615) + """
            pair_style  hybrid/overlay morse 6.0 zbl 2.0 2.8
            pair_coeff  * * morse 0.3429 1.3588 2.866
            pair_coeff  1 1 zbl 29 29
            pair_coeff  2 2 zbl 28 28
            pair_coeff  1 2 zbl 29 28
            """, 0.8, 6.5);
        yield return Case("hybrid/overlay lj/cut zbl mixing and shift", Metal(3.615) + """
            pair_style  hybrid/overlay lj/cut 6.0 zbl 2.0 2.8
            pair_coeff  1 1 lj/cut 0.4 2.3
            pair_coeff  2 2 lj/cut 0.5 2.25
            pair_coeff  1 1 zbl 29 29
            pair_coeff  2 2 zbl 28 28
            pair_coeff  1 2 zbl 29 28
            pair_modify pair lj/cut shift yes
            """, 0.8, 6.5);
        yield return Case("hybrid morse soft", Metal(3.615) + """
            pair_style  hybrid morse 6.0 soft 3.0
            pair_coeff  * * morse 0.3429 1.3588 2.866
            pair_coeff  2 2 soft 2.0
            """, 0.8, 6.5);
    }

    private static TestCaseData Case(string name, string deck, double inner, double outer) =>
        new TestCaseData(deck, inner, outer).SetName($"{{m}}({name})");

    private static (string Dir, string Lmp) Prepare()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "morse.table"), MorseTable());
        return (dir, lmp);
    }

    [TestCaseSource(nameof(Cases))]
    public void NveRunMatchesLammps(string setup, double inner, double outer)
    {
        var (dir, lmp) = Prepare();
        var path = Path.Combine(dir, "in.pair");
        File.WriteAllText(path, setup + """

            neigh_modify every 1 delay 0 check yes
            fix         1 all nve
            thermo_style custom step temp pe evdwl ecoul ke etotal press pxx pyy pzz pxy pxz pyz
            thermo_modify format float %20.15g
            thermo      20
            run         200
            """);
        LammpsHarness.AssertSameThermo(LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir), 1e-10);
    }

    /// <summary>EAM with ZBL at short range (the usual radiation-damage set-up): eam/alloy covers every pair, zbl its own.</summary>
    [Test]
    public void EamAlloyOverlaidWithZblMatchesLammps()
    {
        const string potentials = "/usr/share/lammps/potentials";
        var (dir, lmp) = Prepare();
        if (!File.Exists(Path.Combine(potentials, "CuNi.eam.alloy"))) Requirement.That(false, Requirement.Lammps, $"{potentials} missing; install lammps-data");
        var path = Path.Combine(dir, "in.eamzbl");
        File.WriteAllText(path, Lattice("metal", 3.56, 63.546, 58.69, 1500.0, 0.001) + $"""
            pair_style  hybrid/overlay eam/alloy zbl 1.5 2.4
            pair_coeff  * * eam/alloy {potentials}/CuNi.eam.alloy Cu Ni
            pair_coeff  1 1 zbl 29 29
            pair_coeff  2 2 zbl 28 28
            pair_coeff  1 2 zbl 29 28
            neigh_modify every 1 delay 0 check yes
            fix         1 all nve
            thermo_style custom step temp pe evdwl ecoul ke etotal press pxx pyy pzz pxy pxz pyz
            thermo_modify format float %20.15g
            thermo      20
            run         200
            """);
        LammpsHarness.AssertSameThermo(LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir), 1e-10);
    }

    [TestCaseSource(nameof(Cases))]
    public void PairWriteTableMatchesLammps(string setup, double inner, double outer)
    {
        var (dir, lmp) = Prepare();
        string Writes(string file)
        {
            var s = new StringBuilder();
            string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            foreach (var (i, j) in new[] { (1, 1), (1, 2), (2, 2) })
            {
                s.AppendLine($"pair_write {i} {j} 300 r {F(inner)} {F(outer)} {file} R{i}{j}");
                s.AppendLine($"pair_write {i} {j} 257 rsq {F(inner)} {F(outer)} {file} RSQ{i}{j}");
            }
            return s.ToString();
        }
        var lmpDeck = Path.Combine(dir, "in.lmp");
        var ourDeck = Path.Combine(dir, "in.ours");
        File.WriteAllText(lmpDeck, setup + "\n" + Writes("lmp.table"));
        File.WriteAllText(ourDeck, setup + "\n" + Writes("ours.table"));
        LammpsHarness.RunLammps(lmp, lmpDeck, dir);
        LammpsHarness.RunDpsharp(ourDeck, dir);
        var expected = File.ReadAllLines(Path.Combine(dir, "lmp.table"));
        var actual = File.ReadAllLines(Path.Combine(dir, "ours.table"));
        Assert.That(actual, Has.Length.EqualTo(expected.Length), "lines in the table file");
        double worst = 0;
        var where = "";
        for (var k = 0; k < expected.Length; k++)
        {
            if (expected[k].StartsWith("# DATE:", StringComparison.Ordinal))
            {
                Assert.That(actual[k], Does.StartWith("# DATE:").And.EndWith(expected[k][expected[k].IndexOf(" UNITS:", StringComparison.Ordinal)..]));
                continue;
            }
            var a = expected[k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var b = actual[k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (a.Length != 4 || !int.TryParse(a[0], out _))
            {
                Assert.That(actual[k], Is.EqualTo(expected[k]), $"line {k + 1}");
                continue;
            }
            Assert.That(b, Has.Length.EqualTo(4), $"line {k + 1}: {actual[k]}");
            Assert.That(b[0], Is.EqualTo(a[0]));
            for (var c = 1; c < 4; c++)
            {
                double x = double.Parse(a[c], CultureInfo.InvariantCulture), y = double.Parse(b[c], CultureInfo.InvariantCulture);
                var rel = Math.Abs(x - y) / Math.Max(Math.Max(Math.Abs(x), Math.Abs(y)), 1e-300);
                if (Math.Abs(x - y) < 1e-13) rel = 0; // values near a zero crossing, printed to 15 digits
                if (rel <= worst) continue;
                worst = rel;
                where = $"line {k + 1}: LAMMPS '{expected[k]}' vs '{actual[k]}'";
            }
        }
        TestContext.Out.WriteLine($"max relative pair_write difference vs LAMMPS: {worst:E3} ({where})");
        Assert.That(worst, Is.LessThanOrEqualTo(1e-12), where);
    }

    /// <summary>
    /// A Morse table (D0 0.3429, α 1.3588, r0 2.866) in LAMMPS' table format from the analytic formula: sections with
    /// R spacing (N 500 R 1.5 6.0), RSQ spacing (N 1200 RSQ 1.6 6.0, the points a linear table of 1200 uses as is) and
    /// with r taken from the file (no R keyword, an uneven grid).
    /// </summary>
    private static string MorseTable()
    {
        const double d0 = 0.3429, alpha = 1.3588, r0 = 2.866;
        static (double E, double F) Morse(double r)
        {
            var x = Math.Exp(-alpha * (r - r0));
            return (d0 * (x * x - 2 * x), 2 * d0 * alpha * (x * x - x));
        }
        var s = new StringBuilder("# Morse test table\n\n");
        string G(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        void Section(string name, string header, int n, Func<int, double> r)
        {
            s.Append($"{name}\n{header}\n\n");
            for (var i = 0; i < n; i++)
            {
                var (e, f) = Morse(r(i));
                s.Append($"{i + 1} {G(r(i))} {G(e)} {G(f)}\n");
            }
            s.Append('\n');
        }
        Section("MORSE_R", "N 500 R 1.5 6.0", 500, i => 1.5 + 4.5 * i / 499);
        Section("MORSE_RSQ", "N 1200 RSQ 1.6 6.0", 1200, i => Math.Sqrt(1.6 * 1.6 + (36.0 - 1.6 * 1.6) * i / 1199));
        Section("MORSE_FILE_R", "N 400", 400, i => 1.5 + 4.5 * Math.Pow(i / 399.0, 0.8));
        return s.ToString();
    }
}
