namespace DeepMD.Sharp.Tests.Domains;

using System.Diagnostics;
using System.Globalization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>mpirun -np N dpsharp run DECK</c> (real Open MPI ranks, oversubscribed) against the same deck run by one process
/// without mpirun (the engine's own loop: half list with periodic ghosts, no decomposition): thermo equal to 1e-10
/// relative over 100 steps, dumps identical after sorting by atom id (box bounds in the frame headers to 1e-10 relative: after a barostat they follow a sum over ranks; forces to 1e-9 of the frame's largest, at least 1: on the
/// melt's perfect starting lattice they are rounding noise, 1e-14, whose digits depend on the summation order).
/// </summary>
[NonParallelizable]
public class DecomposedRunTests
{
    private const string MeltDeck = "/usr/share/lammps/examples/melt/in.melt";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(300);

    /// <summary>LAMMPS' melt example (lj/cut, fix nve, velocity loop geom), 100 steps, full-precision thermo and a dump.</summary>
    internal static string Melt(string? processors = null, string region = "")
    {
        Requirement.That(File.Exists(MeltDeck), Requirement.Lammps, $"{MeltDeck} is missing (apt-get install lammps-examples)");
        var deck = File.ReadAllText(MeltDeck)
            .Replace("thermo\t\t50", "thermo 10\nthermo_style custom step temp pe ke etotal press vol\nthermo_modify format float %.17g\ndump d all custom 50 out.dump id type x y z vx vy vz fx fy fz ix iy iz")
            .Replace("run\t\t250", "run 100");
        Assert.That(deck, Does.Contain("run 100").And.Contain("dump d all"), "the melt example changed");
        if (region.Length > 0)
            deck = deck.Replace("region\t\tbox block 0 10 0 10 0 10", "region\t\tbox block 0 10 0 10 0 12\n" + region)
                .Replace("create_atoms\t1 box", "create_atoms\t1 region atoms");
        return processors is null ? deck : deck.Replace("units\t\tlj", $"units\t\tlj\nprocessors {processors}");
    }

    /// <summary>The water example with the float64 test model (deepmd, fix nvt, velocity loop all), 100 steps.</summary>
    internal static string Water(string? processors = null)
    {
        var deck = File.ReadAllText(RepoPaths.Get("examples", "water", "in.water"));
        var lines = deck.Split('\n').Select(l => l.Split(' ', '\t')[0] switch
        {
            "read_data" => $"read_data {RepoPaths.Get("examples", "water", "water.lmp")}",
            "pair_style" => $"pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}",
            "thermo" => "thermo 10\nthermo_modify format float %.17g",
            "dump" => "dump 1 all custom 50 out.dump id type x y z vx vy vz fx fy fz",
            "run" => "run 100",
            _ => l,
        });
        deck = string.Join('\n', lines);
        Assert.That(deck, Does.Contain("fix             1 all nvt").And.Contain("velocity        all create"), "the water example changed");
        return processors is null ? deck : deck.Replace("atom_style      atomic", $"atom_style      atomic\nprocessors {processors}");
    }

    /// <summary>Copper, pair_style eam (LAMMPS' Cu_u3.eam), fix nvt, 100 steps, full-precision thermo and a dump.</summary>
    private static string Copper()
    {
        const string potential = "/usr/share/lammps/potentials/Cu_u3.eam";
        Requirement.That(File.Exists(potential), Requirement.Lammps, $"{potential} is missing (apt-get install lammps-data)");
        return $"""
            units       metal
            atom_style  atomic
            lattice     fcc 3.615
            region      box block 0 6 0 6 0 6
            create_box  1 box
            create_atoms 1 box
            pair_style  eam
            pair_coeff  1 1 {potential}
            velocity    all create 800.0 4928459 mom yes rot yes dist gaussian
            neighbor    1.0 bin
            neigh_modify every 1 delay 0 check yes
            timestep    0.002
            fix         1 all nvt temp 800.0 800.0 0.1
            thermo_style custom step temp pe ke etotal press vol pxx pyy pzz pxy pxz pyz
            thermo_modify format float %.17g
            thermo      10
            dump d all custom 50 out.dump id type x y z vx vy vz fx fy fz ix iy iz
            run         100
            """;
    }

    [Test]
    public void CopperEam_OnTwoRanks_EqualsTheOneProcessRun() =>
        Compare(Copper(), Copper(), 2, "copper eam");

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Melt_OnRanks_EqualsTheOneProcessRun(int ranks) =>
        Compare(Melt(), Melt(), ranks, "melt");

