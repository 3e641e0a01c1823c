namespace DeepMD.Sharp.Tests.Dynamics;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>atom_style charge</c> with <c>coul/cut</c> and <c>lj/cut/coul/cut</c> against Debian's LAMMPS: a perturbed NaCl
/// crystal (512 ions, ±1 e) read from a charge-style data file, 200 NVE steps with every printed thermo value (15
/// digits) equal to 1e-10 relative; pair_write with charges; write_data keeps the charges.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ChargedPairStylesVersusLammpsTests
{
    private static string NaclData()
    {
        const double a = 5.64;
        const int n = 4;
        var rng = new Random(3);
        var sb = new StringBuilder();
        var length = n * a;
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        sb.Append($"NaCl, charges +-1\n\n{8 * n * n * n} atoms\n2 atom types\n\n0 {F(length)} xlo xhi\n0 {F(length)} ylo yhi\n0 {F(length)} zlo zhi\n\n");
        sb.Append("Masses\n\n1 22.99\n2 35.45\n\nAtoms # charge\n\n");
        double[][] fcc = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var id = 1;
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                for (var k = 0; k < n; k++)
                    foreach (var b in fcc)
                        foreach (var (type, q, shift) in new[] { (1, 1.0, 0.0), (2, -1.0, 0.5) })
                        {
                            double[] cell = [i, j, k];
                            var x = new double[3];
                            for (var d = 0; d < 3; d++)
                            {
                                var v = (cell[d] + b[d] + (d == 0 ? shift : 0)) * a % length + (rng.NextDouble() - 0.5) * 0.1;
                                x[d] = (v % length + length) % length;
                            }
                            sb.Append($"{id++} {type} {F(q)} {F(x[0])} {F(x[1])} {F(x[2])}\n");
                        }
        return sb.ToString();
    }

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("""
            pair_style  hybrid/overlay coul/cut 8.0 born 8.0
            pair_coeff  * * coul/cut
            pair_coeff  1 1 born 0.2637 0.317 2.340 1.0486 -0.499
            pair_coeff  1 2 born 0.2110 0.317 2.755 6.99 -8.676
            pair_coeff  2 2 born 0.1582 0.317 3.170 72.4 -145.427
            """).SetName("{m}(coul/cut + born, Tosi-Fumi NaCl)");
        yield return new TestCaseData("""
            pair_style  lj/cut/coul/cut 8.0 7.0
            pair_coeff  1 1 0.05 2.2
            pair_coeff  2 2 0.1 3.8 7.5 6.5
            pair_modify mix arithmetic
            """).SetName("{m}(lj/cut/coul/cut, mixed cutoffs)");
        yield return new TestCaseData("""
            pair_style  hybrid/overlay coul/cut 7.0 lj/cut/coul/cut 8.0
            pair_coeff  1 1 coul/cut 6.0
            pair_coeff  2 2 coul/cut
            pair_coeff  * * lj/cut/coul/cut 0.08 2.9
            pair_modify pair lj/cut/coul/cut shift yes
            """).SetName("{m}(coul/cut mixed cutoffs + lj/cut/coul/cut shifted)");
    }

    private static (string Dir, string Lmp) Prepare()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "nacl.data"), NaclData());
        return (dir, lmp);
    }

    private const string Head = """
        units       metal
        atom_style  charge
        read_data   nacl.data

        """;

    [TestCaseSource(nameof(Cases))]
    public void NveRunMatchesLammps(string pair)
    {
        var (dir, lmp) = Prepare();
        var path = Path.Combine(dir, "in.nacl");
        File.WriteAllText(path, Head + pair + """

            velocity    all create 600 4928459 loop geom
            timestep    0.001
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
    public void PairWriteWithChargesMatchesLammps(string pair)
    {
        var (dir, lmp) = Prepare();
        string Deck(string file) => Head + pair + $"""

            pair_write  1 2 200 r 1.5 9.0 {file} NACL 1.0 -1.0
            pair_write  2 2 150 rsq 1.5 9.0 {file} CLCL -0.8 -0.8
            pair_write  1 1 150 r 1.5 9.0 {file} NANA
            """;
        File.WriteAllText(Path.Combine(dir, "in.lmp"), Deck("lmp.table"));
        File.WriteAllText(Path.Combine(dir, "in.ours"), Deck("ours.table"));
        LammpsHarness.RunLammps(lmp, Path.Combine(dir, "in.lmp"), dir);
        LammpsHarness.RunDpsharp(Path.Combine(dir, "in.ours"), dir);
        var expected = File.ReadAllLines(Path.Combine(dir, "lmp.table")).Skip(1).ToArray();
        var actual = File.ReadAllLines(Path.Combine(dir, "ours.table")).Skip(1).ToArray();
        Assert.That(actual, Is.EqualTo(expected), "every line after the DATE line");
    }

    [Test]
    public void WriteDataKeepsTheCharges()
    {
        var (dir, lmp) = Prepare();
        var path = Path.Combine(dir, "in.wd");
        File.WriteAllText(path, Head + "pair_style coul/cut 6.0\npair_coeff * *\nwrite_data out.data\n");
        LammpsHarness.RunDpsharp(path, dir);
        var text = File.ReadAllText(Path.Combine(dir, "out.data"));
        Assert.That(text, Does.Contain("Atoms # charge"));
        var lines = text.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("Atoms", StringComparison.Ordinal)) + 2;
        var charges = new Dictionary<int, double>();
        for (var k = start; k < lines.Length && lines[k].Trim().Length > 0; k++)
        {
            var w = lines[k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            charges[int.Parse(w[0], CultureInfo.InvariantCulture)] = double.Parse(w[2], CultureInfo.InvariantCulture);
        }
        Assert.That(charges, Has.Count.EqualTo(512));
        Assert.That(charges.Where(c => c.Key % 2 == 1).Select(c => c.Value), Is.All.EqualTo(1.0));
        Assert.That(charges.Where(c => c.Key % 2 == 0).Select(c => c.Value), Is.All.EqualTo(-1.0));
        // LAMMPS reads the written file back with the same energy as the original.
        string Energy(string data)
        {
            File.WriteAllText(Path.Combine(dir, "in.e"), $"units metal\natom_style charge\nread_data {data}\npair_style coul/cut 6.0\npair_coeff * *\nthermo_style custom step pe\nthermo_modify format float %20.15g\nrun 0\n");
            var tables = LammpsHarness.ThermoTables(LammpsHarness.RunLammps(lmp, Path.Combine(dir, "in.e"), dir));
            return tables[0].Rows[0][1].ToString("R", CultureInfo.InvariantCulture);
        }
        Assert.That(double.Parse(Energy("out.data"), CultureInfo.InvariantCulture),
            Is.EqualTo(double.Parse(Energy("nacl.data"), CultureInfo.InvariantCulture)).Within(1e-9).Percent);
    }
}
