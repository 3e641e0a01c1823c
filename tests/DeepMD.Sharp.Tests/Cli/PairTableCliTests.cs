namespace DeepMD.Sharp.Tests.Cli;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Linear;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary><c>dpsharp pair-table zbl</c> and <c>dpsharp combine</c> end to end, and their errors.</summary>
public class PairTableCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CommandLine.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>The commands the lead uses for the water model's O–O wall; the table is ZBL for O–O only, 0 from R2.</summary>
    [Test]
    public void ZblTableAndCombineMakeALinearModel()
    {
        var dir = RepoPaths.TempDir();
        var table = Path.Combine(dir, "oo.txt");
        var (code, stdout, stderr) = Run("pair-table", "zbl", "--type-map", "O,H", "--pairs", "O-O", "--rmin", "0.05", "--rmax", "2.4",
            "--step", "0.01", "--switch", "2.0", "2.3", "-o", table);
        Assert.That(code, Is.EqualTo(0), stderr);
        var rows = File.ReadLines(table).Where(l => !l.StartsWith('#')).Select(l => l.Split(' ').Select(double.Parse).ToArray()).ToList();
        Assert.That(rows, Has.Count.EqualTo(236));
        // LAMMPS' pair_style zbl (our LAMMPS-checked port) as the ZBL energy: pure ZBL below its inner cutoff, its constant
        // shift (about ZBL at 20 Å) ~1e-12 eV
        var lammps = new DeepMD.Sharp.Dynamics.Potentials.ZblPotential(1, 5.0, 20.0, 14.399645, 1.0);
        lammps.SetCoefficients(0, 0, 8, 8);
        foreach (var r in rows)
        {
            // O–O: ZBL for Z = 8, 8 times the switch; O–H and H–H: 0
            var expected = r[0] >= 2.3 - 1e-12 ? 0 : lammps.Single(0, 0, r[0] * r[0], out _) * ZblTable.Switch(r[0], 2.0, 2.3);
            Assert.That(r[1], Is.EqualTo(expected).Within(1e-10 * Math.Max(1, expected)), $"O-O at {r[0]}");
            Assert.That(r[2], Is.Zero);
            Assert.That(r[3], Is.Zero);
        }
        var output = Path.Combine(dir, "water_zbl.dp");
        (code, stdout, stderr) = Run("combine", RepoPaths.Get("potentials", "water", "water.dp"), "--pair-table", table, "--weights", "sum", "-o", output);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("linear_ener (weights sum)"));
        var model = ModelLoader.Load(output);
        Assert.That(model.Linear!.Kind, Is.EqualTo(LinearKind.Linear));
        Assert.That(model.Linear.PairTable.Rcut, Is.EqualTo(6.0), "the table reaches the DP part's rcut, padded with zeros");
        (code, stdout, _) = Run("info", output);
        Assert.That(stdout, Does.Contain("composite        linear_ener, weights sum"));
    }

    [TestCase("--type-map", "O,Xx", "not a chemical element")]
    [TestCase("--pairs", "O-N", "not a pair of --type-map elements")]
    [TestCase("--rmax", "0.01", "must be larger than --rmin")]
    public void BadTableArgumentsAreExplained(string option, string value, string message)
    {
        var dir = RepoPaths.TempDir();
        var args = new Dictionary<string, string> { ["--type-map"] = "O,H", ["--rmax"] = "2.0" };
        args[option] = value;
        var (code, _, stderr) = Run(["pair-table", "zbl", .. args.SelectMany(kv => new[] { kv.Key, kv.Value }), "-o", Path.Combine(dir, "t.txt")]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(message));
    }

    [Test]
    public void CombineRefusesATableForOtherTypes()
    {
        var dir = RepoPaths.TempDir();
        var table = Path.Combine(dir, "t.txt");
        Assert.That(Run("pair-table", "zbl", "--type-map", "O,H,C", "--rmax", "2.0", "--switch", "1.5", "2.0", "-o", table).Code, Is.EqualTo(0));
        var (code, _, stderr) = Run("combine", RepoPaths.Get("potentials", "water", "water.dp"), "--pair-table", table, "-o", Path.Combine(dir, "o.dp"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("3 types").And.Contain("t.txt"));
    }
}
