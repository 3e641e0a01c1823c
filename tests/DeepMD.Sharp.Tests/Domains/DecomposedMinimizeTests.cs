namespace DeepMD.Sharp.Tests.Domains;

using System.Globalization;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>minimize</c> on virtual ranks (<see cref="LoopbackCommunicator"/>: the code an MPI rank runs; force evaluations
/// decomposed) against the one-process minimization of the same deck: the same stopping criterion and numbers of
/// iterations and force evaluations, energies to 1e-10 relative, thermo columns to 1e-10 of each column's largest value.
/// </summary>
[TestFixture]
public partial class DecomposedMinimizeTests
{
    /// <summary>LJ fcc lattice, atoms displaced at random (LAMMPS' displace_atoms random).</summary>
    internal const string Lj = """
        units lj
        atom_style atomic
        PROCESSORS
        lattice fcc 0.8442
        region box block 0 5 0 5 0 5
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        displace_atoms all random 0.1 0.1 0.1 48279
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        neighbor 0.3 bin
        MIN
        thermo 10
        thermo_style custom step pe press pxx pyz fnorm fmax
        thermo_modify format float %.17g
        minimize 1e-10 1e-8 300 3000
        """;

    /// <summary>Copper (LAMMPS' Cu_u3.eam), atoms displaced at random.</summary>
    private const string Copper = """
        units metal
        atom_style atomic
        PROCESSORS
        lattice fcc 3.615
        region box block 0 4 0 4 0 4
        create_box 1 box
        create_atoms 1 box
        displace_atoms all random 0.05 0.05 0.05 8412
        pair_style eam
        pair_coeff 1 1 /usr/share/lammps/potentials/Cu_u3.eam
        neighbor 1.0 bin
        MIN
        thermo 10
        thermo_style custom step pe press pxx pyz fnorm fmax
        thermo_modify format float %.17g
        minimize 1e-12 1e-8 300 3000
        """;

    /// <summary>The water example's box with the float64 test model (pair_style deepmd: forces on ghosts, reverse-communicated).</summary>
    private static string Water() => $"""
        units metal
        atom_style atomic
        PROCESSORS
        read_data {RepoPaths.Get("examples", "water", "water.lmp")}
        mass 1 16
        mass 2 2
        pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}
        pair_coeff * *
        neighbor 1.0 bin
        MIN
        thermo 5
        thermo_style custom step pe press pxx pyz fnorm fmax
        thermo_modify format float %.17g
        minimize 1e-10 1e-6 30 300
        """;

    private static string Run(int ranks, string deck) => Run(ranks, deck, out _);

    /// <summary>Rank 0's screen; <paramref name="evaluations"/>: the decomposed force evaluations rank 0 made.</summary>
    private static string Run(int ranks, string deck, out int evaluations)
    {
        evaluations = 0;
        var dir = RepoPaths.TempDir();
        if (ranks == 0)
        {
            var screen = new StringWriter();
            using (var s = new DeckSession(screen, dir, null)) s.Runner.RunText("in.min", deck);
            return screen.ToString();
        }
        var screens = new StringWriter[ranks];
        var counts = new int[ranks];
        LoopbackCommunicator.Run(ranks, comm =>
        {
            var screen = screens[comm.Rank] = new StringWriter();
            using var s = new DeckSession(comm.Rank == 0 ? screen : TextWriter.Null, dir, null, comm);
            s.Runner.RunText("in.min", deck);
            counts[comm.Rank] = s.Context.Simulation.Decomposed?.WholeSystemEvaluations ?? 0;
        });
        evaluations = counts[0];
        return screens[0].ToString();
    }

    [TestCase("lj", 1, "", "min_style cg")]
    [TestCase("lj", 2, "", "min_style cg")]
    [TestCase("lj", 3, "processors 3 1 1", "min_style cg")]
    [TestCase("lj", 2, "", "min_style sd")]
    [TestCase("lj", 3, "", "min_style fire\ntimestep 0.005")]
    [TestCase("eam", 2, "", "min_style cg")]
    [TestCase("eam", 3, "processors 1 1 3", "min_style sd")]
    [TestCase("eam", 2, "", "min_style fire")]
    [TestCase("water", 2, "", "min_style cg")]
    public void Minimize_OnVirtualRanks_IsTheOneProcessMinimization(string system, int ranks, string processors, string style)
    {
        if (system == "eam")
            Requirement.That(File.Exists("/usr/share/lammps/potentials/Cu_u3.eam"), Requirement.Lammps, "/usr/share/lammps/potentials missing; install lammps-data");
        var deck = (system switch { "lj" => Lj, "eam" => Copper, _ => Water() }).Replace("MIN", style);
        var serial = Run(0, deck.Replace("PROCESSORS", ""));
        var decomposed = Run(ranks, deck.Replace("PROCESSORS", processors), out var evaluations);
        var worst = AssertSameMinimization(serial, decomposed);
        if (ranks > 1) Assert.That(evaluations, Is.GreaterThan(int.Parse(Iterations(serial).Split(' ')[0], CultureInfo.InvariantCulture)), "the force evaluations were not decomposed");
        TestContext.Out.WriteLine($"{system} {style.Split('\n')[0]} on {ranks} ranks: iterations, evaluations {Iterations(serial)} ({evaluations} decomposed); largest relative deviation {worst:G3}");
    }

    /// <summary>Same stopping criterion, iterations and evaluations; thermo columns to 1e-10 of their scale, the three energies to 1e-10 relative. Returns the largest deviation.</summary>
    internal static double AssertSameMinimization(string serial, string decomposed)
    {
        Assert.That(Criterion(decomposed), Is.EqualTo(Criterion(serial)), decomposed);
        Assert.That(Iterations(decomposed), Is.EqualTo(Iterations(serial)), decomposed);
        var expected = DecomposedOutputTests.Thermo(serial);
        var actual = DecomposedOutputTests.Thermo(decomposed);
        Assert.That(actual.Keys, Is.EqualTo(expected.Keys));
        Assert.That(expected, Has.Count.GreaterThanOrEqualTo(3));
        // Each column to 1e-10 of its largest magnitude in the table: pressure components and force norms pass through
        // zero or shrink by orders of magnitude during a minimization, where a relative test would measure rounding.
        double worst = 0;
        var columns = expected.First().Value.Length;
        for (var c = 1; c < columns; c++)
        {
            var scale = expected.Values.Max(row => Math.Abs(row[c]));
            foreach (var (step, row) in expected)
            {
                var dev = Math.Abs(actual[step][c] - row[c]) / scale;
                worst = Math.Max(worst, dev);
                Assert.That(dev, Is.LessThanOrEqualTo(1e-10), $"thermo of the minimization: step {step} column {c}: {actual[step][c]:R} vs {row[c]:R} (column scale {scale:G3})");
            }
        }
        var (e, a) = (Energies(serial), Energies(decomposed));
        for (var k = 0; k < 3; k++)
        {
            worst = Math.Max(worst, Math.Abs(a[k] - e[k]) / Math.Abs(e[k]));
            Assert.That(a[k], Is.EqualTo(e[k]).Within(1e-10 * Math.Abs(e[k])), $"energy {k}");
        }
        return worst;
    }

    private static string Criterion(string output) => Regex.Match(output, "Stopping criterion = (.*)").Groups[1].Value.Trim();

    private static string Iterations(string output)
    {
        var m = Regex.Match(output, @"Iterations, force evaluations = (\d+ \d+)");
        Assert.That(m.Success, output);
        return m.Groups[1].Value;
    }

    private static double[] Energies(string output)
    {
        var lines = output.Split('\n');
        var k = Array.FindIndex(lines, l => l.Contains("Energy initial, next-to-last, final", StringComparison.Ordinal));
        Assert.That(k, Is.GreaterThan(0), output);
        return [.. lines[k + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => double.Parse(w, CultureInfo.InvariantCulture))];
    }
}
