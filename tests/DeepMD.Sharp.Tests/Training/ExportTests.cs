namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;
using TorchSharp;

public class ExportTests
{
    [TestCase(true, "se_e2_a")]
    [TestCase(false, "se_e2_a")]
    [TestCase(true, "se_e2_r")]
    [TestCase(false, "se_e2_r")]
    public void Trained_And_Exported_Model_Matches_Reference_Evaluator(bool typeOneSide, string descriptor)
    {
        TorchRuntime.Initialize(threads: 1);
        var system = TrainingFixtures.Water();
        var model = new SeAEnergyModel(TrainingFixtures.TinyConfig(typeOneSide) with { DescriptorType = descriptor });
        var data = new TrainingDataSet([system], [1], seed: 3);
        var options = new TrainerOptions { NumbSteps = 3, DispFreq = 1, DispFile = null };
        var trainer = new Trainer(model, new EnergyLoss(), new ExponentialLearningRate(1e-3, 1e-5, 1, 3), data, null, options);
        trainer.InitStatistics();
        trainer.Run();

        var dir = Path.Combine(Path.GetTempPath(), "dpsharp-export-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "model.dp");
            ModelExporter.Save(model, path);
            var loaded = ModelLoader.Load(path);
            Assert.That(loaded.Descriptor.TypeName, Is.EqualTo(descriptor == "se_e2_r" ? "se_r" : "se_e2_a"));

            var frames = new[] { 5, 41 };
            var batch = new BatchBuilder(model.Config.Rcut, model.Config.Sel).Build(system, frames);
            double[] energy, force;
            using (torch.NewDisposeScope())
            {
                var o = model.Forward(batch);
                energy = o.Energy.detach().data<double>().ToArray();
                force = SeAEnergyModel.Forces(o, false).detach().contiguous().data<double>().ToArray();
            }
            var n = system.AtomCount;
            for (var b = 0; b < frames.Length; b++)
            {
                var f = frames[b];
                var x = Enumerable.Range(0, n).Select(i => system.Coords[(f * n + i) * 3]).ToArray();
                var y = Enumerable.Range(0, n).Select(i => system.Coords[(f * n + i) * 3 + 1]).ToArray();
                var z = Enumerable.Range(0, n).Select(i => system.Coords[(f * n + i) * 3 + 2]).ToArray();
                var r = ReferenceEvaluator.Evaluate(loaded, x, y, z, system.Types, new Box(system.Boxes.AsSpan(f * 9, 9)));
                Assert.That(r.Energy, Is.EqualTo(energy[b]).Within(1e-10 * Math.Max(1, Math.Abs(energy[b]))), "energy");
                var maxDiff = 0.0;
                for (var k = 0; k < 3 * n; k++) maxDiff = Math.Max(maxDiff, Math.Abs(r.Forces[k] - force[b * 3 * n + k]));
                Assert.That(maxDiff, Is.LessThan(1e-10), "forces");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
