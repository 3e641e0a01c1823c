namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Minimization;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Minimization, data files, replicate and groups without LAMMPS: physics (a perturbed perfect crystal relaxes back
/// to the perfect crystal's energy; replicating a crystal keeps the energy per atom), round trips and bad input.
/// </summary>
[TestFixture]
public class MinimizationTests
{
    private const string LjCrystal = """
        units lj
        lattice fcc 0.9
        region box block 0 3 0 3 0 3
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0
        thermo 0
        """;

    private static DeckSession Session(string deck, StringWriter? screen = null)
    {
        var s = new DeckSession(screen ?? new StringWriter(), RepoPaths.TempDir(), null);
        s.Runner.RunText("deck", deck);
        return s;
    }

    private static double PerfectCrystalEnergy()
    {
        using var s = Session(LjCrystal + "\nrun 0");
        return s.Simulation!.PotentialEnergy;
    }

    [TestCase(MinimizeStyle.ConjugateGradient, LineSearchStyle.Quadratic)]
    [TestCase(MinimizeStyle.ConjugateGradient, LineSearchStyle.Backtrack)]
    [TestCase(MinimizeStyle.SteepestDescent, LineSearchStyle.Quadratic)]
    [TestCase(MinimizeStyle.Fire, LineSearchStyle.Quadratic)]
    public void PerturbedCrystalRelaxesToThePerfectCrystalEnergy(MinimizeStyle style, LineSearchStyle line)
    {
        var perfect = PerfectCrystalEnergy();
        using var s = Session(LjCrystal + "\ndisplace_atoms all random 0.04 0.04 0.04 1234\nrun 0");
        var sim = s.Simulation!;
        var perturbed = sim.PotentialEnergy;
        Assert.That(perturbed, Is.GreaterThan(perfect + 0.1), "the perturbation raises the energy");
        var result = sim.Minimize(0, 1e-9, 5000, 50000, new MinimizeSettings { Style = style, LineSearch = line }, normalize: false);
        TestContext.Out.WriteLine($"{style}/{line}: {result.Stop.Describe()} after {result.Iterations} iterations, {result.Evaluations} evaluations; E = {result.EnergyFinal:R}, perfect {perfect:R}");
        if (line == LineSearchStyle.Backtrack)
        {
            // Backtracking cannot resolve energy changes below 1e-8 and stops there (LAMMPS does the same).
            Assert.That(result.Stop, Is.EqualTo(MinimizeStop.ForceTolerance).Or.EqualTo(MinimizeStop.EnergyTolerance));
        }
        else
        {
            Assert.That(result.Stop, Is.EqualTo(MinimizeStop.ForceTolerance));
            Assert.That(result.ForceTwoNormFinal, Is.LessThan(1e-9));
        }
        Assert.That(Thermodynamics.ForceTwoNorm(sim), Is.EqualTo(result.ForceTwoNormFinal));
        Assert.That(result.EnergyFinal, Is.EqualTo(sim.PotentialEnergy));
        Assert.That(result.EnergyFinal, Is.EqualTo(perfect).Within(1e-10 * Math.Abs(perfect)));
        Assert.That(result.EnergyInitial, Is.EqualTo(perturbed));
        Assert.That(sim.Step, Is.EqualTo(result.Iterations));
        Assert.That(sim.Neighbor.Every, Is.EqualTo(1));
    }

    [Test]
    public void FireRestoresTheTimestepAndZeroIterationsStopAtMaxIterations()
    {
        using var s = Session(LjCrystal + "\ntimestep 0.003\ndisplace_atoms all random 0.04 0.04 0.04 99\nrun 0");
        var sim = s.Simulation!;
        var r = sim.Minimize(1e-8, 1e-8, 200, 1000, new MinimizeSettings { Style = MinimizeStyle.Fire });
        Assert.That(sim.Timestep, Is.EqualTo(0.003), "FIRE changes dt while it runs and restores it");
        Assert.That(r.EnergyFinal, Is.LessThan(r.EnergyInitial));
        var zero = sim.Minimize(0, 0, 0, 10);
        Assert.That(zero.Stop, Is.EqualTo(MinimizeStop.MaxIterations));
        Assert.That(zero.Iterations, Is.Zero);
    }

    [Test]
    public void MinimizeCommandPrintsLammpsStatsBlock()
    {
        var screen = new StringWriter();
        using var s = Session(LjCrystal + "\ndisplace_atoms all random 0.04 0.04 0.04 5\nthermo 5\nmin_modify dmax 0.05 line backtrack\nminimize 1e-6 1e-6 100 1000", screen);
        var text = screen.ToString();
        Assert.That(text, Does.Contain("Setting up cg style minimization ..."));
        Assert.That(text, Does.Contain("Minimization stats:"));
        Assert.That(text, Does.Match(@"Force two-norm initial, final = \d+\.\d+ "));
        Assert.That(text, Does.Match(@"Iterations, force evaluations = \d+ \d+"));
        var tables = LammpsHarness.ThermoTables(text);
        Assert.That(tables, Has.Count.EqualTo(1));
        var rows = tables[0].Rows;
        Assert.That(rows[0][0], Is.Zero);
        Assert.That(rows[^1][0], Is.EqualTo(s.Simulation!.Step), "the last step is printed");
        Assert.That(rows.Skip(1).SkipLast(1).All(r => r[0] % 5 == 0), Is.True, "thermo every 5 steps in between");
    }

    [Test]
    public void WriteDataThenReadDataRestoresIdsTypesPositionsAndVelocities()
    {
        using var s = Session(LjCrystal + """

            velocity all create 2.0 4455 loop geom
            fix 1 all nve
            run 50
            write_data out.data
            """);
        var a = s.Simulation!;
        var path = Path.Combine(s.Context.WorkingDirectory, "out.data");
        var b = SimulationFactory.FromLammpsData(path, a.Units);
        Assert.That(b.AtomCount, Is.EqualTo(a.AtomCount));
        var byId = Enumerable.Range(0, b.AtomCount).ToDictionary(i => b.Atoms.Id[i]);
        var box = a.Box!;
        for (var i = 0; i < a.AtomCount; i++)
        {
            var j = byId[a.Atoms.Id[i]];
            Assert.That(b.Atoms.Type[j], Is.EqualTo(a.Atoms.Type[i]));
            // Unwrapped positions agree (the file holds wrapped positions and image flags, read back as written).
            var ux = a.Atoms.X[i] + a.Atoms.ImageA[i] * box.Lx;
            var uy = a.Atoms.Y[i] + a.Atoms.ImageB[i] * box.Ly;
            var uz = a.Atoms.Z[i] + a.Atoms.ImageC[i] * box.Lz;
            Assert.That(b.Atoms.X[j] + b.Atoms.ImageA[j] * b.Box!.Lx, Is.EqualTo(ux).Within(1e-12 * box.Lx));
            Assert.That(b.Atoms.Y[j] + b.Atoms.ImageB[j] * b.Box!.Ly, Is.EqualTo(uy).Within(1e-12 * box.Ly));
            Assert.That(b.Atoms.Z[j] + b.Atoms.ImageC[j] * b.Box!.Lz, Is.EqualTo(uz).Within(1e-12 * box.Lz));
            Assert.That(b.Box.InsideNonPeriodic(b.Atoms.X[j], b.Atoms.Y[j], b.Atoms.Z[j]) && b.Atoms.X[j] >= b.Box.Lo[0] && b.Atoms.X[j] < b.Box.Hi[0], Is.True, "positions stay wrapped");
            Assert.That(b.Atoms.Vx[j], Is.EqualTo(a.Atoms.Vx[i]), "velocities round-trip exactly");
            Assert.That(b.Atoms.Vy[j], Is.EqualTo(a.Atoms.Vy[i]));
            Assert.That(b.Atoms.Vz[j], Is.EqualTo(a.Atoms.Vz[i]));
        }
        Assert.That(b.Masses, Is.EqualTo(a.Masses));
    }

    [Test]
    public void ReplicatingAPerfectCrystalKeepsTheEnergyPerAtomAndGivesUniqueIds()
    {
        using var s = Session(LjCrystal + "\nrun 0");
        var sim = s.Simulation!;
        var perAtom = sim.PotentialEnergy / sim.AtomCount;
        var n = sim.AtomCount;
        s.Runner.RunText("more", "replicate 2 1 3\nrun 0");
        Assert.That(sim.AtomCount, Is.EqualTo(6 * n));
        Assert.That(sim.Atoms.Id.Take(sim.AtomCount).Distinct().Count(), Is.EqualTo(6 * n));
        Assert.That(sim.Atoms.Id.Take(sim.AtomCount).Max(), Is.EqualTo(6 * n));
        Assert.That(sim.Box!.Lx, Is.EqualTo(2 * 3 * Math.Cbrt(4 / 0.9)).Within(1e-12));
        Assert.That(sim.PotentialEnergy / sim.AtomCount, Is.EqualTo(perAtom).Within(1e-12 * Math.Abs(perAtom)));
    }

    [Test]
    public void GroupsSelectByTypeIdAndRegionAndFollowReplicate()
    {
        var screen = new StringWriter();
        using var s = Session(LjCrystal + """

            region half block 0 1.5 INF INF INF INF
            group left region half
            group first id 1:10:3 20
            group none type 2 3
            """.Replace("create_box 1 box", "create_box 3 box"), screen);
        var text = screen.ToString();
        Assert.That(text, Does.Contain("72 atoms in group left"));
        Assert.That(text, Does.Contain("5 atoms in group first"));
        Assert.That(text, Does.Contain("0 atoms in group none"));
        s.Runner.RunText("more", "replicate 2 1 1");
        Assert.That(s.Context.Group("first").Count(s.Simulation!.Atoms), Is.EqualTo(10));
    }

    [Test]
    public void BadInputIsReportedClearly()
    {
        using var s = Session(LjCrystal);
        Assert.That(() => s.Runner.RunText("x", "velocity nosuch create 1.0 5"), Throws.InstanceOf<UserInputException>().With.Message.Contains("group 'nosuch' does not exist"));
        s.Runner.RunText("x", "group g id 1:5");
        Assert.That(() => s.Runner.RunText("x", "fix 1 g nvt temp 1 1 0.1"), Throws.InstanceOf<UserInputException>().With.Message.Contains("group 'all' only"));
        Assert.That(() => s.Runner.RunText("x", "minimize -1 0 10 10"), Throws.InstanceOf<UserInputException>().With.Message.Contains("etol and ftol"));
        Assert.That(() => s.Runner.RunText("x", "min_style quickmin"), Throws.InstanceOf<UserInputException>().With.Message.Contains("not supported"));
        Assert.That(() => s.Runner.RunText("x", "min_modify line cubic"), Throws.InstanceOf<UserInputException>());
        Assert.That(() => s.Runner.RunText("x", "displace_atoms all random 0.1 0.1 0.1 0"), Throws.InstanceOf<UserInputException>().With.Message.Contains("positive seed"));
    }
}
