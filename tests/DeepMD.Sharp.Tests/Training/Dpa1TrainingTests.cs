namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Input;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// DPA-1 (se_atten, se_atten_v2) training: the TorchSharp model against the reference evaluator (which matches
/// DeePMD-kit, see docs/dpa.md) through the exported file, autograd forces/virials against finite differences, a few
/// steps reduce the loss, fine-tuning keeps or freezes the descriptor and refits the bias, type selection is exact,
/// and bad input keys are clear errors.
/// </summary>
public class Dpa1TrainingTests
{
    private static Dpa1Config Tiny(string variant)
    {
        var c = new Dpa1Config
        {
            TypeMap = ["O", "H"], Rcut = 4.0, RcutSmooth = 0.5, Nsel = 60, Neuron = [4, 8], AxisNeuron = 3, TebdDim = 3,
            Attn = 5, AttnLayer = 2, FittingNeuron = [8, 8], Seed = 11, DataStatNBatch = 2, ResnetDt = true,
        };
        return variant switch
        {
            "concat" => c,
            "concat-smooth-oneside" => c with { Smooth = true, TypeOneSide = true, SetDavgZero = false },
            "concat-nodotr-temp" => c with { AttnDotr = false, Temperature = 0.7, Normalize = false, UseTebdBias = true, TebdDim = 4 },
            "strip" => c with { Strip = true, SetDavgZero = false },
            "strip-oneside-rough" => c with { Strip = true, TypeOneSide = true, Smooth = false, ConcatOutputTebd = false },
            "se_atten_v2" => c with { DescriptorType = "se_atten_v2", Strip = true, Smooth = true, SetDavgZero = false },
            "attn0" => c with { AttnLayer = 0, SetDavgZero = false },
            _ => throw new ArgumentException(variant),
        };
    }

    private static Trainer MakeTrainer(IEnergyModel model, DeepmdSystem system, int steps, EnergyLoss? loss = null) =>
        new(model, loss ?? new EnergyLoss(), new ExponentialLearningRate(1e-3, 1e-5, 1, Math.Max(1, steps)),
            new TrainingDataSet([system], [1], seed: 3), null, new TrainerOptions { NumbSteps = steps, DispFreq = 1, DispFile = null });

