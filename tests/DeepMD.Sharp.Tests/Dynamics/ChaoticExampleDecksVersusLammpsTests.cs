namespace DeepMD.Sharp.Tests.Dynamics;

using System.Text.RegularExpressions;
using DeepMD.Sharp.Tests.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The LAMMPS example decks that run in dpsharp but differ from <c>lmp</c> in the last printed digits after several
/// hundred steps (<c>min/in.min</c>, the five <c>fire/in.*</c> decks, <c>nemd/in.nemd</c>,
/// <c>message/in.message.tilt</c>; run lengths capped at <see cref="LammpsExampleDeckTests.RunCap"/> as the example
/// harness does). Their MD runs (a 2-d Lennard-Jones liquid at T = 5; 2-d SLLOD shear flow) are chaotic: a difference
/// of one unit in the last bit of one force grows about tenfold every 50 steps, so a printed 8-digit value after 600
/// (in.min) or 1000 (in.nemd) steps is only reproduced by bit-identical arithmetic, that is, LAMMPS' own order of every
/// floating-point sum (its neighbor-list order, ghost-atom order, reverse communication). LAMMPS itself does not
/// reproduce its own output under such a change: moving every atom by 1e-15 (<c>displace_atoms all move 1e-15 0 0</c>)
/// changes E_pair at step 600 of in.min by 1.1e-7 and Temp at step 1000 of in.nemd by 8e-2, as much as dpsharp differs.
/// <para>
/// So the MD runs are compared with LAMMPS' own round-off spread: every thermo value every 10 steps, in full
/// precision, must agree with <c>lmp</c> to 1e-10 of the column's scale for the first 200 steps (before the growth) and
/// afterwards stay within 100 times the largest distance so far between <c>lmp</c> and <c>lmp</c> with the 1e-15
/// displacement. A real difference in the dynamics (the SLLOD term, the velocity remap of fix deform, a force) shows
/// within tens of steps, orders of magnitude above that. The minimizations of those decks (cg with the decks' etol and
/// ftol, fire with the default, the <c>min_modify integrator verlet alpha0</c> and the Euler-explicit settings, and
/// fire/old) are compared from one and the same state, written by <c>lmp</c> at the end of the MD run: the same
/// stopping criterion, iteration and force-evaluation counts, final energy, and every thermo row.
/// </para>
/// </summary>
[TestFixture]
[Category("Lammps")]
public partial class ChaoticExampleDecksVersusLammpsTests
{
    private const string Perturbation = "displace_atoms all move 1e-15 0 0";

    [GeneratedRegex(@"^\s*run\s+\d+[^\n]*\n?", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    [GeneratedRegex(@"^(\s*thermo\s+\d+[^\n]*)$", RegexOptions.Multiline)]
    private static partial Regex ThermoLine();

    [GeneratedRegex(@"^\s*pair_style", RegexOptions.Multiline)]
    private static partial Regex PairStyleLine();

    [GeneratedRegex(@"^\s*(lattice|region\s+box|create_box|create_atoms|mass|velocity)\b[^\n]*\n", RegexOptions.Multiline)]
    private static partial Regex SetupLine();

    private static string Example(string deck)
    {
        var path = Path.Combine(LammpsExampleDeckTests.ExamplesRoot, deck);
        Requirement.That(File.Exists(path), Requirement.Lammps, $"{path} is missing (Debian package lammps-examples)");
        return LammpsExampleDeckTests.Capped(File.ReadAllText(path));
    }

    /// <summary>The deck up to and including its first run.</summary>
    private static string FirstRun(string deck)
    {
        var run = RunLine().Match(deck);
        Assert.That(run.Success, "the deck has a run");
        return deck[..(run.Index + run.Length)];
    }

    private static string FullPrecision(string deck) =>
        ThermoLine().Replace(deck, m => m.Groups[1].Value + "\nthermo_modify format float %22.17g", 1);

    private static string Run(string lmp, string dir, string name, string deck, bool lammps)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, deck);
        return lammps ? LammpsHarness.RunLammps(lmp, path, dir) : LammpsHarness.RunDpsharp(path, dir);
    }

