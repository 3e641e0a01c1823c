namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Coverage;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Potentials;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The extrapolation guard of <c>pair_style deepmd</c> with the shipped water model, whose file carries the coverage of
/// its training data (data_0..2): it fires on an O–O pair at 1.6 Å (the training minimum is 2.35 Å, measured here
/// independently by brute force), stays silent on every training frame, stops a run with the last good frame, rate
/// limits its warnings, can be switched off, and reacts to an ensemble's force deviation.
/// </summary>
[TestFixture]
public class ExtrapolationGuardTests
{
    private static readonly string WaterModel = RepoPaths.Get("potentials", "water", "water.dp");
    private static readonly string CompressedModel = RepoPaths.Get("potentials", "water", "water-compressed.dp");
    private static readonly string Data = RepoPaths.Get("tests", "DeepMD.Sharp.Tests", "Data", "water.hdf5");

    /// <summary>Frame 0 of data_0 with the molecule of the O nearest to O #0 moved rigidly so the two O are <paramref name="distance"/> Å apart.</summary>
    private static (double[] X, double[] Y, double[] Z, Box Box, int[] Types, int A, int B) SqueezedFrame(DeepPotModel model, double distance)
    {
        var s = DeepmdSystemReader.Read(Data + "#/data_0").MapTo(model.TypeMap.Names);
        var (x, y, z, box) = s.Frame(0);
        var h = box!.Matrix.ToArray();
        Assert.That(new[] { h[1], h[2], h[3], h[5], h[6], h[7] }, Is.All.EqualTo(0.0), "the water frames are orthorhombic");
        double[] l = [h[0], h[4], h[8]];
        (double, double, double) Mic(int i, int j)
        {
            double[] d = [x[j] - x[i], y[j] - y[i], z[j] - z[i]];
            for (var k = 0; k < 3; k++) d[k] -= l[k] * Math.Round(d[k] / l[k]);
            return (d[0], d[1], d[2]);
        }
        double Dist(int i, int j)
        {
            var (a, b, c) = Mic(i, j);
            return Math.Sqrt(a * a + b * b + c * c);
        }
        var types = s.Types;
        var oxygens = Enumerable.Range(0, types.Length).Where(i => types[i] == 0).ToArray();
        var hydrogens = Enumerable.Range(0, types.Length).Where(i => types[i] == 1).ToArray();
        var oa = oxygens[0];
        var ob = oxygens.Skip(1).MinBy(o => Dist(oa, o));
        var molecule = hydrogens.OrderBy(hh => Dist(ob, hh)).Take(2).Append(ob).ToArray();
        var (dx, dy, dz) = Mic(oa, ob);
        var r = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        var shift = (distance - r) / r;
        foreach (var i in molecule)
        {
            x[i] += dx * shift;
            y[i] += dy * shift;
            z[i] += dz * shift;
        }
        Assert.That(Dist(oa, ob), Is.EqualTo(distance).Within(1e-9));
        return (x, y, z, box, types, oa, ob);
    }

    private static DeepPotential Potential(IModelEvaluator evaluator, GuardSettings settings, List<string> lines) =>
        new(evaluator, evaluator.Model.TypeMap.Names.ToArray()) { Guard = new ExtrapolationGuard(evaluator.Model, settings), Warn = lines.Add };

    private static void Compute(DeepPotential p, double[] x, double[] y, double[] z, Box box, int[] types, long step)
    {
        var list = CellListNeighborSearch.Build(x, y, z, box, p.Cutoff);
        p.Compute(new ForceRequest(x, y, z, types, box, list) { Step = step }, new ForceResult());
    }

