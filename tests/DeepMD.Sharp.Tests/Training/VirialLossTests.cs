namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;
using TorchSharp;

/// <summary>
/// The virial term of the ener loss on data with virial labels: labels made by a teacher model through the inference
/// engine (DeePMD-kit's virial convention) give zero virial error for the teacher in training, and training a student
/// on the virial alone lowers its virial error.
/// </summary>
public class VirialLossTests
{
    [Test]
    public void Virial_Labels_From_The_Inference_Engine_Agree_With_Training_And_Can_Be_Fitted()
    {
        TorchRuntime.Initialize(threads: 1);
        var water = TrainingFixtures.Water();
        var frames = 6;
        var teacher = new SeAEnergyModel(TrainingFixtures.TinyConfig(typeOneSide: true));
        new Trainer(teacher, new EnergyLoss(), new ExponentialLearningRate(1e-3, 1e-5, 1, 1),
            new TrainingDataSet([water], [1], 1), null, new TrainerOptions { NumbSteps = 0, DispFile = null }).InitStatistics();
        var labelled = Label(teacher, water, frames);
        Assert.That(labelled.Virials!.Select(Math.Abs).Max(), Is.GreaterThan(1e-3), "non-trivial virial labels");

        var batch = new BatchBuilder(teacher.Config.Rcut, teacher.Config.Sel).Build(labelled, Enumerable.Range(0, frames).ToArray());
        var vOnly = new EnergyLoss { StartPrefE = 0, LimitPrefE = 0, StartPrefF = 0, LimitPrefF = 0, StartPrefV = 1, LimitPrefV = 1 };
        using (torch.NewDisposeScope())
            Assert.That(vOnly.Compute(teacher, batch, 1e-3, 1e-3, training: false).RmseV, Is.LessThan(1e-10), "training and inference virials agree");

        var student = new SeAEnergyModel(TrainingFixtures.TinyConfig(typeOneSide: true) with { Seed = 123 });
        var data = new TrainingDataSet([labelled], [2], 5);
        var trainer = new Trainer(student, vOnly, new ExponentialLearningRate(3e-3, 1e-4, 10, 60), data, null,
            new TrainerOptions { NumbSteps = 60, DispFile = null });
        trainer.InitStatistics();
        double before, after;
        using (torch.NewDisposeScope()) before = vOnly.Compute(student, batch, 1e-3, 1e-3, training: false).RmseV;
        trainer.Run();
        using (torch.NewDisposeScope()) after = vOnly.Compute(student, batch, 1e-3, 1e-3, training: false).RmseV;
        Assert.That(after, Is.LessThan(0.5 * before), $"virial RMSE/atom {before:G3} -> {after:G3}");
    }

    /// <summary>The first <paramref name="frames"/> frames with energies, forces and virials of <paramref name="model"/>.</summary>
    private static DeepmdSystem Label(SeAEnergyModel model, DeepmdSystem s, int frames)
    {
        var dir = Path.Combine(Path.GetTempPath(), "dpsharp-virial-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "teacher.dp");
            ModelExporter.Save(model, path);
            var m = ModelLoader.Load(path);
            var n = s.AtomCount;
            var e = new double[frames];
            var f = new double[frames * n * 3];
            var v = new double[frames * 9];
            for (var k = 0; k < frames; k++)
            {
                var x = Enumerable.Range(0, n).Select(i => s.Coords[(k * n + i) * 3]).ToArray();
                var y = Enumerable.Range(0, n).Select(i => s.Coords[(k * n + i) * 3 + 1]).ToArray();
                var z = Enumerable.Range(0, n).Select(i => s.Coords[(k * n + i) * 3 + 2]).ToArray();
                var r = ReferenceEvaluator.Evaluate(m, x, y, z, s.Types, new Box(s.Boxes.AsSpan(k * 9, 9)));
                e[k] = r.Energy;
                r.Forces.AsSpan(0, 3 * n).CopyTo(f.AsSpan(k * n * 3));
                r.Virial.AsSpan(0, 9).CopyTo(v.AsSpan(k * 9));
            }
            return new DeepmdSystem("labelled", s.Types, s.TypeNames, true, frames, s.Coords[..(frames * n * 3)],
                s.Boxes![..(frames * 9)], e, f, v);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