    [TestCase("min/in.min")]
    [TestCase("nemd/in.nemd")]
    [TestCase("message/in.message.tilt")]
    public void MdRunStaysWithinLammpsOwnRoundOffSpread(string example)
    {
        var lmp = LammpsHarness.RequireLammps();
        var deck = FullPrecision(FirstRun(Example(example)));
        deck = Regex.Replace(deck, @"^(\s*thermo\s+)\d+", "${1}10", RegexOptions.Multiline);
        var pair = PairStyleLine().Match(deck);
        var perturbed = deck[..pair.Index] + Perturbation + "\n" + deck[pair.Index..];
        var dir = RepoPaths.TempDir();
        var reference = LammpsHarness.ThermoTables(Run(lmp, dir, "in.lmp", deck, lammps: true));
        var spread = LammpsHarness.ThermoTables(Run(lmp, dir, "in.perturbed", perturbed, lammps: true));
        var ours = LammpsHarness.ThermoTables(Run(lmp, dir, "in.dpsharp", deck, lammps: false));
        Assert.That(ours, Has.Count.EqualTo(1).And.Count.EqualTo(reference.Count), "thermo tables");
        var (header, l) = reference[0];
        var (h, d) = ours[0];
        var p = spread[0].Rows;
        Assert.That(h, Is.EqualTo(header), "thermo header");
        Assert.That(d, Has.Count.EqualTo(l.Count), "thermo rows");
        Assert.That(p, Has.Count.EqualTo(l.Count), "thermo rows of the perturbed LAMMPS run");

        var columns = header.Length;
        var scale = new double[columns];
        for (var c = 1; c < columns; c++) scale[c] = l.Max(r => Math.Abs(r[c]));
        var envelope = new double[columns];
        double early = 0, worst = 0;
        string earlyAt = "", worstAt = "";
        for (var r = 0; r < l.Count; r++)
        {
            Assert.That(d[r][0], Is.EqualTo(l[r][0]), "thermo steps");
            for (var c = 1; c < columns; c++)
            {
                if (scale[c] == 0) continue;
                envelope[c] = Math.Max(envelope[c], Math.Abs(p[r][c] - l[r][c]));
                var diff = Math.Abs(d[r][c] - l[r][c]);
                if (l[r][0] <= 200 && diff / scale[c] > early) (early, earlyAt) = (diff / scale[c], $"step {l[r][0]} {header[c]}");
                var ratio = diff / (envelope[c] + 1e-12 * scale[c]);
                if (ratio > worst)
                    (worst, worstAt) = (ratio, $"step {l[r][0]} {header[c]}: LAMMPS {l[r][c]:R}, dpsharp {d[r][c]:R}, LAMMPS moved by 1e-15 up to {envelope[c]:E2} apart");
            }
        }
        var last = l.Count - 1;
        TestContext.Out.WriteLine($"{example}: first 200 steps agree to {early:E2} of the column scale ({earlyAt}); largest difference / "
            + $"LAMMPS' own spread: {worst:F2} ({worstAt}); at step {l[last][0]}: "
            + string.Join(", ", Enumerable.Range(1, columns - 1).Where(c => scale[c] > 0)
                .Select(c => $"{header[c]} dpsharp {Math.Abs(d[last][c] - l[last][c]):E1}, LAMMPS moved {Math.Abs(p[last][c] - l[last][c]):E1}")));
        // measured: early ≤ 2.9e-12 (in.nemd), worst ratio ≤ 9.3 (in.nemd, step 390)
        Assert.That(early, Is.LessThanOrEqualTo(1e-10), $"first 200 steps: largest difference at {earlyAt}");
        Assert.That(worst, Is.LessThanOrEqualTo(100), $"difference beyond LAMMPS' own round-off spread at {worstAt}");
    }