    [TestCase(2)]
    [TestCase(3)]
    public void Water_OnRanks_EqualsTheOneProcessRun(int ranks) =>
        Compare(Water(), Water(), ranks, "water");

    [Test]
    public void Water_OnAChosenGrid_EqualsTheOneProcessRun()
    {
        var output = Compare(Water(), Water("1 3 1"), 3, "water 1 3 1");
        Assert.That(output, Does.Contain("Decomposed over 1 by 3 by 1 ranks"));
    }

    [Test]
    public void Melt_WithGroupsAndDeterministicFixes_OnThreeRanks_EqualsTheOneProcessRun()
    {
        static string Deck() => Melt().Replace("fix\t\t1 all nve",
            "group low id 1:1000\nvelocity low set 0.0 0.0 0.0\ngroup high id 1001:4000\nfix 1 high nve\nfix 2 low setforce 0.0 0.0 0.0\n"
            + "fix 3 all temp/berendsen 2.0 2.0 0.5\nfix 4 all momentum 10 linear 1 1 1");
        Assert.That(Deck(), Does.Contain("fix 4 all momentum"), "the melt example changed");
        Compare(Deck(), Deck(), 3, "melt with groups and fixes");
    }

    /// <summary>The melt (100 steps) with temp/berendsen on the lower half, temp/rescale and momentum on the upper half, on 2 real ranks.</summary>
    [Test]
    public void Melt_WithGroupThermostats_OnTwoRanks_EqualsTheOneProcessRun()
    {
        static string Deck() => Melt().Replace("fix\t\t1 all nve",
            "region lower block INF INF INF INF INF 5\ngroup lower region lower\ngroup upper subtract all lower\nfix 1 all nve\n"
            + "fix 2 lower temp/berendsen 1.0 1.0 0.2\nfix 3 upper temp/rescale 5 2.0 2.0 0.05 0.7\nfix 4 upper momentum 10 linear 1 1 1 angular");
        Assert.That(Deck(), Does.Contain("fix 4 upper momentum"), "the melt example changed");
        Compare(Deck(), Deck(), 2, "melt with group thermostats");
    }

    [Test]
    public void Melt_WithARankThatOwnsNoAtoms_EqualsTheOneProcessRun()
    {
        // Atoms fill z < 7 lattice units of a 12-unit box; the top third of the grid (z ≥ 8) starts empty.
        const string region = "region\t\tatoms block 0 10 0 10 0 7";
        var output = Compare(Melt(region: region), Melt("1 1 3", region), 3, "melt with vacuum");
        Assert.That(output, Does.Contain("Decomposed over 1 by 1 by 3 ranks: 0 to"), "one rank should own no atoms");
        // LAMMPS' "procs" of the loop-time line are MPI tasks × threads per task.
        var procs = System.Text.RegularExpressions.Regex.Match(output, @"Loop time of \S+ on (\d+) procs");
        var tasks = System.Text.RegularExpressions.Regex.Match(output, @"with (\d+) MPI tasks x (\d+) OpenMP threads");
        Assert.That(procs.Success && tasks.Success, output);
        Assert.That(int.Parse(procs.Groups[1].Value), Is.EqualTo(3 * int.Parse(tasks.Groups[2].Value)));
    }

    [TestCase("")]
    [TestCase("atomic relative 1.0 relative_v 0.5")]
    public void ModelDeviationEnsemble_OnTwoRanks_WritesTheOneProcessFile(string options)
    {
        var mpirun = MpiRun.Require();
        var dir = RepoPaths.TempDir();
        var serialDir = Directory.CreateDirectory(Path.Combine(dir, "serial")).FullName;
        var mpiDir = Directory.CreateDirectory(Path.Combine(dir, "mpi")).FullName;
        File.WriteAllText(Path.Combine(serialDir, "in.deck"), DecomposedDeckTests.EnsembleWater("", options));
        File.WriteAllText(Path.Combine(mpiDir, "in.deck"), DecomposedDeckTests.EnsembleWater("", options));
        var serial = Serial(serialDir, "in.deck");
        Assert.That(serial.ExitCode, Is.Zero, serial.Output + serial.Error);
        var mpi = Mpi(mpirun, 2, mpiDir, "in.deck");
        Assert.That(mpi.ExitCode, Is.Zero, mpi.Output + mpi.Error);
        Assert.That(mpi.Output, Does.Contain("with 2 MPI tasks").And.Contain("Decomposed over"));
        var expected = Thermo(serial.Output);
        var actual = Thermo(mpi.Output);
        Assert.That(expected, Has.Count.EqualTo(5), serial.Output);
        Assert.That(actual, Has.Count.EqualTo(expected.Count), mpi.Output);
        double worst = 0;
        for (var r = 0; r < expected.Count; r++)
            for (var c = 0; c < expected[r].Length; c++)
            {
                var dev = Math.Abs(actual[r][c] - expected[r][c]) / Math.Max(Math.Abs(expected[r][c]), 1e-300);
                worst = Math.Max(worst, dev);
                Assert.That(dev, Is.LessThanOrEqualTo(1e-10), $"step {expected[r][0]} column {c}: {actual[r][c]:R} vs {expected[r][c]:R}");
            }
        var (units, differing) = DecomposedDeckTests.AssertSameDeviationFile(Path.Combine(serialDir, "md.out"), Path.Combine(mpiDir, "md.out"), options.Contains("atomic") ? 6 + 192 : 6);
        TestContext.Out.WriteLine($"2 MPI ranks, '{options}': largest relative thermo deviation {worst:G3}; model deviation file: largest difference {units:G3} units of the last printed digit, {differing} numbers printed differently");
    }

