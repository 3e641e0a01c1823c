namespace DeepMD.Sharp.Tests.Dynamics;

using System.Globalization;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>minimize</c> compared with LAMMPS on a copper crystal perturbed by <c>displace_atoms random</c> (EAM, Cu_u3.eam)
/// and on an lj crystal: final energy, stopping criterion, iteration and evaluation counts, and every thermo row.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class MinimizeVersusLammpsTests
{
    private const string Potentials = "/usr/share/lammps/potentials";

    /// <summary>The figures of a "Minimization stats" block.</summary>
    internal sealed record MinStats(string Criterion, double EInitial, double ENextToLast, double EFinal, int Iterations, int Evaluations);

    internal static MinStats ParseStats(string output)
    {
        var lines = output.Replace("\r", "").Split('\n');
        var k = Array.FindLastIndex(lines, l => l.StartsWith("Minimization stats:", StringComparison.Ordinal));
        Assert.That(k, Is.GreaterThanOrEqualTo(0), "no 'Minimization stats:' block in:\n" + output);
        var criterion = lines[k + 1].Split('=', 2)[1].Trim();
        var e = lines[k + 3].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        var it = lines.Skip(k).First(l => l.Contains("Iterations, force evaluations", StringComparison.Ordinal));
        var m = Regex.Match(it, @"=\s*(\d+)\s+(\d+)");
        return new MinStats(criterion, e[0], e[1], e[2], int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    internal static string RequirePotentials()
    {
        if (!Directory.Exists(Potentials))
        {
            Requirement.That(false, Requirement.Lammps, $"{Potentials} missing; install lammps-data");
        }
        return Potentials;
    }

    private static int LastNeighborBuilds(string output) =>
        int.Parse(Regex.Matches(output, @"Neighbor list builds = (\d+)")[^1].Groups[1].Value, CultureInfo.InvariantCulture);

    private static (string Lammps, string Ours) Compare(string deck, IReadOnlyDictionary<string, string>? files = null)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        foreach (var (name, text) in files ?? new Dictionary<string, string>()) File.WriteAllText(Path.Combine(dir, name), text);
        var path = Path.Combine(dir, "in.min");
        File.WriteAllText(path, deck);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        var a = ParseStats(lammps);
        var b = ParseStats(ours);
        var rel = Math.Abs(a.EFinal - b.EFinal) / Math.Abs(a.EFinal);
        TestContext.Out.WriteLine($"LAMMPS: {a}\ndpsharp: {b}\nfinal energy relative difference {rel:E2}");
        Assert.That(b.Criterion, Is.EqualTo(a.Criterion), "stopping criterion");
        // final energies measured 0 … 5.4e-15 apart over these decks; ~100×
        Assert.That(rel, Is.LessThanOrEqualTo(5e-13), "final energy");
        Assert.That(b.EInitial, Is.EqualTo(a.EInitial).Within(5e-13 * Math.Abs(a.EInitial)), "initial energy");
        Assert.That(b.Iterations, Is.EqualTo(a.Iterations), "iterations");
        Assert.That(b.Evaluations, Is.EqualTo(a.Evaluations), "force evaluations");
        // the thermo table is printed in LAMMPS' default format (8 digits): its last digit differs by rounding, measured
        // up to 1.2e-7 relative, so this is the print's precision; the final energies above carry the tight check
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-6, absFloor: 1e-9);
        return (lammps, ours);
    }

    private static string Copper(string minSettings, string minimize = "minimize 1e-12 1e-8 1000 10000") => $"""
        units       metal
        atom_style  atomic
        lattice     fcc 3.615
        region      box block 0 3 0 3 0 3
        create_box  1 box
        create_atoms 1 box
        pair_style  eam
        pair_coeff  1 1 {RequirePotentials()}/Cu_u3.eam
        displace_atoms all random 0.1 0.1 0.1 87287
        thermo_style custom step pe fnorm fmax press dt
        thermo_modify format float %20.15g
        thermo      5
        {minSettings}
        {minimize}
        """;

    [Test]
    public void CopperCgQuadraticMatchesLammps()
    {
        Compare(Copper("min_style cg"));
        // min_style resets earlier min_modify settings (LAMMPS creates a new minimizer): same result as the defaults.
        Compare(Copper("min_modify line backtrack dmax 0.2\nmin_style cg"));
    }

    [Test]
    public void CopperCgBacktrackMatchesLammps() => Compare(Copper("min_style cg\nmin_modify line backtrack dmax 0.2"));

    [Test]
    public void CopperSteepestDescentMatchesLammps() => Compare(Copper("min_style sd"));

    [Test]
    public void CopperFireMatchesLammps() => Compare(Copper("min_style fire"));

    [Test]
    public void CopperFireVerletSmallDmaxMatchesLammps() => Compare(Copper("min_style fire\nmin_modify integrator verlet tmax 4 dmax 0.05"));

    [Test]
    public void CopperCgWithAtomsCrossingTheBoxDuringLineSearchesMatchesLammps()
    {
        // Lattice planes 0.02 A below the box faces and a 0.1 A skin: atoms cross the faces during line searches and
        // are rewrapped at list rebuilds, which must move the line-search start positions by the same lattice vector.
        // Checked through the rebuild count and the image flags of the final structure (write_data in both programs).
        var deck = Copper("neighbor 0.1 bin\nmin_style cg") .Replace("displace_atoms all random 0.1 0.1 0.1 87287",
            "displace_atoms all random 0.05 0.05 0.05 777\ndisplace_atoms all move -0.02 -0.02 -0.02 units box")
            .Replace("minimize 1e-12 1e-8 1000 10000", "minimize 1e-13 1e-8 1000 10000\nwrite_data final.data");
        var lmp = LammpsHarness.RequireLammps();
        var images = new List<Dictionary<int, (double[] X, int[] Image)>>();
        var outputs = new List<string>();
        foreach (var program in new[] { "lammps", "dpsharp" })
        {
            var dir = RepoPaths.TempDir();
            var path = Path.Combine(dir, "in.cross");
            File.WriteAllText(path, deck);
            outputs.Add(program == "lammps" ? LammpsHarness.RunLammps(lmp, path, dir) : LammpsHarness.RunDpsharp(path, dir));
            var lines = File.ReadAllLines(Path.Combine(dir, "final.data"));
            var k = Array.IndexOf(lines, "Atoms # atomic") + 2;
            var atoms = new Dictionary<int, (double[], int[])>();
            for (; k < lines.Length && lines[k].Trim().Length > 0; k++)
            {
                var w = lines[k].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                atoms[int.Parse(w[0], CultureInfo.InvariantCulture)] = (w[2..5].Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray(),
                    w[5..8].Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            }
            images.Add(atoms);
        }
        var (a, b) = (ParseStats(outputs[0]), ParseStats(outputs[1]));
        Assert.That((b.Criterion, b.Iterations, b.Evaluations), Is.EqualTo((a.Criterion, a.Iterations, a.Evaluations)));
        Assert.That(b.EFinal, Is.EqualTo(a.EFinal).Within(5e-13 * Math.Abs(a.EFinal)), "final energy (measured ≤ 5.4e-15 relative in the other decks)");
        var builds = LastNeighborBuilds(outputs[0]);
        TestContext.Out.WriteLine($"neighbor list builds: LAMMPS {builds}, dpsharp {LastNeighborBuilds(outputs[1])}; atoms with non-zero image flags (LAMMPS): {images[0].Values.Count(v => v.Image.Any(i => i != 0))}");
        Assert.That(builds, Is.GreaterThan(5), "the deck must rebuild during the minimization");
        Assert.That(LastNeighborBuilds(outputs[1]), Is.EqualTo(builds), "neighbor list builds");
        Assert.That(images[0].Values.Count(v => v.Image.Any(i => i != 0)), Is.GreaterThan(20), "atoms must have crossed the faces");
        foreach (var (id, (x, image)) in images[0])
        {
            Assert.That(images[1][id].Image, Is.EqualTo(image), $"image flags of atom {id}");
            for (var c = 0; c < 3; c++) Assert.That(images[1][id].X[c], Is.EqualTo(x[c]).Within(1e-8), $"position of atom {id}");
        }
    }

    [Test]
    public void TriclinicCopperCgAndFireMatchLammps()
    {
        // 108 fcc atoms in a sheared cell (xy 1.2, xz -0.8, yz 0.5) with the origin 0.02 A below the lattice,
        // displaced by up to 0.15 A, read from a data file by both programs.
        const double l = 10.845, xy = 1.2, xz = -0.8, yz = 0.5;
        var lines = new List<string> { "sheared copper", "", "108 atoms", "1 atom types", "", "-0.02 10.825 xlo xhi", "-0.02 10.825 ylo yhi", "-0.02 10.825 zlo zhi",
            FormattableString.Invariant($"{xy} {xz} {yz} xy xz yz"), "", "Masses", "", "1 63.55", "", "Atoms # atomic", "" };
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var id = 1;
        for (var k = 0; k < 3; k++)
        for (var j = 0; j < 3; j++)
        for (var i = 0; i < 3; i++)
            foreach (var b in basis)
            {
                double fa = (i + b[0]) / 3, fb = (j + b[1]) / 3, fc = (k + b[2]) / 3;
                var x = fa * l + fb * xy + fc * xz + 0.15 * Math.Sin(1.7 * id);
                var y = fb * l + fc * yz + 0.15 * Math.Sin(2.3 * id + 1);
                var z = fc * l + 0.15 * Math.Sin(3.1 * id + 2);
                lines.Add(FormattableString.Invariant($"{id++} 1 {x:R} {y:R} {z:R}"));
            }
        var files = new Dictionary<string, string> { ["tric.data"] = string.Join("\n", lines) + "\n" };
        foreach (var style in new[] { "cg", "fire" })
            Compare($"""
                units       metal
                atom_style  atomic
                read_data   tric.data
                pair_style  eam
                pair_coeff  1 1 {RequirePotentials()}/Cu_u3.eam
                neighbor    0.1 bin
                thermo_style custom step pe fnorm fmax press pxy pxz pyz
                thermo_modify format float %20.15g
                thermo      10
                min_style   {style}
                minimize    1e-13 1e-8 1000 10000
                """, files);
    }

    [Test]
    public void SetforceOnAGroupDuringMinimizationAndMdMatchesLammps()
    {
        const string hold = "region bottom block INF INF INF INF 0 1.2\ngroup bottom region bottom\nfix hold bottom setforce 0.0 0.0 NULL";
        Compare(Copper(hold + "\nmin_style cg"));
        Compare(Copper(hold + "\nmin_style fire"));
        // The same constraint in MD (post force), thermo after 50 NVE steps.
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.md");
        File.WriteAllText(path, Copper(hold + "\nfix 1 all nve\nvelocity all create 300 99 loop geom", "run 50"));
        LammpsHarness.AssertSameThermo(LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir), 1e-10);
    }

    [Test]
    public void CopperFireOldMatchesLammps() => Compare(Copper("min_style fire/old"));

    [Test]
    public void CopperCgForceZeroLineSearchMatchesLammps() => Compare(Copper("min_style cg\nmin_modify line forcezero"));

    [Test]
    public void CopperCgForceToleranceStopMatchesLammps()
    {
        Compare(Copper("min_style cg", "minimize 0 1e-3 1000 10000"));
        Compare(Copper("min_style cg\nmin_modify norm max", "minimize 0 1e-4 1000 10000"));
        Compare(Copper("min_style cg\nmin_modify norm inf", "minimize 0 1e-4 1000 10000"));
    }

    [Test]
    public void CopperCgMaxIterationsAndMaxEvaluationsMatchLammps()
    {
        Compare(Copper("min_style cg\nthermo 3", "minimize 0 0 7 10000"));
        Compare(Copper("min_style cg", "minimize 0 0 1000 30"));
    }

    [Test]
    public void LennardJonesNormalisedCgAndFireMatchLammps()
    {
        foreach (var style in new[] { "cg", "fire", "fire/old", "sd\nmin_modify line forcezero" })
            Compare($"""
                units lj
                lattice fcc 0.9
                region box block 0 4 0 4 0 4
                create_box 1 box
                create_atoms 1 box
                mass 1 1.0
                pair_style lj/cut 2.5
                pair_coeff 1 1 1.0 1.0
                displace_atoms all random 0.05 0.05 0.05 9876
                thermo_style custom step pe fnorm fmax press
                thermo_modify format float %20.15g
                thermo 10
                min_style {style}
                minimize 1e-10 1e-10 500 5000
                """);
    }

    [Test]
    public void DumpsWriteTheSameFramesAsLammpsIncludingTheLastStep()
    {
        var lmp = LammpsHarness.RequireLammps();
        var pot = RequirePotentials();
        var frames = new List<List<(long Step, double[] Values)>>();
        foreach (var program in new[] { "lammps", "dpsharp" })
        {
            var dir = RepoPaths.TempDir();
            var path = Path.Combine(dir, "in.dump");
            File.WriteAllText(path, $"""
                units       metal
                lattice     fcc 3.615
                region      box block 0 2 0 2 0 2
                create_box  1 box
                create_atoms 1 box
                pair_style  eam
                pair_coeff  1 1 {pot}/Cu_u3.eam
                displace_atoms all random 0.1 0.1 0.1 87287
                dump 1 all custom 10 min.dump id x y z
                dump_modify 1 sort id
                minimize 1e-12 1e-8 1000 10000
                """);
            if (program == "lammps") LammpsHarness.RunLammps(lmp, path, dir);
            else LammpsHarness.RunDpsharp(path, dir);
            var lines = File.ReadAllLines(Path.Combine(dir, "min.dump"));
            var list = new List<(long, double[])>();
            for (var k = 0; k < lines.Length; k++)
            {
                if (lines[k] != "ITEM: TIMESTEP") continue;
                var step = long.Parse(lines[k + 1], CultureInfo.InvariantCulture);
                var n = int.Parse(lines[k + 3], CultureInfo.InvariantCulture);
                var start = Array.FindIndex(lines, k, l => l.StartsWith("ITEM: ATOMS", StringComparison.Ordinal)) + 1;
                var values = lines.Skip(start).Take(n).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray();
                list.Add((step, values));
            }
            frames.Add(list);
        }
        Assert.That(frames[1].Select(f => f.Step), Is.EqualTo(frames[0].Select(f => f.Step)), "dumped steps (every 10 and the last)");
        Assert.That(frames[0][^1].Step % 10, Is.Not.Zero, "the last step is not a multiple of the dump interval, so the early-stop frame is tested");
        for (var f = 0; f < frames[0].Count; f++)
            for (var v = 0; v < frames[0][f].Values.Length; v++)
                Assert.That(frames[1][f].Values[v], Is.EqualTo(frames[0][f].Values[v]).Within(1e-5 * Math.Max(1, Math.Abs(frames[0][f].Values[v]))),
                    $"frame at step {frames[0][f].Step}, value {v}");
    }
}