    [Test]
    public void StoredPairMinimaAreTheBruteForceMinimaOfTheTrainingData()
    {
        var model = ModelLoader.Load(WaterModel);
        Assert.That(model.Coverage, Is.Not.Null, "the shipped model carries its training coverage");
        var min = new double[2, 2];
        for (var a = 0; a < 2; a++) for (var b = 0; b < 2; b++) min[a, b] = double.PositiveInfinity;
        foreach (var g in new[] { "data_0", "data_1", "data_2" })
        {
            var s = DeepmdSystemReader.Read(Data + "#/" + g).MapTo(model.TypeMap.Names);
            for (var f = 0; f < s.FrameCount; f++)
            {
                var (x, y, z, box) = s.Frame(f);
                var h = box!.Matrix.ToArray();
                for (var i = 0; i < x.Length; i++)
                    for (var j = i + 1; j < x.Length; j++)
                    {
                        double ddx = x[j] - x[i], ddy = y[j] - y[i], ddz = z[j] - z[i];
                        ddx -= h[0] * Math.Round(ddx / h[0]);
                        ddy -= h[4] * Math.Round(ddy / h[4]);
                        ddz -= h[8] * Math.Round(ddz / h[8]);
                        var r = Math.Sqrt(ddx * ddx + ddy * ddy + ddz * ddz);
                        int a = s.Types[i], b = s.Types[j];
                        if (r < min[a, b]) min[a, b] = min[b, a] = r;
                    }
            }
        }
        for (var a = 0; a < 2; a++)
            for (var b = 0; b < 2; b++)
                Assert.That(model.Coverage!.PairMinDistance[a, b], Is.EqualTo(min[a, b]).Within(1e-9), $"pair {a}-{b}");
        Assert.That(min[0, 0], Is.EqualTo(2.35).Within(0.01), "the issue's figure: closest O–O contact in the training data");
        Assert.That(model.Coverage!.HasDescriptorRanges, Is.True);
    }