    [Test]
    public void UnsupportedFeatures_StopWithAClearError()
    {
        var mpirun = MpiRun.Require();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "soft.in"), Melt().Replace("fix\t\t1 all nve", "fix\t\t1 all nve\npair_style soft 1.12246\npair_coeff * * 1.0"));
        var run = Mpi(mpirun, 2, dir, "soft.in");
        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.Output + run.Error, Does.Contain("pair_style soft is not supported with 2 ranks yet"));

        File.WriteAllText(Path.Combine(dir, "pair.in"), Melt().Replace("pair_style\tlj/cut 2.5", "pair_style\tlj/smooth/linear 2.5").Replace("run 100", "run 10\nwrite_data out.data"));
        run = Mpi(mpirun, 2, dir, "pair.in");
        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.Output + run.Error, Does.Contain("pair_style lj/smooth/linear is not supported with 2 ranks yet"));
        Assert.That(File.Exists(Path.Combine(dir, "out.data")), Is.False);
    }

    /// <summary>Runs <paramref name="serialDeck"/> on one process and <paramref name="mpiDeck"/> on <paramref name="ranks"/> MPI ranks; returns rank 0's output.</summary>
    internal static string Compare(string serialDeck, string mpiDeck, int ranks, string what)
    {
        var mpirun = MpiRun.Require();
        var dir = RepoPaths.TempDir();
        var serialDir = Directory.CreateDirectory(Path.Combine(dir, "serial")).FullName;
        var mpiDir = Directory.CreateDirectory(Path.Combine(dir, "mpi")).FullName;
        File.WriteAllText(Path.Combine(serialDir, "in.deck"), serialDeck);
        File.WriteAllText(Path.Combine(mpiDir, "in.deck"), mpiDeck);

        var serial = Serial(serialDir, "in.deck");
        Assert.That(serial.ExitCode, Is.Zero, serial.Output + serial.Error);
        var mpi = Mpi(mpirun, ranks, mpiDir, "in.deck");
        Assert.That(mpi.ExitCode, Is.Zero, mpi.Output + mpi.Error);
        Assert.That(mpi.Output, Does.Contain($"with {ranks} MPI tasks"));

        var expected = Thermo(serial.Output);
        var actual = Thermo(mpi.Output);
        Assert.That(expected, Has.Count.EqualTo(11), serial.Output);
        Assert.That(actual, Has.Count.EqualTo(expected.Count), mpi.Output);
        double worst = 0;
        for (var r = 0; r < expected.Count; r++)
            for (var c = 0; c < expected[r].Length; c++)
            {
                var dev = Math.Abs(actual[r][c] - expected[r][c]) / Math.Max(Math.Abs(expected[r][c]), 1e-300);
                worst = Math.Max(worst, dev);
                Assert.That(dev, Is.LessThanOrEqualTo(1e-10), $"{what}, {ranks} ranks: step {expected[r][0]} column {c}: {actual[r][c]:R} vs {expected[r][c]:R}");
            }
        TestContext.Out.WriteLine($"{what}, {ranks} ranks: largest relative thermo deviation {worst:G3}");

        var serialDump = SortedFrames(Path.Combine(serialDir, "out.dump"));
        var mpiDump = SortedFrames(Path.Combine(mpiDir, "out.dump"));
        Assert.That(serialDump, Has.Count.EqualTo(3));
        Assert.That(mpiDump, Has.Count.EqualTo(serialDump.Count));
        for (var f = 0; f < serialDump.Count; f++)
        {
            var (expectedLines, actualLines) = (serialDump[f], mpiDump[f]);
            Assert.That(actualLines, Has.Length.EqualTo(expectedLines.Length));
            var atomsStart = Array.FindIndex(expectedLines, l => l.StartsWith("ITEM: ATOMS", StringComparison.Ordinal)) + 1;
            var forceScale = expectedLines.Skip(atomsStart).SelectMany(l => Forces(l)).Select(Math.Abs).Append(1.0).Max();
            for (var k = 0; k < expectedLines.Length; k++)
            {
                var (e, a) = (expectedLines[k].Split(' '), actualLines[k].Split(' '));
                Assert.That(a, Has.Length.EqualTo(e.Length), actualLines[k]);
                for (var c = 0; c < e.Length; c++)
                {
                    if (c is >= ForceColumn and < ForceColumn + 3 && k >= atomsStart)
                        Assert.That(double.Parse(a[c], CultureInfo.InvariantCulture), Is.EqualTo(double.Parse(e[c], CultureInfo.InvariantCulture)).Within(1e-9 * forceScale),
                            $"{what}, {ranks} ranks, frame {f}: {actualLines[k]} vs {expectedLines[k]}");
                    else if (k < atomsStart && double.TryParse(e[c], CultureInfo.InvariantCulture, out var eb) && double.TryParse(a[c], CultureInfo.InvariantCulture, out var ab))
                        // box bounds: after a barostat they follow the pressure, a sum over ranks (rounding differs)
                        Assert.That(ab, Is.EqualTo(eb).Within(1e-10 * Math.Max(Math.Abs(eb), 1.0)), $"{what}, {ranks} ranks, frame {f}: {actualLines[k]} vs {expectedLines[k]}");
                    else
                        Assert.That(a[c], Is.EqualTo(e[c]), $"{what}, {ranks} ranks, frame {f}: {actualLines[k]} vs {expectedLines[k]}");
                }
            }
        }
        return mpi.Output;
    }

    internal static MpiRun.Result Mpi(string mpirun, int ranks, string dir, string deck) =>
        MpiRun.Run(mpirun, ranks, Dotnet, [Dll, "run", deck, "--log", "none", "--progress", "none"], dir, Timeout);

    internal static MpiRun.Result Serial(string dir, string deck)
    {
        var psi = new ProcessStartInfo(Dotnet, [Dll, "run", deck, "--log", "none", "--progress", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        var timedOut = !p.WaitForExit(Timeout);
        if (timedOut) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        return new MpiRun.Result(p.ExitCode, output.Result, error.Result, TimeSpan.Zero, timedOut);
    }

    private static string Dll => Path.Combine(TestContext.CurrentContext.TestDirectory, "dpsharp.dll");

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    /// <summary>The numbers of the thermo table (the lines after the "Step" header up to the loop time).</summary>
    internal static List<double[]> Thermo(string output)
    {
        var rows = new List<double[]>();
        var inTable = false;
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("Step ", StringComparison.Ordinal)) inTable = true;
            else if (line.StartsWith("Loop time", StringComparison.Ordinal)) inTable = false;
            else if (inTable && line.Length > 0)
                rows.Add([.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => double.Parse(w, CultureInfo.InvariantCulture))]);
        }
        return rows;
    }

    /// <summary>The decks' dumps are <c>id type x y z vx vy vz fx fy fz ...</c>.</summary>
    private const int ForceColumn = 8;

    private static IEnumerable<double> Forces(string atomLine) =>
        atomLine.Split(' ').Skip(ForceColumn).Take(3).Select(w => double.Parse(w, CultureInfo.InvariantCulture));

    /// <summary>Each frame of a dump: its header lines, then its atom lines sorted by id.</summary>
    private static List<string[]> SortedFrames(string path)
    {
        Assert.That(File.Exists(path), $"{path} was not written");
        var frames = new List<string[]>();
        foreach (var frame in File.ReadAllText(path).Split("ITEM: TIMESTEP", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = frame.Trim('\n').Split('\n');
            var header = Array.FindIndex(lines, l => l.StartsWith("ITEM: ATOMS", StringComparison.Ordinal));
            var atoms = lines[(header + 1)..].OrderBy(l => long.Parse(l.Split(' ')[0], CultureInfo.InvariantCulture));
            frames.Add([.. lines[..(header + 1)].Concat(atoms)]);
        }
        return frames;
    }
}
