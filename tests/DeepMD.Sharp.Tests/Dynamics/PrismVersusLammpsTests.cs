namespace DeepMD.Sharp.Tests.Dynamics;

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>region ID prism</c> compared with LAMMPS: <c>create_box</c> on a prism makes LAMMPS' triclinic box (tilts
/// scaled by the lattice spacings: xy and xz by x, yz by y), <c>create_atoms</c> fills it with the same atoms, a prism
/// used as a sub-region selects the same lattice points, EAM copper in the tilted box gives LAMMPS' thermo, and
/// the tilts and bounds LAMMPS refuses are refused with its error text.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class PrismVersusLammpsTests
{
    /// <summary>Runs <paramref name="head"/>, a write_data (lmp.data or ours.data) and <paramref name="tail"/> in both codes.</summary>
    private static (string Lammps, string Ours, string Dir) RunPair(string head, string tail = "")
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.lmp"), head + "\nwrite_data lmp.data\n" + tail);
        File.WriteAllText(Path.Combine(dir, "in.ours"), head + "\nwrite_data ours.data\n" + tail);
        return (LammpsHarness.RunLammps(lmp, Path.Combine(dir, "in.lmp"), dir), LammpsHarness.RunDpsharp(Path.Combine(dir, "in.ours"), dir), dir);
    }

    private static double[] Numbers(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The (lo, hi, tilt) numbers of every "Created triclinic box" line.</summary>
    private static List<double[]> TriclinicBoxes(string output) =>
        Regex.Matches(output, @"Created triclinic box = \(([^)]*)\) to \(([^)]*)\) with tilt \(([^)]*)\)")
            .Select(m => Numbers(m.Groups[1].Value).Concat(Numbers(m.Groups[2].Value)).Concat(Numbers(m.Groups[3].Value)).ToArray()).ToList();

    private static List<int> CreatedCounts(string output) =>
        Regex.Matches(output, @"^Created (\d+) atoms", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>id → (type, x, y, z) of the Atoms section of a data file.</summary>
    private static SortedDictionary<int, double[]> DataAtoms(string path)
    {
        var atoms = new SortedDictionary<int, double[]>();
        var lines = File.ReadAllLines(path);
        var i = Array.FindIndex(lines, l => l.StartsWith("Atoms", StringComparison.Ordinal));
        Assert.That(i, Is.GreaterThanOrEqualTo(0), $"{path} has no Atoms section");
        for (i += 2; i < lines.Length && lines[i].Trim().Length > 0; i++)
        {
            var w = Numbers(lines[i]);
            atoms[(int)w[0]] = [w[1], w[2], w[3], w[4]];
        }
        return atoms;
    }

    private static void AssertSameBoxesAndAtoms(string lammps, string ours, string dir)
    {
        var a = TriclinicBoxes(lammps);
        var b = TriclinicBoxes(ours);
        Assert.That(b, Has.Count.EqualTo(a.Count), "Created triclinic box lines");
        for (var t = 0; t < a.Count; t++)
            for (var k = 0; k < 9; k++) // LAMMPS prints 8 significant digits
                Assert.That(b[t][k], Is.EqualTo(a[t][k]).Within(1e-7 * Math.Max(1, Math.Abs(a[t][k]))), $"box line {t + 1}, number {k + 1}");
        Assert.That(CreatedCounts(ours), Is.EqualTo(CreatedCounts(lammps)), "Created N atoms");
        var la = DataAtoms(Path.Combine(dir, "lmp.data"));
        var lb = DataAtoms(Path.Combine(dir, "ours.data"));
        Assert.That(lb.Keys, Is.EqualTo(la.Keys), "atom ids");
        foreach (var (id, x) in la)
            for (var k = 0; k < 4; k++)
                Assert.That(lb[id][k], Is.EqualTo(x[k]).Within(1e-12 * Math.Max(1, Math.Abs(x[k]))), $"atom {id}, column {k + 2}");
    }

    [Test]
    public void CopperInPrismBoxMatchesLammpsThermoBoxAndAtoms()
    {
        var pot = MinimizeVersusLammpsTests.RequirePotentials();
        const string body = """
            units       metal
            atom_style  atomic
            lattice     fcc 3.615
            region      box prism 0 4 0 4 0 4 0.5 0.3 0.2
            create_box  1 box
            create_atoms 1 box
            mass        1 63.546
            """;
        var tail = $"""
            pair_style  eam
            pair_coeff  1 1 {pot}/Cu_u3.eam
            velocity    all create 300 4928459
            fix         1 all nve
            thermo      10
            thermo_style custom step temp pe etotal press pxx pyy pzz pxy pxz pyz vol
            thermo_modify format float %20.15g
            run         100
            """;
        var (lammps, ours, dir) = RunPair(body, tail);
        Assert.That(TriclinicBoxes(lammps), Has.Count.EqualTo(1));
        Assert.That(TriclinicBoxes(lammps)[0][6], Is.Not.EqualTo(0), "the box is tilted");
        AssertSameBoxesAndAtoms(lammps, ours, dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-10);
    }

    private static void CompareCreation(string deck)
    {
        var (lammps, ours, dir) = RunPair(deck);
        Assert.That(CreatedCounts(lammps), Is.Not.Empty);
        Assert.That(CreatedCounts(lammps).Sum(), Is.GreaterThan(0));
        AssertSameBoxesAndAtoms(lammps, ours, dir);
    }

    // hcp has different x, y, z spacings: checks xy and xz scale by the x spacing and yz by the y spacing
    [TestCase("lattice hcp 2.5\nregion box prism 0 3 0 2 0 2 0.7 -0.4 0.3\ncreate_box 2 box\ncreate_atoms 1 box")]
    [TestCase("lattice fcc 3.615\nregion box prism 0 3 0 3 0 3 -1.5 1.2 -0.9\ncreate_box 1 box\ncreate_atoms 1 box")]
    [TestCase("lattice bcc 3.0\nregion box prism -1 8 -0.5 8.5 0 9 4.5 -3 2 units box\ncreate_box 1 box\ncreate_atoms 1 box")]
    [TestCase("boundary p f p\nlattice fcc 3.615\nregion box prism 0 3 0 3 0 3 0.5 0.5 0.5\ncreate_box 1 box\ncreate_atoms 1 box")]
    // a prism as a sub-region of an orthogonal box, with side out, INF (LAMMPS' 1e20) and EDGE bounds
    [TestCase("lattice fcc 3.615\nregion b block 0 5 0 5 0 5\ncreate_box 2 b\nregion p prism 0.5 3.5 0.5 3.5 0.5 3.5 1 0.5 -0.25\ncreate_atoms 1 region p\nregion q prism 0.5 3.5 0.5 3.5 0.5 3.5 1 0.5 -0.25 side out\ncreate_atoms 2 region q")]
    [TestCase("lattice fcc 3.615\nregion b block 0 5 0 5 0 5\ncreate_box 1 b\nregion p prism INF 4 0 4 EDGE 4 0 0 0\ncreate_atoms 1 region p")]
    [TestCase("lattice fcc 3.615\nregion b block 0 5 0 5 0 5\ncreate_box 1 b\nregion p prism 0 4 0 4 0 4 0 0 0\ncreate_atoms 1 region p")]
    // a prism sub-region inside a triclinic box
    [TestCase("lattice sc 2.0\nregion box prism 0 6 0 6 0 6 2 1 -1\ncreate_box 1 box\nregion p prism 1 5 1 5 1 5 1.5 0.5 -0.5\ncreate_atoms 1 region p")]
    public void CreateBoxAndAtomsWithPrismRegionsMatchLammps(string deck) => CompareCreation("units metal\natom_style atomic\n" + deck + "\nmass * 1.0");

    private static string LammpsError(string deck)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.err");
        File.WriteAllText(path, deck);
        var psi = new ProcessStartInfo(lmp, ["-in", path, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Not.EqualTo(0), "LAMMPS accepted the deck");
        return stdout.Result + stderr.Result;
    }

    [TestCase("region box prism 0 4 0 4 0 4 2.5 0 0\ncreate_box 1 box", "Triclinic box skew is too large", "|xy|")]
    [TestCase("region box prism 0 4 0 4 0 4 0 -2.1 0\ncreate_box 1 box", "Triclinic box skew is too large", "|xz|")]
    [TestCase("region box prism 0 4 0 4 0 4 0 0 2.1\ncreate_box 1 box", "Triclinic box skew is too large", "|yz|")]
    [TestCase("boundary p f p\nregion box prism 0 4 0 4 0 4 2.1 0 0\ncreate_box 1 box", "Triclinic box skew is too large", "|xy|")]
    [TestCase("region box prism 4 0 0 4 0 4 0 0 0\ncreate_box 1 box", "Illegal region prism command", "lo bound")]
    [TestCase("region b block 0 4 0 4 0 4\ncreate_box 1 b\nregion p prism 0 4 INF INF 0 4 0.5 0 0", "Illegal region prism command", "INF")]
    public void PrismsLammpsRefusesAreRefused(string deck, string lammpsText, string detail)
    {
        deck = "units metal\nlattice fcc 3.615\n" + deck + "\n";
        Assert.That(LammpsError(deck), Does.Contain(lammpsText), "LAMMPS' own error");
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.err");
        File.WriteAllText(path, deck);
        var e = Assert.Throws<UserInputException>(() => LammpsHarness.RunDpsharp(path, dir))!;
        Assert.That(e.Message, Does.Contain(lammpsText).And.Contain(detail));
    }

    [Test]
    public void SkewAtHalfTheLengthIsAcceptedAsByLammps()
    {
        // |xy| equal to half the x length is allowed (LAMMPS tests > 0.5)
        CompareCreation("units metal\natom_style atomic\nlattice fcc 3.615\nregion box prism 0 4 0 4 0 4 -2 2 2\ncreate_box 1 box\ncreate_atoms 1 box\nmass 1 1.0");
    }
}