    [TestCase("min/in.min")]
    [TestCase("fire/in.cg")]
    [TestCase("fire/in.fire")]
    [TestCase("fire/in.fire_mod")]
    [TestCase("fire/in.fire_mod_old")]
    [TestCase("fire/in.fire_old")]
    public void MinimizationFromTheSameStateMatchesLammps(string example)
    {
        var lmp = LammpsHarness.RequireLammps();
        var deck = Example(example);
        var dir = RepoPaths.TempDir();
        // lmp runs the deck's MD part and writes its end state (positions in full precision)
        Run(lmp, dir, "in.prepare", FirstRun(deck) + "\nwrite_data start.data nocoeff\n", lammps: true);
        // the deck without its lattice, atoms and velocities (read from that state instead) and without the MD run
        var first = SetupLine().Match(deck);
        Assert.That(first.Success, "the deck creates its atoms");
        var minimize = deck[..first.Index] + "read_data start.data\n" + SetupLine().Replace(deck[first.Index..], "");
        minimize = FullPrecision(RunLine().Replace(minimize, "", 1));
        var lammps = Run(lmp, dir, "in.lmp", minimize, lammps: true);
        var ours = Run(lmp, dir, "in.dpsharp", minimize, lammps: false);
        var a = MinimizeVersusLammpsTests.ParseStats(lammps);
        var b = MinimizeVersusLammpsTests.ParseStats(ours);
        var rel = Math.Abs(a.EFinal - b.EFinal) / Math.Abs(a.EFinal);
        TestContext.Out.WriteLine($"{example}\nLAMMPS: {a}\ndpsharp: {b}\nfinal energy relative difference {rel:E2}");
        Assert.That(b.Criterion, Is.EqualTo(a.Criterion), "stopping criterion");
        Assert.That(b.Iterations, Is.EqualTo(a.Iterations), "iterations");
        Assert.That(b.Evaluations, Is.EqualTo(a.Evaluations), "force evaluations");
        Assert.That(b.EInitial, Is.EqualTo(a.EInitial).Within(1e-13 * Math.Abs(a.EInitial)), "initial energy");
        // measured up to 9.8e-10 (min/in.min: the energy criterion stops at step 475, where round-off has grown to ~1e-9)
        Assert.That(rel, Is.LessThanOrEqualTo(1e-8), "final energy");
        // measured up to 2.8e-8 (in.min, in.cg: Press at step 450)
        AssertSameScaled(lammps, ours, 1e-6);
    }

    /// <summary>Every thermo value within <paramref name="tolerance"/> of the largest magnitude of its column (a kinetic
    /// temperature near convergence, 1e-7 of its starting value, carries the round-off of the velocities).</summary>
    private static void AssertSameScaled(string lammps, string ours, double tolerance)
    {
        var a = LammpsHarness.ThermoTables(lammps);
        var b = LammpsHarness.ThermoTables(ours);
        Assert.That(b, Has.Count.EqualTo(a.Count), "thermo tables");
        double worst = 0;
        var where = "";
        for (var t = 0; t < a.Count; t++)
        {
            Assert.That(b[t].Header, Is.EqualTo(a[t].Header), "thermo header");
            Assert.That(b[t].Rows, Has.Count.EqualTo(a[t].Rows.Count), "thermo rows");
            for (var c = 1; c < a[t].Header.Length; c++)
            {
                var scale = a[t].Rows.Max(r => Math.Abs(r[c]));
                if (scale == 0) continue;
                for (var r = 0; r < a[t].Rows.Count; r++)
                {
                    var diff = Math.Abs(a[t].Rows[r][c] - b[t].Rows[r][c]) / scale;
                    if (diff > worst) (worst, where) = (diff, $"step {a[t].Rows[r][0]} {a[t].Header[c]}: LAMMPS {a[t].Rows[r][c]:R}, dpsharp {b[t].Rows[r][c]:R}");
                }
            }
        }
        TestContext.Out.WriteLine($"largest thermo difference {worst:E2} of the column scale ({where})");
        Assert.That(worst, Is.LessThanOrEqualTo(tolerance), $"thermo at {where}");
    }
}
