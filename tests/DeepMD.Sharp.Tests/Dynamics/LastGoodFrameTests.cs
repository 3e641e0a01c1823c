namespace DeepMD.Sharp.Tests.Dynamics;

using System.Globalization;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Dynamics.Velocities;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// A run that stops on an invalid state writes the last good frame (the state after the previous step) and names it
/// in the error; the frame is compared with the state of a run stopped one step before the failure.
/// </summary>
[TestFixture]
public class LastGoodFrameTests
{
    private const string LostAtomDeck = """
        units lj
        boundary f f f
        lattice fcc 0.8442
        region box block -1 4 -1 4 -1 4
        region crystal block 0 3 0 3 0 3
        create_box 1 box
        create_atoms 1 region crystal
        mass 1 1.0
        velocity all create 3.0 87287 loop geom
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        neigh_modify every 1 delay 0 check no
        fix 1 all nve
        thermo 10
        """;

    [Test]
    public void ALostAtomWritesTheLastGoodFrameAndNamesIt()
    {
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.lost"), LostAtomDeck + "\nrun 1000\n");
        var wrapped = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() =>
        {
            using var s = new DeckSession(new StringWriter(), dir, null);
            s.RunFile(Path.Combine(dir, "in.lost"));
        })!;
        Assert.That(wrapped.Message, Does.StartWith(Path.Combine(dir, "in.lost") + ":15:"), "the deck line of the run");
        var e = (SimulationException)wrapped.InnerException!;
        Assert.That(e.Step, Is.GreaterThan(10), "the hot crystal evaporates after some steps");
        var frame = Path.Combine(dir, "in.lost.last-good.xyz");
        Assert.That(e.Message, Does.Contain("is lost").And.Contain($"step {e.Step}").And.Contain($"atom {e.AtomId}"));
        Assert.That(e.Message, Does.Contain($"the last good frame (step {e.Step - 1}) is in {frame}"));
        Assert.That(File.Exists(frame), Is.True);

        // The same deck stopped one step earlier: its state must be the frame, value for value.
        using var before = new DeckSession(new StringWriter(), dir, null);
        before.Runner.RunText("before", LostAtomDeck + $"\nrun {e.Step - 1}\n");
        AssertFrameIs(frame, before.Simulation!, e.Step - 1);
    }

    /// <summary>lj/cut that reports a NaN energy from a given step on (a stand-in for a model that blows up).</summary>
    private sealed class FailingPotential(IPotential inner, long failAt) : IPotential
    {
        public string Name => "failing";

        public double Cutoff => inner.Cutoff;

        public void Compute(ForceRequest request, ForceResult result)
        {
            inner.Compute(request, result);
            if (request.Step >= failAt) result.Energy = double.NaN;
        }
    }

    private static Simulation Crystal(long failAt)
    {
        var sim = new Simulation(UnitSystem.Lj);
        var a = Math.Pow(4 / 0.8442, 1.0 / 3);
        sim.CreateBox(new SimulationBox(0, 3 * a, 0, 3 * a, 0, 3 * a), 1);
        sim.SetMass(0, 1);
        double[][] basis = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]];
        var id = 1;
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 3; k++)
                    foreach (var b in basis)
                        sim.Atoms.Add(id++, 0, (i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a);
        VelocityGenerator.Create(sim, 1.0, 5551, new VelocityOptions());
        var lj = new LennardJonesCut(1, 2.5);
        lj.SetCoefficients(0, 0, 1, 1);
        sim.Potential = new FailingPotential(lj, failAt);
        sim.Fixes.Add(new FixNve("1"));
        return sim;
    }

    [Test]
    public void ANonFiniteEnergyThroughTheApiWritesTheFrameWhenAsked()
    {
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "crash.xyz");
        var sim = Crystal(failAt: 12);
        sim.LastGoodFrame = new LastGoodFrame(path, ["Ar"]);
        var e = Assert.Throws<SimulationException>(() => sim.Run(50))!;
        Assert.That(e.Step, Is.EqualTo(12));
        Assert.That(e.Message, Does.Contain("non-finite energy").And.Contain($"(step 11) is in {path}"));

        var reference = Crystal(failAt: long.MaxValue);
        reference.Run(11);
        AssertFrameIs(path, reference, 11, "Ar");

        // Without a frame requested, the error is unchanged and nothing is written.
        var plain = Crystal(failAt: 3);
        Assert.That(Assert.Throws<SimulationException>(() => plain.Run(5))!.Message, Does.Not.Contain("last good frame"));
    }

    private static void AssertFrameIs(string path, Simulation expected, long step, string species = "1")
    {
        Assert.That(File.ReadLines(path).ElementAt(1), Does.Contain("Properties=species:S:1:pos:R:3:velo:R:3:id:I:1"));
        // Our own extended XYZ reader takes it back: positions (relative to the origin), species, lattice, velocities, ids.
        var frame = ExtXyzReader.ReadExtendedFrame(path, 0);
        var s = frame.Structure;
        var a = expected.Atoms;
        var box = expected.Box!;
        var lo = box.Lo;
        Assert.That(s.Count, Is.EqualTo(a.Count));
        Assert.That(frame.Info["Timestep"], Is.EqualTo(step.ToString(CultureInfo.InvariantCulture)));
        Assert.That(frame.Info["units"], Is.EqualTo(expected.Units.Name));
        Assert.That(frame.Info["origin"], Is.EqualTo(string.Join(' ', lo.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
        Assert.That(File.ReadLines(path).ElementAt(1), Does.Contain($"Lattice=\"{string.Join(' ', box.Cell.Matrix.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}\""));
        if (box.Periodic.Any(p => p))
        {
            Assert.That(s.Box!.Matrix.ToArray(), Is.EqualTo(box.Cell.Matrix.ToArray()), "lattice");
            Assert.That(Enumerable.Range(0, 3).Select(s.Box.IsPeriodic), Is.EqualTo(box.Periodic), "pbc");
        }
        else
        {
            Assert.That(s.Box, Is.Null, "pbc=\"F F F\": the reader takes an isolated cluster");
        }
        Assert.That(frame.Width("velo"), Is.EqualTo(3));
        Assert.That(frame.Width("id"), Is.EqualTo(1));
        var velo = frame.Arrays["velo"];
        var ids = frame.Arrays["id"];
        for (var i = 0; i < a.Count; i++)
        {
            Assert.That(s.Species[i], Is.EqualTo(species));
            Assert.That(ids[i], Is.EqualTo(a.Id[i]));
            Assert.That(new[] { s.X[i], s.Y[i], s.Z[i], velo[3 * i], velo[3 * i + 1], velo[3 * i + 2] },
                Is.EqualTo(new[] { a.X[i] - lo[0], a.Y[i] - lo[1], a.Z[i] - lo[2], a.Vx[i], a.Vy[i], a.Vz[i] }), $"atom {a.Id[i]}");
        }
        // The structure reader (dpsharp eval) takes it too.
        Assert.That(StructureReader.Read(path).Count, Is.EqualTo(a.Count));
    }
}
