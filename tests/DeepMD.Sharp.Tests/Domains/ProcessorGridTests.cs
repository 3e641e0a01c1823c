namespace DeepMD.Sharp.Tests.Domains;

using System.Globalization;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Domains.Decomposition;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

public class ProcessorGridTests
{
    // LAMMPS prism: lx ly lz xy xz yz  → rows a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz).
    private static Box Prism(double lx, double ly, double lz, double xy = 0, double xz = 0, double yz = 0) =>
        new([lx, 0, 0, xy, ly, 0, xz, yz, lz]);

    /// <summary>(box, ranks, processors values) whose grids LAMMPS chooses under mpirun.</summary>
    private static readonly (double[] Prism, int Ranks, string Spec)[] LammpsCases =
    [
        ([10, 7, 5, 0, 0, 0], 6, "* * *"),
        ([30, 10, 10, 0, 0, 0], 4, "* * *"),
        ([10, 10, 10, 0, 0, 0], 8, "* * *"),
        ([10, 10, 10, 0, 0, 0], 12, "* * *"),
        ([10, 7, 5, 2, 1, 0.5], 6, "* * *"),
        ([8, 8, 20, 7, 0, 0], 4, "* * *"),
        ([12, 6, 9, 5, -4, 3], 5, "* * *"),
        ([20, 10, 10, 0, 0, 0], 8, "* 1 *"),
        ([10, 10, 30, 0, 0, 0], 6, "2 * *"),
    ];

    [Test]
    public void DefaultAndStarGrids_AreThoseLammpsChooses()
    {
        var mpirun = MpiRun.Require();
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        foreach (var (p, ranks, spec) in LammpsCases)
        {
            var deck = Path.Combine(dir, "in.grid");
            var inv = CultureInfo.InvariantCulture;
            File.WriteAllText(deck, string.Create(inv,
                $"processors {spec}\nbox tilt large\nregion b prism 0 {p[0]} 0 {p[1]} 0 {p[2]} {p[3]} {p[4]} {p[5]}\ncreate_box 1 b\n"));
            var run = MpiRun.Run(mpirun, ranks, lmp, ["-in", deck, "-log", "none"], dir, TimeSpan.FromSeconds(120));
            Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
            var m = Regex.Match(run.Output, @"(\d+) by (\d+) by (\d+) MPI processor grid");
            Assert.That(m.Success, run.Output);
            var lammps = new ProcessorGrid(int.Parse(m.Groups[1].Value, inv), int.Parse(m.Groups[2].Value, inv), int.Parse(m.Groups[3].Value, inv));
            var s = spec.Split(' ');
            var ours = ProcessorGrid.Parse(s[0], s[1], s[2], ranks, Prism(p[0], p[1], p[2], p[3], p[4], p[5]));
            Assert.That(ours, Is.EqualTo(lammps), $"prism [{string.Join(" ", p)}], {ranks} ranks, processors {spec}");
        }
    }

    [Test]
    public void Choose_MinimisesTheCommunicatedSurface_ForALongBox()
    {
        // A box 8 times longer along a than across: cutting only across a (8 slabs of 10 × 10) exposes the least surface.
        Assert.That(ProcessorGrid.Choose(8, Prism(80, 10, 10)), Is.EqualTo(new ProcessorGrid(8, 1, 1)));
        Assert.That(ProcessorGrid.Choose(8, Prism(10, 10, 10)), Is.EqualTo(new ProcessorGrid(2, 2, 2)));
        Assert.That(ProcessorGrid.Choose(1, Prism(3, 4, 5)), Is.EqualTo(new ProcessorGrid(1, 1, 1)));
        Assert.That(ProcessorGrid.Choose(7, Prism(10, 10, 10)).Count, Is.EqualTo(7));
        Assert.That(ProcessorGrid.Choose(4, Prism(10, 10, 10), twoDimensional: true).Pz, Is.EqualTo(1));
    }

    [Test]
    public void Parse_RefusesGridsThatDoNotFit()
    {
        var box = Prism(10, 10, 10);
        var e = Assert.Throws<UserInputException>(() => ProcessorGrid.Parse("2", "2", "2", 6, box));
        Assert.That(e!.Message, Does.Contain("needs 8 MPI ranks").And.Contain("has 6"));
        Assert.Throws<UserInputException>(() => ProcessorGrid.Parse("4", "*", "*", 6, box));
        Assert.Throws<UserInputException>(() => ProcessorGrid.Parse("0", "*", "*", 6, box));
        Assert.Throws<UserInputException>(() => ProcessorGrid.Parse("x", "*", "*", 6, box));
        Assert.Throws<UserInputException>(() => ProcessorGrid.Choose(4, box, pz: 2, twoDimensional: true));
        Assert.That(ProcessorGrid.Parse("3", "*", "1", 6, box), Is.EqualTo(new ProcessorGrid(3, 2, 1)));
    }

    [Test]
    public void Ranks_AreNumberedWithCFastest_AndNeighboursWrap()
    {
        var g = new ProcessorGrid(2, 3, 4);
        var seen = new HashSet<int>();
        for (var r = 0; r < g.Count; r++)
        {
            var (i, j, k) = g.CoordinatesOf(r);
            Assert.That(g.RankAt(i, j, k), Is.EqualTo(r));
            seen.Add(r);
        }
        Assert.That(seen, Has.Count.EqualTo(24));
        Assert.That(g.CoordinatesOf(1), Is.EqualTo((0, 0, 1)));
        Assert.That(g.CoordinatesOf(4), Is.EqualTo((0, 1, 0)));
        Assert.That(g.CoordinatesOf(12), Is.EqualTo((1, 0, 0)));
        Assert.That(g.RankAt(-1, 0, 0), Is.EqualTo(g.RankAt(1, 0, 0)));
        Assert.That(g.RankAt(0, 3, 4), Is.EqualTo(0));
    }
}
