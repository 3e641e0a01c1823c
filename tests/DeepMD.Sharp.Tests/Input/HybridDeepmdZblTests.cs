namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>pair_style hybrid/overlay deepmd … zbl …</c> (DeePMD's DP+ZBL short-range repulsion) on 64 water molecules:
/// deepmd reads the full list and zbl the half list over ghosts, both built for the same step. The energy, forces and
/// virial equal the sums of the two styles run alone; forces equal central finite differences of the energy.
/// </summary>
[TestFixture]
public class HybridDeepmdZblTests
{
    private static string Deck(string pair) => $"""
        units       metal
        boundary    p p p
        atom_style  atomic
        read_data   {RepoPaths.Get("tests", "DeepMD.Sharp.Tests", "Data", "water.lmp")}
        mass        1 16
        mass        2 2
        {pair}
        run         0
        """;

    private const string Zbl = """
        pair_coeff  1 1 zbl 8 8
        pair_coeff  1 2 zbl 8 1
        pair_coeff  2 2 zbl 1 1
        """;

    private static string Model => RepoPaths.TestModel("deeppot_sea.yaml");

    private static DeckSession Run(string pair)
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.water");
        File.WriteAllText(path, Deck(pair));
        var session = new DeckSession(new StringWriter(), dir, logFile: "log.dpsharp");
        session.RunFile(path);
        return session;
    }

    private static Dictionary<int, (double X, double Y, double Z)> ForcesById(Simulation sim)
    {
        var a = sim.Atoms;
        var d = new Dictionary<int, (double, double, double)>();
        for (var i = 0; i < a.Count; i++) d[a.Id[i]] = (a.Fx[i], a.Fy[i], a.Fz[i]);
        return d;
    }

    [Test]
    public void EnergyForcesAndVirialAreTheSumOfDeepmdAndZbl()
    {
        using var both = Run($"pair_style hybrid/overlay deepmd {Model} zbl 0.8 1.6\npair_coeff * * deepmd O H\n{Zbl}");
        using var dp = Run($"pair_style deepmd {Model}\npair_coeff * * O H");
        using var zbl = Run($"pair_style hybrid/overlay zbl 0.8 1.6\n{Zbl}");
        var (s, a, b) = (both.Simulation!, dp.Simulation!, zbl.Simulation!);
        Assert.That(s.Potential, Is.TypeOf<HybridOverlay>());
        Assert.That(s.Potential!.NeighborKind, Is.EqualTo(DeepMD.Sharp.Core.Potentials.NeighborKind.Both));
        // zbl must actually act (O–H bonds sit inside its switching range) for the sum to mean anything.
        Assert.That(Math.Abs(b.PotentialEnergy), Is.GreaterThan(1.0));
        Assert.That(s.PotentialEnergy, Is.EqualTo(a.PotentialEnergy + b.PotentialEnergy).Within(1e-10 * Math.Abs(s.PotentialEnergy)));
        for (var c = 0; c < 9; c++)
            Assert.That(s.Virial[c], Is.EqualTo(a.Virial[c] + b.Virial[c]).Within(1e-9), $"virial {c}");
        var (fs, fa, fb) = (ForcesById(s), ForcesById(a), ForcesById(b));
        double worst = 0;
        foreach (var (id, f) in fs)
        {
            worst = Math.Max(worst, Math.Abs(f.X - fa[id].X - fb[id].X));
            worst = Math.Max(worst, Math.Abs(f.Y - fa[id].Y - fb[id].Y));
            worst = Math.Max(worst, Math.Abs(f.Z - fa[id].Z - fb[id].Z));
        }
        Assert.That(worst, Is.LessThan(1e-10), "largest |F_hybrid − F_deepmd − F_zbl| (eV/Å)");
        Assert.That(fb.Values.Max(f => Math.Abs(f.X)), Is.GreaterThan(0.1), "zbl forces are not negligible");
    }

    [Test]
    public void ForcesMatchFiniteDifferences()
    {
        using var session = Run($"pair_style hybrid/overlay deepmd {Model} zbl 0.8 1.6\npair_coeff * * deepmd O H\n{Zbl}");
        var sim = session.Simulation!;
        var a = sim.Atoms;
        const double h = 1e-5;
        double Energy()
        {
            sim.RebuildNeighbors();
            sim.ComputeForces();
            return sim.PotentialEnergy;
        }
        Energy();
        var analytic = ForcesById(sim);
        double worst = 0;
        foreach (var i in new[] { 0, 1, 70, 130, 191 })
        {
            foreach (var axis in new[] { a.X, a.Y, a.Z })
            {
                var x0 = axis[i];
                axis[i] = x0 + h;
                var ep = Energy();
                axis[i] = x0 - h;
                var em = Energy();
                axis[i] = x0;
                var fd = -(ep - em) / (2 * h);
                var f = analytic[a.Id[i]];
                var an = ReferenceEquals(axis, a.X) ? f.X : ReferenceEquals(axis, a.Y) ? f.Y : f.Z;
                worst = Math.Max(worst, Math.Abs(fd - an));
                Assert.That(fd, Is.EqualTo(an).Within(1e-5 + 1e-5 * Math.Abs(an)), $"atom {a.Id[i]}");
            }
        }
        TestContext.Out.WriteLine($"largest |F − F_fd| = {worst:E2} eV/Å");
    }

    [Test]
    public void ADeepmdSubStyleMustCoverEveryTypePair()
    {
        var e = Assert.Throws<UserInputException>(() => Run($"pair_style hybrid/overlay deepmd {Model} zbl 0.8 1.6\npair_coeff * * deepmd O H\n{Zbl}\npair_coeff 2 2 none"))!;
        Assert.That(e.Message, Does.Contain("deepmd").And.Contain("every type pair"));
    }

    [Test]
    public void ATypePairWithoutSubStyleIsAnError()
    {
        var e = Assert.Throws<UserInputException>(() => Run("pair_style hybrid/overlay zbl 0.8 1.6 soft 1.0\npair_coeff 1 1 zbl 8 8\npair_coeff 2 2 soft 1.0"))!;
        Assert.That(e.Message, Does.Contain("types 1 2 have no sub-style"));
    }

    [Test]
    public void ShiftAndTailTogetherAreRefusedAsInLammps()
    {
        var e = Assert.Throws<UserInputException>(() => Run("pair_style buck 6.0\npair_coeff * * 1000 0.3 10\npair_modify shift yes tail yes"))!;
        Assert.That(e.Message, Does.Contain("Cannot have both pair_modify shift and tail"));
    }
}