    private static (double[] X, double[] Y, double[] Z, Box Box) Frame(DeepmdSystem s, int f)
    {
        var n = s.AtomCount;
        return (Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3]).ToArray(),
            Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 1]).ToArray(),
            Enumerable.Range(0, n).Select(i => s.Coords[(f * n + i) * 3 + 2]).ToArray(),
            new Box(s.Boxes!.AsSpan(f * 9, 9)));
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "dpsharp-dpa1-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static (double[] E, double[] F, double[] V) Evaluate(IEnergyModel model, FrameBatch batch)
    {
        using var scope = NewDisposeScope();
        var o = model.Forward(batch);
        return (o.Energy.detach().data<double>().ToArray(),
            SeAEnergyModel.Forces(o, false).detach().contiguous().data<double>().ToArray(),
            SeAEnergyModel.Virials(o, batch, false).detach().contiguous().data<double>().ToArray());
    }

    [TestCase("concat")]
    [TestCase("concat-smooth-oneside")]
    [TestCase("concat-nodotr-temp")]
    [TestCase("strip")]
    [TestCase("strip-oneside-rough")]
    [TestCase("se_atten_v2")]
    [TestCase("attn0")]
    public void Exported_Model_Matches_Reference_Evaluator(string variant)
    {
        TorchRuntime.Initialize(threads: 1);
        var water = TrainingFixtures.Water();
        var model = new Dpa1EnergyModel(Tiny(variant));
        var trainer = MakeTrainer(model, water, 2);
        trainer.InitStatistics();
        trainer.Run(); // weights, davg/dstd and bias away from their initial values
        if (!Tiny(variant).SetDavgZero) Assert.That(model.Davg.Any(v => v != 0), "davg is non-zero for set_davg_zero false");

        var dir = TempDir();
        try
        {
            var path = Path.Combine(dir, "model.dp");
            ModelExporter.Save(model, path);
            var loaded = ModelLoader.Load(path);
            Assert.That(loaded.Descriptor.TypeName, Is.EqualTo(variant == "se_atten_v2" ? "se_atten_v2" : "se_atten"));
            var frames = new[] { 5, 41 };
            var batch = new BatchBuilder(model.Rcut, model.Sel, mixedTypes: true).Build(water, frames);
            var (energy, force, virial) = Evaluate(model, batch);
            var n = water.AtomCount;
            for (var b = 0; b < frames.Length; b++)
            {
                var (x, y, z, box) = Frame(water, frames[b]);
                var r = ReferenceEvaluator.Evaluate(loaded, x, y, z, water.Types, box);
                TestContext.Out.WriteLine($"frame {frames[b]}: torch {energy[b]:R}, reference {r.Energy:R}");
                Assert.That(r.Energy, Is.EqualTo(energy[b]).Within(1e-10 * Math.Max(1, Math.Abs(energy[b]))), "energy");
                var maxDiff = 0.0;
                for (var k = 0; k < 3 * n; k++) maxDiff = Math.Max(maxDiff, Math.Abs(r.Forces[k] - force[b * 3 * n + k]));
                Assert.That(maxDiff, Is.LessThan(1e-10), "forces");
                for (var k = 0; k < 9; k++) Assert.That(r.Virial[k], Is.EqualTo(virial[b * 9 + k]).Within(1e-9), $"virial {k}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestCase("concat")]
    [TestCase("se_atten_v2")]
    [TestCase("strip-oneside-rough")]
    public void Autograd_Forces_And_Virial_Match_Finite_Differences(string variant)
    {
        TorchRuntime.Initialize(threads: 1);
        var water = TrainingFixtures.Water();
        var model = new Dpa1EnergyModel(Tiny(variant));
        MakeTrainer(model, water, 0).InitStatistics();
        var batch = new BatchBuilder(model.Rcut, model.Sel, mixedTypes: true).Build(water, [3]);
        var (_, force, virial) = Evaluate(model, batch);
        double Energy(FrameBatch b)
        {
            using var scope = NewDisposeScope();
            using var ng = no_grad();
            return model.Forward(b).Energy.item<double>();
        }
        FrameBatch With(double[] coords, double[] shift) => new()
        {
            FrameCount = 1, AtomCount = batch.AtomCount, SlotCount = batch.SlotCount, Types = batch.Types, Coords = coords,
            Neighbor = batch.Neighbor, Shift = shift, Mask = batch.Mask,
        };
        foreach (var h in new[] { 1e-4, 1e-5 })
        {
            foreach (var (atom, comp) in new[] { (0, 0), (1, 2), (7, 1), (100, 0), (191, 2) })
            {
                var plus = batch.Coords.ToArray();
                var minus = batch.Coords.ToArray();
                plus[atom * 3 + comp] += h;
                minus[atom * 3 + comp] -= h;
                var fd = -(Energy(With(plus, batch.Shift)) - Energy(With(minus, batch.Shift))) / (2 * h);
                Assert.That(force[atom * 3 + comp], Is.EqualTo(fd).Within(1e-6 + 1e-5 * Math.Abs(fd)), $"force atom {atom} comp {comp}, h {h}");
            }
            // Virial = −∂E/∂ε for x → (1+ε)x applied to coordinates and image shifts.
            for (var a = 0; a < 3; a++)
                for (var c = 0; c < 3; c++)
                {
                    double[] Strain(double e, double[] v)
                    {
                        var o = v.ToArray();
                        for (var k = 0; k < v.Length / 3; k++) o[k * 3 + a] += e * v[k * 3 + c];
                        return o;
                    }
                    var fd = -(Energy(With(Strain(h, batch.Coords), Strain(h, batch.Shift))) - Energy(With(Strain(-h, batch.Coords), Strain(-h, batch.Shift)))) / (2 * h);
                    Assert.That(virial[a * 3 + c], Is.EqualTo(fd).Within(1e-5 + 1e-5 * Math.Abs(fd)), $"virial {a}{c}, h {h}");
                }
        }
    }

    [Test]
    public void A_Few_Steps_Reduce_The_Loss()
    {
        TorchRuntime.Initialize(threads: 1);
        var water = TrainingFixtures.Water();
        var model = new Dpa1EnergyModel(Tiny("se_atten_v2"));
        var trainer = new Trainer(model, new EnergyLoss(), new ExponentialLearningRate(3e-3, 1e-4, 5, 30),
            new TrainingDataSet([water], [1], seed: 3), null, new TrainerOptions { NumbSteps = 30, DispFile = null });
        trainer.InitStatistics();
        var batch = new BatchBuilder(model.Rcut, model.Sel, mixedTypes: true).Build(water, [0, 1, 2, 3]);
        var loss = new EnergyLoss { StartPrefE = 1, LimitPrefE = 1, StartPrefF = 1, LimitPrefF = 1 };
        double Loss()
        {
            using var scope = NewDisposeScope();
            return loss.Compute(model, batch, 1, 1, training: false).Loss.item<double>();
        }
        var before = Loss();
        trainer.Run();
        var after = Loss();
        TestContext.Out.WriteLine($"loss on 4 frames: {before:G6} -> {after:G6}");
        Assert.That(after, Is.LessThan(0.5 * before));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Finetune_Keeps_Or_Freezes_The_Descriptor_And_Refits_The_Bias(bool descriptorTrainable)
    {
        TorchRuntime.Initialize(threads: 1);
        var water = TrainingFixtures.Water();
        var pre = new Dpa1EnergyModel(Tiny("concat"));
        var t0 = MakeTrainer(pre, water, 3);
        t0.InitStatistics();
        t0.Run();
        var dir = TempDir();
        try
        {
            var path = Path.Combine(dir, "pre.dp");
            ModelExporter.Save(pre, path);
            var model = Dpa1Importer.FromModel(ModelLoader.Load(path), path, 5, descriptorTrainable);
            // The imported model is the saved one: same descriptor tensors, same energies.
            var batch = new BatchBuilder(model.Rcut, model.Sel, mixedTypes: true).Build(water, [10, 11]);
            Assert.That(Evaluate(model, batch).E, Is.EqualTo(Evaluate(pre, batch).E).Within(1e-10));
            var descBefore = model.DescriptorParameters(true).Select(p => p.detach().clone()).ToList();
            var fitBefore = model.Fitting.Parameters().Select(p => p.detach().clone()).ToList();

            // Change-by-statistic: least squares of (label − prediction) over the atom counts. Water frames all have
            // 64 O and 128 H, so the refit moves 64·b_O + 128·b_H by the mean residual and leaves no mean residual.
            var shifted = new DeepmdSystem(water.Name, water.Types, water.TypeNames, water.Periodic, water.FrameCount, water.Coords, water.Boxes,
                water.Energies!.Select(e => e + 64 * 1.0 + 128 * 0.5).ToArray(), water.Forces, water.Virials);
            var trainer = MakeTrainer(model, shifted, 5);
            var biasBefore = model.OutBias.ToArray();
            var statFrames = Enumerable.Range(0, model.DataStatNBatch).ToArray();
            var stat = new BatchBuilder(model.Rcut, model.Sel, mixedTypes: true).Build(shifted, statFrames);
            var residualBefore = Evaluate(model, stat).E.Select((e, k) => shifted.Energies![k] - e).Average();
            trainer.ShiftEnergyBias();
            var residual = Evaluate(model, stat).E.Select((e, k) => shifted.Energies![k] - e).Average();
            TestContext.Out.WriteLine($"bias {string.Join(", ", biasBefore)} -> {string.Join(", ", model.OutBias)}; mean residual {residualBefore:G6} -> {residual:E3}");
            Assert.That(Math.Abs(residualBefore), Is.GreaterThan(50), "the shifted labels leave a residual before the refit");
            Assert.That(Math.Abs(residual), Is.LessThan(1e-8), "least squares leaves no mean residual on the statistics frames");
            Assert.That(64 * (model.OutBias[0] - biasBefore[0]) + 128 * (model.OutBias[1] - biasBefore[1]),
                Is.EqualTo(residualBefore).Within(1e-8 * Math.Abs(residualBefore)));

            trainer.Run();
            var descAfter = model.DescriptorParameters(true).ToList();
            var maxChange = descBefore.Zip(descAfter, (a, b) => (a - b).abs().max().item<double>()).Max();
            var fitChange = fitBefore.Zip(model.Fitting.Parameters(), (a, b) => (a - b).abs().max().item<double>()).Max();
            TestContext.Out.WriteLine($"descriptor max change {maxChange:E3}, fitting max change {fitChange:E3}");
            Assert.That(fitChange, Is.GreaterThan(0), "the fitting net is trained");
            if (descriptorTrainable) Assert.That(maxChange, Is.GreaterThan(0), "the descriptor is trained");
            else Assert.That(maxChange, Is.EqualTo(0), "a frozen descriptor is not changed");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    // tebd_dim 4 = 2 × the 2 kept types and 6 = 2 × the 3 original ones: the selected layer's residual differs and
    // is absorbed in its weights; 5: no residual.
    [TestCase("se_atten_v2", 4, false)]
    [TestCase("concat", 6, true)]
    [TestCase("concat-smooth-oneside", 5, false)]
    public void Type_Selection_Keeps_Energies_Of_Kept_Types(string variant, int tebdDim, bool tebdBias)
    {
        TorchRuntime.Initialize(threads: 1);
        var water = TrainingFixtures.Water();
        // A model over [C, O, H] trained on water, then selected to [H, O]: water energies and forces are unchanged.
        var model = new Dpa1EnergyModel(Tiny(variant) with { TypeMap = ["C", "O", "H"], TebdDim = tebdDim, UseTebdBias = tebdBias });
        var onCoh = TrainingDataSet.MapTypes(DeepmdSystemReader.ReadNpy(TrainingFixtures.WaterDir), ["C", "O", "H"]);
        var t = MakeTrainer(model, onCoh, 2);
        t.InitStatistics();
        t.Run();
        var selected = Dpa1Importer.Select(model, ["H", "O"]);
        var onHo = TrainingDataSet.MapTypes(DeepmdSystemReader.ReadNpy(TrainingFixtures.WaterDir), ["H", "O"]);
        var a = Evaluate(model, new BatchBuilder(model.Rcut, model.Sel, true).Build(onCoh, [7]));
        var b = Evaluate(selected, new BatchBuilder(selected.Rcut, selected.Sel, true).Build(onHo, [7]));
        Assert.That(b.E[0], Is.EqualTo(a.E[0]).Within(1e-10 * Math.Abs(a.E[0])));
        for (var k = 0; k < a.F.Length; k++) Assert.That(b.F[k], Is.EqualTo(a.F[k]).Within(1e-10));
        Assert.Throws<UserInputException>(() => Dpa1Importer.Select(model, ["H", "N"]));
    }

    [TestCase("\"attn_heads\": 2", "attn_heads")]
    [TestCase("\"tebd_input_mode\": \"strip\"", "tebd_input_mode")]
    [TestCase("\"attn_mask\": true", "attn_mask")]
    [TestCase("\"tebd_input_mode\": \"sum\"", "tebd_input_mode")]
    public void Bad_Input_Key_Is_A_Clear_Error(string extra, string key)
    {
        var type = key == "tebd_input_mode" && extra.Contains("strip") ? "se_atten_v2" : "se_atten";
        var dir = TempDir();
        try
        {
            var path = Path.Combine(dir, "input.json");
            File.WriteAllText(path, $$$"""
                {"model": {"type_map": ["O", "H"],
                  "descriptor": {"type": "{{{type}}}", "sel": 40, "rcut": 4.0, {{{extra}}}},
                  "fitting_net": {"neuron": [8]}},
                 "learning_rate": {"start_lr": 1e-3},
                 "loss": {},
                 "training": {"training_data": {"systems": ["x"]}, "numb_steps": 1}}
                """);
            var e = Assert.Throws<UserInputException>(() => TrainingInput.Load(path))!;
            TestContext.Out.WriteLine(e.Message);
            Assert.That(e.Message, Does.Contain(key).And.Contain("descriptor"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void Input_Defaults_Follow_DeePMD_Kit()
    {
        var dir = TempDir();
        try
        {
            var path = Path.Combine(dir, "input.json");
            File.WriteAllText(path, """
                {"model": {"type_map": ["O", "H"], "descriptor": {"type": "se_atten", "sel": [20, 20]}, "fitting_net": {}},
                 "learning_rate": {}, "loss": {}, "training": {"training_data": {"systems": ["x"]}, "numb_steps": 1}}
                """);
            var c = TrainingInput.Load(path).Dpa1!;
            // argcheck.py's descrpt_se_atten_args defaults (DeePMD-kit bc902daf).
            Assert.That((c.Nsel, c.Rcut, c.RcutSmooth, c.AxisNeuron, c.TebdDim, c.Attn, c.AttnLayer), Is.EqualTo((40, 6.0, 0.5, 4, 8, 128, 2)));
            Assert.That((c.Strip, c.Smooth, c.SetDavgZero, c.AttnDotr, c.Normalize, c.ConcatOutputTebd, c.TypeOneSide), Is.EqualTo((false, false, true, true, true, true, false)));
            Assert.That(c.Neuron, Is.EqualTo(new[] { 10, 20, 40 }));
            File.WriteAllText(path, File.ReadAllText(path).Replace("se_atten\"", "se_atten_v2\""));
            var v2 = TrainingInput.Load(path).Dpa1!;
            Assert.That((v2.Strip, v2.Smooth, v2.SetDavgZero), Is.EqualTo((true, true, false)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The shipped DPA-1 model written by <c>dpsharp train</c> (potentials/pretrained-dpa1) read by DeePMD-kit's NumPy
    /// backend (tools/deepmd-reference/dpa1_trained_by_dpsharp.py, expected.json): imported into the torch model, it
    /// gives DeePMD-kit's energies and per-atom energies on two water frames, so DeePMD-kit loads our export and our
    /// training model computes DeePMD-kit's function.
    /// </summary>
    [Test]
    public void Torch_Model_Of_A_Trained_File_Matches_DeePMD_Kit()
    {
        TorchRuntime.Initialize(threads: 1);
        var folder = RepoPaths.Get("tests", "reference-cases", "dpa1-trained-by-dpsharp");
        var expected = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "expected.json"))).RootElement;
        var path = RepoPaths.Get("potentials", "pretrained-dpa1", expected.GetProperty("model").GetString()!);
        var model = Dpa1Importer.FromModel(ModelLoader.Load(path), path, 1, true);
        var water = TrainingDataSet.MapTypes(DeepmdSystemReader.ReadNpy(TrainingFixtures.WaterDir), model.TypeMap);
        foreach (var frame in expected.GetProperty("frames").EnumerateArray())
        {
            var f = frame.GetProperty("frame").GetInt32();
            var batch = new BatchBuilder(model.Rcut, model.Sel, true).Build(water, [f]);
            double e;
            double[] atom;
            using (NewDisposeScope())
            {
                var o = model.Forward(batch);
                e = o.Energy.item<double>();
                atom = o.AtomEnergy.detach().data<double>().ToArray();
            }
            var refE = frame.GetProperty("energy").GetDouble();
            TestContext.Out.WriteLine($"frame {f}: torch {e:R}, DeePMD-kit {refE:R}");
            Assert.That(e, Is.EqualTo(refE).Within(1e-10 * Math.Abs(refE)));
            var refAtom = frame.GetProperty("atom_energy").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            for (var i = 0; i < atom.Length; i++) Assert.That(atom[i], Is.EqualTo(refAtom[i]).Within(1e-10), $"atom {i}");
        }
    }
}
