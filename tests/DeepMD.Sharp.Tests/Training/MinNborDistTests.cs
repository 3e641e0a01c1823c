namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;
using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Data;
using DeepMD.Sharp.Training.Model;
using DeepMD.Sharp.Training.Optimization;

/// <summary>
/// Training records the smallest neighbor distance of its data (DeePMD-kit's <c>min_nbor_dist</c>) in the exported
/// model, so compression of a trained model needs no --min-nbor-dist.
/// </summary>
public class MinNborDistTests
{
    [Test]
    public void Trained_Model_Stores_The_Smallest_Neighbor_Distance_And_Compresses_Without_A_Flag()
    {
        TorchRuntime.Initialize(threads: 1);
        var system = TrainingFixtures.Water();
        // Brute force over all pairs with the minimum image (the water box is cubic and wider than 2 × 4 Å).
        var n = system.AtomCount;
        var expected = double.PositiveInfinity;
        for (var f = 0; f < system.FrameCount; f++)
        {
            var l = system.Boxes![f * 9];
            for (var i = 0; i < n; i++)
                for (var j = i + 1; j < n; j++)
                {
                    double d2 = 0;
                    for (var c = 0; c < 3; c++)
                    {
                        var d = system.Coords[(f * n + j) * 3 + c] - system.Coords[(f * n + i) * 3 + c];
                        d -= l * Math.Round(d / l);
                        d2 += d * d;
                    }
                    expected = Math.Min(expected, d2);
                }
        }
        expected = Math.Sqrt(expected);
        Assert.That(Trainer.MinNeighborDistance([system], 4.0), Is.EqualTo(expected).Within(1e-12));

        var model = new SeAEnergyModel(TrainingFixtures.TinyConfig(true));
        var trainer = new Trainer(model, new EnergyLoss(), new ExponentialLearningRate(1e-3, 1e-5, 1, 1),
            new TrainingDataSet([system], [1], 3), null, new TrainerOptions { NumbSteps = 1, DispFile = null });
        trainer.InitStatistics();
        trainer.Run();
        Assert.That(model.MinNborDist, Is.EqualTo(expected).Within(1e-12));

        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "model.dp");
        ModelExporter.Save(model, path);
        var compressed = Path.Combine(dir, "model-compressed.dp");
        var tree = ModelFile.Load(path);
        Assert.DoesNotThrow(() => ModelCompressor.Compress(tree, path, new ModelCompressor.Settings()));
        ModelFile.Save(compressed, tree);
        Assert.That(ModelLoader.Load(compressed).Descriptor, Is.InstanceOf<DeepMD.Sharp.Models.Descriptors.SeE2ASpec>()
            .With.Property("IsCompressed").True);
    }
}