    [Test]
    public void ACellOutsideTheTrainingVolumesIsFlaggedAndTheMissingVirialsAreNamed()
    {
        var model = ModelLoader.Load(WaterModel);
        // The shipped model's stored range is the training frames' volume per atom, computed here from the data itself.
        double vmin = double.PositiveInfinity, vmax = 0;
        long virials = 0;
        foreach (var g in new[] { "data_0", "data_1", "data_2" })
        {
            var sys = DeepmdSystemReader.Read(Data + "#/" + g);
            if (sys.Virials is not null) virials += sys.FrameCount;
            for (var f = 0; f < sys.FrameCount; f++)
            {
                var h = sys.Boxes!.AsSpan(9 * f, 9).ToArray();
                var v = Math.Abs(h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6]) + h[2] * (h[3] * h[7] - h[4] * h[6])) / sys.Types.Length;
                vmin = Math.Min(vmin, v);
                vmax = Math.Max(vmax, v);
            }
        }
        Assert.That(model.Coverage!.VolumePerAtom, Is.Not.Null, "the shipped model records its training volumes");
        Assert.That(model.Coverage.VolumePerAtom!.Value.Min, Is.EqualTo(vmin).Within(1e-9 * vmin));
        Assert.That(model.Coverage.VolumePerAtom!.Value.Max, Is.EqualTo(vmax).Within(1e-9 * vmax));
        Assert.That(model.Coverage.VirialFrames, Is.EqualTo(virials));

        // A held-out frame, then the same frame scaled about the origin as a barostat would, for one block of 3
        // evaluations: 2% more volume is inside a 3% margin, 6% more and 6% less are not.
        var s = DeepmdSystemReader.Read(Data + "#/data_3").MapTo(model.TypeMap.Names);
        var (x0, y0, z0, box0) = s.Frame(0);
        var evaluator = BackendRegistry.Default.Create(model, "cpu", out _);
        foreach (var (volumeFactor, flagged) in new[] { (1.0, false), (1.02, false), (1.06, true), (0.94, true) })
        {
            var f = Math.Cbrt(volumeFactor);
            var h = box0!.Matrix.ToArray().Select(v => v * f).ToArray();
            var box = new Box(h);
            double[] x = x0.Select(v => v * f).ToArray(), y = y0.Select(v => v * f).ToArray(), z = z0.Select(v => v * f).ToArray();
            var lines = new List<string>();
            var p = Potential(evaluator, new GuardSettings { Every = 1, VolumeMargin = 0.03, VolumeWindow = 3 }, lines);
            Compute(p, x0, y0, z0, box0, s.Types, 6);
            for (var step = 7; step <= 9; step++) Compute(p, x, y, z, box, s.Types, step);
            var volumeLines = lines.Where(l => l.Contains("is outside the training frames'")).ToList();
            Assert.That(volumeLines, flagged ? Has.Count.EqualTo(1) : Is.Empty, $"volume ×{volumeFactor}: {string.Join(" | ", lines)}");
            if (flagged)
                Assert.That(volumeLines[0], Does.Contain("step 9").And.Contain("no virial labels").And.Contain("over the last 3 evaluations").And.Contain((vmin * volumeFactor).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
        }

        // guard_volume_margin widens the range: 6% passes with a 10% margin (blocks of 1 evaluation).
        var f6 = Math.Cbrt(1.06);
        var box6 = new Box(box0!.Matrix.ToArray().Select(v => v * f6).ToArray());
        double[] x6 = x0.Select(v => v * f6).ToArray(), y6 = y0.Select(v => v * f6).ToArray(), z6 = z0.Select(v => v * f6).ToArray();
        {
            var lines = new List<string>();
            var p = Potential(evaluator, new GuardSettings { Every = 1, VolumeMargin = 0.10, VolumeWindow = 1 }, lines);
            Compute(p, x0, y0, z0, box0, s.Types, 0);
            Compute(p, x6, y6, z6, box6, s.Types, 1);
            Assert.That(lines.Where(l => l.Contains("is outside the training frames'")), Is.Empty);
        }

        // A cell that never changes is not judged by its volume (a cluster in vacuum, NVT at another density).
        {
            var lines = new List<string>();
            var p = Potential(evaluator, new GuardSettings { Every = 1, VolumeMargin = 0.03, VolumeWindow = 1 }, lines);
            Compute(p, x6, y6, z6, box6, s.Types, 0);
            Compute(p, x6, y6, z6, box6, s.Types, 1);
            Assert.That(lines.Where(l => l.Contains("is outside the training frames'")), Is.Empty);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void FiresOnAnOxygenPairAt1_6Angstrom(bool compressed)
    {
        var model = ModelLoader.Load(compressed ? CompressedModel : WaterModel);
        var (x, y, z, box, types, oa, ob) = SqueezedFrame(model, 1.6);
        foreach (var evaluator in new[] { TestBackends.CreateCpu(model, float32: false), TestBackends.CreateCpu(model, float32: true), new ReferenceBackend(model) })
        {
            var lines = new List<string>();
            var p = Potential(evaluator, new GuardSettings(), lines);
            Compute(p, x, y, z, box, types, step: 7);
            Assert.That(lines, Has.Count.EqualTo(1), evaluator.Name);
            var f = p.Guard!.Last;
            Assert.That(new[] { f.PairI, f.PairJ }, Is.EquivalentTo(new[] { oa, ob }), "the worst pair is the squeezed O–O");
            Assert.That(f.PairDistance, Is.EqualTo(1.6).Within(1e-9));
            Assert.That(lines[0], Does.Contain("step 7").And.Contain($"atoms {Math.Min(oa, ob) + 1} (O) and").And.Contain("1.600 Å apart")
                .And.Contain("training minimum 2.352 Å for O-O"));
            Assert.That(f.Descriptor, Is.Not.Null, $"{evaluator.Name}: the squeezed environments leave the descriptor ranges too");
        }
    }

    [Test]
    public void DescriptorCheckAloneFindsTheSameExcursionOnEveryBackend()
    {
        var model = ModelLoader.Load(WaterModel);
        var (x, y, z, box, types, _, _) = SqueezedFrame(model, 1.6);
        var noDistances = new GuardSettings { DistanceMargin = 100 };
        var found = new List<DescriptorExcursion>();
        foreach (var evaluator in new[] { TestBackends.CreateCpu(model, float32: false), TestBackends.CreateCpu(model, float32: true), new ReferenceBackend(model) })
        {
            var lines = new List<string>();
            var p = Potential(evaluator, noDistances, lines);
            Compute(p, x, y, z, box, types, step: 3);
            Assert.That(p.Guard!.Last.PairCount, Is.EqualTo(0));
            Assert.That(lines, Has.Count.EqualTo(1), evaluator.Name);
            Assert.That(lines[0], Does.Contain("descriptor component").And.Contain("outside the training range"));
            found.Add(p.Guard.Last.Descriptor!);
        }
        // float64 CPU and reference compute the same descriptor; float32 the same to rounding.
        Assert.That(found[0].Center, Is.EqualTo(found[2].Center));
        Assert.That(found[0].Component, Is.EqualTo(found[2].Component));
        Assert.That(found[0].Value, Is.EqualTo(found[2].Value).Within(1e-9));
        Assert.That(found[1].Center, Is.EqualTo(found[2].Center));
        Assert.That(found[1].Value, Is.EqualTo(found[2].Value).Within(1e-4 * Math.Max(1, Math.Abs(found[2].Value))));
    }

    [TestCase("data_0")]
    [TestCase("data_1")]
    [TestCase("data_2")]
    [TestCase("data_3")] // held out: 80 frames the model never saw, inside the training coverage with the default margins
    public void SilentOnEveryFrameOfTheWaterData(string group)
    {
        foreach (var path in new[] { WaterModel, CompressedModel })
        {
            var model = ModelLoader.Load(path);
            var s = DeepmdSystemReader.Read(Data + "#/" + group).MapTo(model.TypeMap.Names);
            var lines = new List<string>();
            var p = Potential(TestBackends.CreateCpu(model, float32: false), new GuardSettings { Every = 1 }, lines);
            for (var f = 0; f < s.FrameCount; f++)
            {
                var (x, y, z, box) = s.Frame(f);
                Compute(p, x, y, z, box!, s.Types, f);
            }
            Assert.That(p.Guard!.Checked, Is.EqualTo(s.FrameCount));
            Assert.That(lines, Is.Empty, Path.GetFileName(path));
            Assert.That(p.Guard.Events, Is.EqualTo(0));
        }
    }

    [Test]
    public void TrainingFramesSitInsideTheirOwnRangesWithNoMargin()
    {
        // The ranges are the training frames' extremes: a margin of 1e-6 of each range (room for the rounding of another
        // vector width or batch layout than the one that recorded them) keeps every frame inside.
        var model = ModelLoader.Load(WaterModel);
        var s = DeepmdSystemReader.Read(Data + "#/data_1").MapTo(model.TypeMap.Names);
        var lines = new List<string>();
        var p = Potential(TestBackends.CreateCpu(model, float32: false), new GuardSettings { DistanceMargin = 0, DescriptorMargin = 1e-6, Every = 1 }, lines);
        for (var f = 0; f < s.FrameCount; f += 8)
        {
            var (x, y, z, box) = s.Frame(f);
            Compute(p, x, y, z, box!, s.Types, f);
        }
        Assert.That(lines, Is.Empty);
    }

    /// <summary>Two water molecules, the second flying at the first: their O–O distance falls below 2.30 Å after a few steps.</summary>
    private static string CollisionDeck(string dir, string pairOptions, int steps, string model = "")
    {
        File.WriteAllText(Path.Combine(dir, "two.lmp"), """
            two water molecules

            6 atoms
            2 atom types
            0 12.4447 xlo xhi
            0 12.4447 ylo yhi
            0 12.4447 zlo zhi

            Atoms # atomic

            1 1 5.0 5.0 5.0
            2 2 4.4 5.75 5.0
            3 2 4.4 4.25 5.0
            4 1 7.6 5.0 5.0
            5 2 8.2 5.75 5.0
            6 2 8.2 4.25 5.0

            Velocities

            1 0 0 0
            2 0 0 0
            3 0 0 0
            4 -60 0 0
            5 -60 0 0
            6 -60 0 0
            """);
        var deck = Path.Combine(dir, "in.collide");
        File.WriteAllText(deck, $"""
            units metal
            boundary p p p
            atom_style atomic
            neighbor 1.0 bin
            neigh_modify every 1 delay 0 check no
            read_data two.lmp
            mass 1 16
            mass 2 2
            pair_style deepmd {(model.Length > 0 ? model : WaterModel)} {pairOptions}
            pair_coeff * * O H
            fix 1 all nve
            timestep 0.0005
            thermo 5
            run {steps}
            """);
        return deck;
    }

    // The two-molecule box is far from liquid water, so its descriptors are outside the training ranges from the
    // start; a huge descriptor margin leaves the distance check alone.
    private const string DistancesOnly = "guard_desc_margin 1e9";

    [Test]
    public void StopModeStopsWithTheLastGoodFrameAndAClearError()
    {
        var dir = RepoPaths.TempDir();
        var deck = CollisionDeck(dir, $"guard stop {DistancesOnly}", 200);
        var wrapped = Assert.Throws<UserInputException>(() =>
        {
            using var s = new DeckSession(new StringWriter(), dir, null);
            s.RunFile(deck);
        })!;
        var e = (SimulationException)wrapped.InnerException!;
        Assert.That(e.Step, Is.GreaterThan(1), "the molecules start 2.6 Å apart");
        Assert.That(e.AtomId, Is.EqualTo(1).Or.EqualTo(4), "an oxygen is blamed");
        var frame = Path.Combine(dir, "in.collide.last-good.xyz");
        Assert.That(e.Message, Does.Contain($"extrapolation guard (guard stop) at step {e.Step}").And.Contain("O-O")
            .And.Contain("below the training minimum 2.352 Å").And.Contain("guard off"));
        Assert.That(e.Message, Does.Contain($"the last good frame (step {e.Step - 1}) is in {frame}"));
        Assert.That(File.Exists(frame), Is.True);
        // The last good frame is the one before: its O–O distance is still at or above the limit (2.352 − 0.05 Å).
        var last = DeepMD.Sharp.IO.ExtXyzReader.ReadExtendedFrames(frame).Single().Structure;
        double dx = last.X[3] - last.X[0], dy = last.Y[3] - last.Y[0], dz = last.Z[3] - last.Z[0];
        Assert.That(Math.Sqrt(dx * dx + dy * dy + dz * dz), Is.GreaterThanOrEqualTo(2.352452 - 0.05 - 1e-6));
    }

    [Test]
    public void WarnModeRateLimitsAndCountsInTheRunSummary()
    {
        var dir = RepoPaths.TempDir();
        var deck = CollisionDeck(dir, $"guard warn guard_every 5 {DistancesOnly}", 40);
        var screen = new StringWriter();
        using (var s = new DeckSession(screen, dir, null)) s.RunFile(deck);
        var text = screen.ToString();
        var warnings = text.Split('\n').Where(l => l.StartsWith("WARNING: extrapolation guard at step", StringComparison.Ordinal)).ToList();
        var steps = warnings.Select(l => long.Parse(l.Split(' ')[5].TrimEnd(':'), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(steps, Has.Count.GreaterThan(1));
        for (var k = 1; k < steps.Count; k++) Assert.That(steps[k] - steps[k - 1], Is.GreaterThanOrEqualTo(5), "at most one warning per 5 steps");
        var summary = text.Split('\n').Single(l => l.StartsWith("Extrapolation guard:", StringComparison.Ordinal));
        var words = summary.Split(' ');
        var events = long.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(summary, Does.Contain($"{warnings.Count} warnings printed"));
        Assert.That(events, Is.GreaterThan(warnings.Count), "every step outside is counted, not only the warned ones");
    }

    [Test]
    public void OffModeIsSilent()
    {
        var dir = RepoPaths.TempDir();
        var deck = CollisionDeck(dir, "guard off", 40);
        var screen = new StringWriter();
        using (var s = new DeckSession(screen, dir, null)) s.RunFile(deck);
        Assert.That(screen.ToString(), Does.Not.Contain("WARNING: extrapolation guard").And.Not.Contain("Extrapolation guard:"));
        Assert.That(screen.ToString(), Does.Contain("deepmd: extrapolation guard off"));
    }

    [Test]
    public void AModelWithoutCoverageSaysWhatTheGuardCanCheck()
    {
        var dir = RepoPaths.TempDir();
        var deck = CollisionDeck(dir, "", 10, RepoPaths.TestModel("deeppot_sea.yaml"));
        var screen = new StringWriter();
        using (var s = new DeckSession(screen, dir, null)) s.RunFile(deck);
        Assert.That(screen.ToString(), Does.Contain("WARNING: extrapolation guard: the model stores no training coverage"));
        Assert.That(screen.ToString(), Does.Contain("Extrapolation guard: 0 steps outside the training coverage of"));
    }

    [Test]
    public void ForceDeviationOfAnEnsembleTriggersTheGuard()
    {
        // water.dp and DeePMD-kit's test model disagree by far more than 0.05 eV/Å on the liquid; 1000 eV/Å is never reached.
        foreach (var (limit, fires) in new[] { (0.05, true), (1000.0, false) })
        {
            var dir = RepoPaths.TempDir();
            var deck = Path.Combine(dir, "in.devi");
            File.WriteAllText(deck, $"""
                units metal
                boundary p p p
                atom_style atomic
                neighbor 2.0 bin
                neigh_modify every 10 delay 0 check no
                read_data {RepoPaths.Get("examples", "water", "water.lmp")}
                mass 1 16
                mass 2 2
                pair_style deepmd {WaterModel} {RepoPaths.TestModel("deeppot_sea.yaml")} out_freq 5 out_file md.out guard_devi {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)} guard_every 1
                pair_coeff * * O H
                velocity all create 300.0 4928459
                fix 1 all nvt temp 300.0 300.0 0.05
                timestep 0.0005
                run 10
                """);
            var screen = new StringWriter();
            using (var s = new DeckSession(screen, dir, null)) s.RunFile(deck);
            var warnings = screen.ToString().Split('\n').Where(l => l.Contains("exceeds guard_devi")).ToList();
            if (fires)
            {
                Assert.That(warnings.Select(l => l.Split(' ')[5].TrimEnd(':')), Is.EquivalentTo(new[] { "0", "5", "10" }), "the out_freq steps");
                Assert.That(warnings[0], Does.Contain("max force deviation"));
            }
            else Assert.That(warnings, Is.Empty);
        }
    }
}
