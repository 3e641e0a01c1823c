namespace DeepMD.Sharp.Tests.Training;

using System.Globalization;
using DeepMD.Sharp.Cli.Commands;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

public class ModelDeviTests
{
    [Test]
    public void Deviation_Follows_DeePMD_Definitions()
    {
        // Two models, two atoms: forces differ by ±(1,0,0) on atom 0 only; energies 2 and 4; virial xx 2 and 6.
        var a = new EvaluationResult(2) { Energy = 2 };
        var b = new EvaluationResult(2) { Energy = 4 };
        a.Forces[0] = 1;
        b.Forces[0] = -1;
        a.Virial[0] = 2;
        b.Virial[0] = 6;
        var d = ModelDeviCommand.Deviation([a, b], 2);
        // force std of atom 0 = 1, atom 1 = 0; virial/atom xx: 1 and 3 -> std 1; energy/atom 1 and 2 -> std 0.5
        Assert.That(d, Is.EqualTo(new[] { 1.0, 0.0, 1.0 / 3, 1.0, 0.0, 0.5, 0.5 }).Within(1e-14));
    }

    [Test]
    public void Identical_Models_Have_Zero_Deviation()
    {
        var tmp = RepoPaths.TempDir();
        try
        {
            var output = Path.Combine(tmp, "md.out");
            var model = RepoPaths.TestModel("deeppot_sea.yaml");
            var o = new StringWriter();
            var e = new StringWriter();
            var code = CommandLine.Run(["model-devi", "-m", model, model, "-s", TrainingFixtures.WaterDir, "-o", output], o, e);
            Assert.That(code, Is.EqualTo(0), e.ToString());
            var lines = File.ReadAllLines(output);
            Assert.That(lines, Has.Length.EqualTo(82));
            Assert.That(lines[0], Is.EqualTo("# " + TrainingFixtures.WaterDir));
            // dp model-devi's header: np.savetxt(header=f"{system}\n{'step':10s}" + names in {:19s}).
            Assert.That(lines[1], Is.EqualTo("# step      max_devi_v         min_devi_v         avg_devi_v         max_devi_f         min_devi_f         avg_devi_f         devi_e             "));
            Assert.That(lines[2], Has.Length.EqualTo(12 + 7 * 19), "%12d then 7 × %19.6e");
            Assert.That(lines[3].Substring(0, 12), Is.EqualTo("           1"));
            Assert.That(lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(double.Parse), Is.All.EqualTo(0.0));
        }
        finally
        {
            Directory.Delete(tmp, true);
        }
    }

    /// <summary>
    /// Two different models (se_e2_a and se_e2_r): the first frame's row of <c>dpsharp model-devi</c> against the
    /// deviations computed here by hand from two reference evaluations (DeePMD-kit's definitions: per-atom force
    /// deviation sqrt(mean_m |F_m - F̄|²), its max/min/mean over atoms; std of E/N; std of each V/N component, max,
    /// min and root mean square over the nine).
    /// </summary>
    [Test]
    public void Different_Models_Match_A_Hand_Computation_From_Reference_Evaluations()
    {
        var tmp = RepoPaths.TempDir();
        try
        {
            var paths = new[] { RepoPaths.TestModel("deeppot_sea.yaml"), RepoPaths.TestModel("deeppot-r.yaml") };
            var output = Path.Combine(tmp, "md.out");
            var e = new StringWriter();
            Assert.That(CommandLine.Run(["model-devi", "-m", paths[0], paths[1], "-s", TrainingFixtures.WaterDir, "-o", output], new StringWriter(), e), Is.EqualTo(0), e.ToString());
            var got = File.ReadAllLines(output)[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

            var water = TrainingFixtures.Water();
            var n = water.AtomCount;
            double[] Coord(int c) => Enumerable.Range(0, n).Select(i => water.Coords[i * 3 + c]).ToArray();
            var box = new Box(water.Boxes!.AsSpan(0, 9));
            var results = paths.Select(ModelLoader.Load).Select(m => ReferenceEvaluator.Evaluate(m, water.Types,
                CellListNeighborSearch.Build(Coord(0), Coord(1), Coord(2), box, m.Cutoff))).ToArray();
            var perAtom = new double[n];
            for (var i = 0; i < n; i++)
            {
                double sum = 0;
                for (var c = 0; c < 3; c++)
                {
                    var mean = (results[0].Forces[i * 3 + c] + results[1].Forces[i * 3 + c]) / 2;
                    sum += (Math.Pow(results[0].Forces[i * 3 + c] - mean, 2) + Math.Pow(results[1].Forces[i * 3 + c] - mean, 2)) / 2;
                }
                perAtom[i] = Math.Sqrt(sum);
            }
            var virialStd = Enumerable.Range(0, 9).Select(k => Math.Abs(results[0].Virial[k] - results[1].Virial[k]) / n / 2).ToArray();
            var expected = new[]
            {
                virialStd.Max(), virialStd.Min(), Math.Sqrt(virialStd.Select(v => v * v).Average()),
                perAtom.Max(), perAtom.Min(), perAtom.Average(),
                Math.Abs(results[0].Energy - results[1].Energy) / n / 2,
            };
            TestContext.Out.WriteLine($"model-devi {string.Join(" ", got)}\nby hand   {string.Join(" ", expected)}");
            Assert.That(expected[3], Is.GreaterThan(1e-3), "the two models disagree");
            for (var q = 0; q < 7; q++)
                Assert.That(got[q], Is.EqualTo(expected[q]).Within(1e-6 * Math.Abs(expected[q]) + 1e-12), $"column {q + 1} (printed to 7 digits)");
        }
        finally
        {
            Directory.Delete(tmp, true);
        }
    }
}
