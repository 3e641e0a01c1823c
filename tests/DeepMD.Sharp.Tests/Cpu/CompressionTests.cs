namespace DeepMD.Sharp.Tests.Cpu;

using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>Model compression (tabulated embedding nets): accuracy, file round trip, and the CPU backend on tables.</summary>
public class CompressionTests
{
    private static (DeepPotModel Plain, DeepPotModel Compressed, string File) CompressWater(string dir)
    {
        var src = RepoPaths.TestModel("water-example-float32.dp");
        var tree = ModelFile.Load(src);
        var compressed = ModelCompressor.Compress(tree, src, new ModelCompressor.Settings { MinNeighborDistance = 0.8 });
        var path = Path.Combine(dir, "compressed.dp");
        ModelFile.Save(path, tree);
        return (ModelLoader.Load(src), compressed, path);
    }

    [Test]
    public void TableMatchesTheNetWithinTheGrid()
    {
        var model = RandomModels.Create(41, "se_e2_a", ["O", "H"], false, sel: [30, 30], uniformStats: true);
        var d = (SeE2ASpec)model.Descriptor;
        var tables = TableBuilder.Build(d, 0.9);
        var table = tables[1]!;
        var rng = new Random(1);
        var g = new double[d.EmbeddingWidth];
        var gp = new double[d.EmbeddingWidth];
        var h = new double[d.EmbeddingWidth];
        var hp = new double[d.EmbeddingWidth];
        for (var k = 0; k < 2000; k++)
        {
            var s = table.Lower + rng.NextDouble() * (table.TableMax - table.Lower);
            table.Evaluate(s, g, gp);
            d.Embeddings[1]!.EvaluateScalar(s, h, hp);
            Assert.That(g, Is.EqualTo(h).Within(1e-9), $"G at s = {s}");
            Assert.That(gp, Is.EqualTo(hp).Within(1e-7), $"G' at s = {s}");
        }
    }

