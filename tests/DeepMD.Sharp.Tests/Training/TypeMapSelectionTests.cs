namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Training;
using DeepMD.Sharp.Training.Model;

/// <summary>
/// Fine-tuning onto a new type map: the selected/reordered model, exported and evaluated by the reference inference
/// engine, must give the original model's energies and forces on structures made of the kept types.
/// </summary>
public class TypeMapSelectionTests
{
    private static readonly string[] FullMap = ["C", "H", "N", "O"];

    // An 8-atom C/H/O molecule-like cluster (Å), no periodic box; names by index.
    private static readonly (string Name, double X, double Y, double Z)[] Cluster =
    [
        ("C", 0.00, 0.00, 0.00), ("C", 1.40, 0.10, -0.05), ("O", 2.10, 1.20, 0.10), ("H", -0.55, -0.95, 0.05),
        ("H", -0.60, 0.90, 0.10), ("C", 2.05, -1.25, -0.20), ("O", 3.30, -1.35, 0.15), ("H", 1.50, -2.15, -0.40),
    ];

    [TestCase(true)]
    [TestCase(false)]
    public void Dropping_And_Reordering_Types_Keeps_Energies_With_Zero_Davg(bool typeOneSide)
    {
        var original = RandomModel(typeOneSide, davg: 0.0);
        var selected = TypeMapSelection.Select(original, ["O", "C", "H"]);
        Assert.That(TypeMapSelection.PaddingResidual(original, ["O", "C", "H"]), Is.EqualTo(0.0));
        Assert.That(selected.Config.Sel, Is.EqualTo(new[] { 12, 10, 14 }));
        var (e0, f0) = Evaluate(original);
        var (e1, f1) = Evaluate(selected);
        Assert.That(e1, Is.EqualTo(e0).Within(1e-10 * Math.Abs(e0)), "energy");
        Assert.That(MaxDiff(f0, f1), Is.LessThan(1e-10), "forces");
    }

    [Test]
    public void Reordering_Alone_Keeps_Energies_Even_With_Nonzero_Davg()
    {
        var original = RandomModel(typeOneSide: false, davg: 0.3);
        var selected = TypeMapSelection.Select(original, ["O", "N", "H", "C"]);
        Assert.That(TypeMapSelection.PaddingResidual(original, ["O", "N", "H", "C"]), Is.EqualTo(0.0));
        var (e0, f0) = Evaluate(original);
        var (e1, f1) = Evaluate(selected);
        Assert.That(e1, Is.EqualTo(e0).Within(1e-10 * Math.Abs(e0)), "energy");
        Assert.That(MaxDiff(f0, f1), Is.LessThan(1e-10), "forces");
    }

    [Test]
    public void Dropping_A_Type_With_Nonzero_Davg_Is_Reported_And_Changes_The_Energy()
    {
        var original = RandomModel(typeOneSide: true, davg: 0.3);
        Assert.That(TypeMapSelection.PaddingResidual(original, ["C", "H", "O"]), Is.GreaterThan(0.1));
        var (e0, _) = Evaluate(original);
        var (e1, _) = Evaluate(TypeMapSelection.Select(original, ["C", "H", "O"]));
        Assert.That(Math.Abs(e1 - e0), Is.GreaterThan(1e-6), "the N blocks' padding contributed before the selection");
    }

    [Test]
    public void Unknown_Or_Repeated_Type_Is_An_Error()
    {
        var original = RandomModel(typeOneSide: true, davg: 0.0);
        var ex = Assert.Throws<UserInputException>(() => TypeMapSelection.Select(original, ["C", "Si"]));
        Assert.That(ex!.Message, Does.Contain("'Si'"));
        Assert.Throws<UserInputException>(() => TypeMapSelection.Select(original, ["C", "C"]));
    }

    private static SeAEnergyModel RandomModel(bool typeOneSide, double davg)
    {
        TorchRuntime.Initialize(threads: 1);
        var config = new SeAModelConfig
        {
            TypeMap = FullMap, Rcut = 4.0, RcutSmooth = 0.5, Sel = [10, 14, 6, 12], Neuron = [4, 8], AxisNeuron = 3,
            TypeOneSide = typeOneSide, DescriptorResnetDt = true, FittingNeuron = [8, 8], FittingResnetDt = true,
            Seed = 11, SetDavgZero = davg == 0,
        };
        var model = new SeAEnergyModel(config);
        var rng = new Random(5);
        var n = config.SlotCount;
        var avg = new double[model.Davg.Length];
        var std = new double[model.Dstd.Length];
        for (var t = 0; t < config.TypeCount; t++)
            for (var s = 0; s < n; s++)
            {
                var k = (t * n + s) * 4;
                avg[k] = davg * (1 + 0.1 * t);
                std[k] = 0.5 + rng.NextDouble();
                std[k + 1] = std[k + 2] = std[k + 3] = 0.3 + rng.NextDouble();
            }
        model.Davg = avg;
        model.Dstd = std;
        model.OutBias = [-2.5, -0.4, -3.1, -4.7];
        return model;
    }

    private static (double Energy, double[] Forces) Evaluate(SeAEnergyModel model)
    {
        var dir = Path.Combine(Path.GetTempPath(), "dpsharp-typemap-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "model.dp");
            ModelExporter.Save(model, path);
            var loaded = ModelLoader.Load(path);
            var types = Cluster.Select(a => loaded.TypeMap.Names.ToList().IndexOf(a.Name)).ToArray();
            Assert.That(types, Is.All.GreaterThanOrEqualTo(0));
            var r = ReferenceEvaluator.Evaluate(loaded, Cluster.Select(a => a.X).ToArray(), Cluster.Select(a => a.Y).ToArray(),
                Cluster.Select(a => a.Z).ToArray(), types, null);
            return (r.Energy, r.Forces.ToArray());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static double MaxDiff(double[] a, double[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
}