    [Test]
    public void CompressedResultsDoNotDependOnThreadsOrBatchOrder()
    {
        // The compressed kernels visit each batch's slots in table-interval order; a center's sums must still not
        // depend on which centers share its batch, nor on the thread count.
        var dir = RepoPaths.TempDir();
        try
        {
            var (_, compressed, _) = CompressWater(dir);
            var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]).Replicate(2, 1, 1);
            var t = s.TypesFor(compressed.TypeMap);
            var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, compressed.Cutoff);
            foreach (var cpu in new IModelEvaluator[] { new CpuSeAEvaluator<double>(compressed), new CpuSeAEvaluator<float>(compressed) })
            {
                var one = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 1 });
                var many = cpu.Evaluate(t, nl, new EvaluationOptions { Threads = 3 });
                var saved = nl.SpatialOrder;
                nl.SpatialOrder = Enumerable.Range(0, t.Length).Reverse().ToArray();
                var reversed = cpu.Evaluate(t, nl, new EvaluationOptions());
                nl.SpatialOrder = saved;
                foreach (var other in new[] { many, reversed })
                {
                    Assert.That(other.AtomEnergy, Is.EqualTo(one.AtomEnergy), cpu.Name);
                    Assert.That(other.Forces, Is.EqualTo(one.Forces), cpu.Name);
                    Assert.That(other.Virial, Is.EqualTo(one.Virial), cpu.Name);
                }
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void CompressedWaterModelStaysWithinTolerance()
    {
        var dir = RepoPaths.TempDir();
        try
        {
            var (plain, compressed, file) = CompressWater(dir);
            var reread = ModelLoader.Load(file);
            Assert.That(((SeE2ASpec)reread.Descriptor).IsCompressed);
            var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
            var t = s.TypesFor(plain.TypeMap);
            var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, plain.Cutoff);
            var a = ReferenceEvaluator.Evaluate(plain, t, nl);
            var b = ReferenceEvaluator.Evaluate(reread, t, nl);
            Assert.That(Math.Abs(a.Energy - b.Energy) / s.Count, Is.LessThan(1e-6), "eV/atom");
            Assert.That(a.Forces, Is.EqualTo(b.Forces).Within(1e-5), "eV/Å");
            // Compression changed something: the file holds a table per embedding net, and the tables (an
            // approximation of the nets) give forces that differ from the nets' by a nonzero, small amount.
            var tables = ((SeE2ASpec)reread.Descriptor).Tables!;
            Assert.That(tables, Has.Length.GreaterThan(0).And.All.Not.Null, "one table per embedding net");
            Assert.That(MaxDiff(a.Forces, b.Forces), Is.GreaterThan(0), "the reference evaluated the tables, not the nets");
            // The CPU backend evaluates the same tables.
            var cpu = new CpuSeAEvaluator<double>(reread).Evaluate(t, nl, new EvaluationOptions());
            var cpuPlain = new CpuSeAEvaluator<double>(plain).Evaluate(t, nl, new EvaluationOptions());
            Assert.That(MaxDiff(cpu.Forces, cpuPlain.Forces), Is.GreaterThan(0).And.LessThan(1e-5), "the CPU backend evaluated the tables, not the nets");
            Assert.That(cpu.Energy, Is.EqualTo(b.Energy).Within(1e-10 * Math.Abs(b.Energy)));
            Assert.That(cpu.Forces, Is.EqualTo(b.Forces).Within(1e-10));
            Assert.That(cpu.Virial, Is.EqualTo(b.Virial).Within(1e-8));
            var f32 = new CpuSeAEvaluator<float>(reread).Evaluate(t, nl, new EvaluationOptions());
            Assert.That(f32.Energy, Is.EqualTo(b.Energy).Within(1e-6 * Math.Abs(b.Energy)));
            Assert.That(f32.Forces, Is.EqualTo(b.Forces).Within(1e-4));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void CompressedSeRModelStaysWithinToleranceOnEveryCpuPath()
    {
        var dir = RepoPaths.TempDir();
        try
        {
            var src = RepoPaths.TestModel("deeppot-r.yaml");
            var tree = ModelFile.Load(src);
            ModelCompressor.Compress(tree, src, new ModelCompressor.Settings { MinNeighborDistance = 0.8 });
            var file = Path.Combine(dir, "r-compressed.dp");
            ModelFile.Save(file, tree);
            var plain = ModelLoader.Load(src);
            var reread = ModelLoader.Load(file);
            Assert.That(reread.Descriptor, Is.InstanceOf<SeE2RSpec>().With.Property("IsCompressed").True);
            var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
            var t = s.TypesFor(plain.TypeMap);
            var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, plain.Cutoff);
            var a = ReferenceEvaluator.Evaluate(plain, t, nl);
            var b = ReferenceEvaluator.Evaluate(reread, t, nl);
            var de = Math.Abs(a.Energy - b.Energy) / s.Count;
            var df = a.Forces.Zip(b.Forces, (p, q) => Math.Abs(p - q)).Max();
            TestContext.Out.WriteLine($"se_e2_r compressed vs plain: |ΔE|/atom {de:E2} eV, max |ΔF| {df:E2} eV/Å");
            Assert.That(df, Is.GreaterThan(0), "the tables are an approximation, not the nets");
            Assert.That(de, Is.LessThan(1e-6), "eV/atom");
            Assert.That(df, Is.LessThan(1e-5), "eV/Å");
            var cpu = new CpuSeREvaluator<double>(reread);
            Assert.That(cpu.Name, Is.EqualTo("cpu-f64-compressed"));
            var c64 = cpu.Evaluate(t, nl, new EvaluationOptions());
            Assert.That(c64.Energy, Is.EqualTo(b.Energy).Within(1e-10 * Math.Abs(b.Energy)));
            Assert.That(c64.Forces, Is.EqualTo(b.Forces).Within(1e-10));
            Assert.That(c64.Virial, Is.EqualTo(b.Virial).Within(1e-8));
            var c32 = new CpuSeREvaluator<float>(reread).Evaluate(t, nl, new EvaluationOptions());
            Assert.That(c32.Energy, Is.EqualTo(b.Energy).Within(1e-6 * Math.Abs(b.Energy)));
            Assert.That(c32.Forces, Is.EqualTo(b.Forces).Within(1e-4));

            // The evaluators read the tables, not the nets: shifting every table's constant term moves the energy.
            var shifted = ModelFile.Load(file);
            var compress = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)shifted["model"]!)["descriptor"]!)["compress"]!;
            foreach (var table in (List<object?>)((Dictionary<string, object?>)compress["@variables"]!)["compress_data"]!)
                for (var k = 0; k < ((NdArray)table!).Length; k += 6) ((NdArray)table).Data[k] += 0.01;
            var moved = ModelReader.FromTree(shifted, file);
            var e1 = ReferenceEvaluator.Evaluate(moved, t, nl).Energy;
            var e2 = new CpuSeREvaluator<double>(moved).Evaluate(t, nl, new EvaluationOptions()).Energy;
            Assert.That(Math.Abs(e1 - b.Energy), Is.GreaterThan(1e-3), "reference on shifted tables");
            Assert.That(e2, Is.EqualTo(e1).Within(1e-10 * Math.Abs(e1)), "cpu on shifted tables");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void CompressedRandomModelOnTriclinicCellMatchesAcrossBackends()
    {
        var model = RandomModels.Create(42, "se_e2_a", ["O", "H", "C"], false, [(0, 2)], sel: [40, 40, 40], uniformStats: true);
        var compressed = model.WithDescriptor(((SeE2ASpec)model.Descriptor).WithTables(TableBuilder.Build((SeE2ASpec)model.Descriptor, 0.85)));
        var rng = new Random(8);
        var box = RandomStructures.TriclinicBox(rng, 6, 7, 0.3);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 17, 3, 0.9);
        var nl = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var reference = ReferenceEvaluator.Evaluate(compressed, t, nl);
        var plain = ReferenceEvaluator.Evaluate(model, t, nl);
        Assert.That(reference.Energy, Is.EqualTo(plain.Energy).Within(1e-6 * x.Length));
        Assert.That(((SeE2ASpec)compressed.Descriptor).Tables, Has.Some.Not.Null, "tables were built");
        Assert.That(MaxDiff(reference.Forces, plain.Forces), Is.GreaterThan(0).And.LessThan(1e-5), "the reference evaluated the tables, not the nets");
        var cpu = new CpuSeAEvaluator<double>(compressed).Evaluate(t, nl, new EvaluationOptions());
        var cpuPlain = new CpuSeAEvaluator<double>(model).Evaluate(t, nl, new EvaluationOptions());
        Assert.That(MaxDiff(cpu.Forces, cpuPlain.Forces), Is.GreaterThan(0).And.LessThan(1e-5), "the CPU backend evaluated the tables, not the nets");
        Assert.That(cpu.Energy, Is.EqualTo(reference.Energy).Within(1e-10 * Math.Max(1, Math.Abs(reference.Energy))));
        Assert.That(cpu.Forces, Is.EqualTo(reference.Forces).Within(1e-10));
    }

    private static double MaxDiff(double[] a, double[] b) => a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
}
