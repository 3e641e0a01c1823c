namespace DeepMD.Sharp.Tests.Electrolytes;

using DeepMD.Sharp.Electrolytes;
using DeepMD.Sharp.Models.Potentials;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The screening pipeline in a tiny quick mode (a random-weight model, tens of atoms, tens of steps): it runs
/// end to end, and an interrupted screening resumes without redoing finished compositions.
/// </summary>
public class ScreeningTests
{
    private static readonly ScreeningSettings Tiny = ScreeningSettings.Quick with
    {
        MinimizeIterations = 5, NptSteps = 20, NvtSteps = 40, SampleEvery = 2, RdfMax = 4, RdfBins = 40, PackingTolerance = 1.6,
    };

    private static ElectrolyteScreening Make(string dir)
    {
        var model = PipelineCheckModel.Create(3);
        return new ElectrolyteScreening(dir, Tiny, () => new DeepPotential(model, PipelineCheckModel.TypeMap), PipelineCheckModel.TypeMap, "pipeline-check model seed 3");
    }

    private static readonly ElectrolyteComposition[] Compositions =
    [
        new("LiBF4", [("DMC", 1)], SolventRatio.Weight, 2.0, 1, 0.8),
        new("LiBF4", [("DMC", 1)], SolventRatio.Weight, 2.5, 1, 0.8),
    ];

    [Test]
    public void QuickScreeningRunsAndResumesWithoutRedoingFinishedCompositions()
    {
        ElectrolyteBuilderTests.NeedPackmol();
        var dir = RepoPaths.TempDir();
        try
        {
            // First run: interrupted (cancelled) half way through the second composition's NVT run.
            var first = Make(dir);
            using var cancel = new CancellationTokenSource();
            var stages = new List<string>();
            first.Progress = p =>
            {
                stages.Add($"{p.Index} {p.Stage}");
                if (p.Index == 1 && p.Stage == "NVT" && p.Step >= p.Steps / 2) cancel.Cancel();
            };
            Assert.Throws<OperationCanceledException>(() => first.Run(Compositions, cancel.Token));
            Assert.That(first.Simulated, Is.EqualTo(new[] { Compositions[0].Key }));
            Assert.That(stages, Does.Contain("0 done").And.Contain("1 NPT").And.Not.Contain("1 done"), "interrupted during the second composition");
            var state = File.ReadAllText(Path.Combine(dir, "state.json"));
            Assert.That(state, Does.Contain(Compositions[0].Key).And.Not.Contain(Compositions[1].Key));
            var firstResult = File.ReadAllText(Path.Combine(dir, "results", Compositions[0].Key + ".json"));
            Assert.That(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no temporary file left behind");

            // Rerun: the finished composition is read back, only the second is simulated.
            var second = Make(dir);
            var results = second.Run(Compositions);
            Assert.That(second.Simulated, Is.EqualTo(new[] { Compositions[1].Key }));
            Assert.That(results, Has.Count.EqualTo(2));
            Assert.That(File.ReadAllText(Path.Combine(dir, "results", Compositions[0].Key + ".json")), Is.EqualTo(firstResult));
            foreach (var r in results)
            {
                Assert.That(r.Atoms, Is.EqualTo(1 + 5 + 12 * r.Molecules["DMC"]));
                Assert.That(r.Density, Is.GreaterThan(0.3).And.LessThan(2));
                Assert.That(double.IsFinite(r.DLi.Value) && double.IsFinite(r.SigmaEinstein.Value) && double.IsFinite(r.Haven));
                Assert.That(r.Rdf.Keys, Is.SupersetOf(new[] { "Li-O(solvent)", "Li-F(anion)" }));
                Assert.That(r.Msd["Li+"].Y[0], Is.EqualTo(0));
            }
            var csv = File.ReadAllLines(Path.Combine(dir, "results.csv"));
            Assert.That(csv, Has.Length.EqualTo(3));
            Assert.That(File.ReadAllText(Path.Combine(dir, "results.md")), Does.Contain("LiBF4 2.50M"));

            // A third run simulates nothing; other settings in the same folder are refused.
            var third = Make(dir);
            Assert.That(third.Run(Compositions), Has.Count.EqualTo(2));
            Assert.That(third.Simulated, Is.Empty);
            var other = new ElectrolyteScreening(dir, Tiny with { Temperature = 350 }, () => throw new InvalidOperationException(), PipelineCheckModel.TypeMap, "pipeline-check model seed 3");
            Assert.That(() => other.Run(Compositions), Throws.TypeOf<DeepMD.Sharp.Core.Errors.UserInputException>().With.Message.Contains("other settings"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void MixedSolventsGetTheirOwnDiffusionAndShellCountsThatAddUpToTheWhole()
    {
        ElectrolyteBuilderTests.NeedPackmol();
        var dir = RepoPaths.TempDir();
        try
        {
            var screening = Make(dir);
            var composition = new ElectrolyteComposition("LiBF4", [("EC", 1), ("DMC", 1)], SolventRatio.Mole, 2.0, 1, 0.8);
            var r = screening.Screen(composition);
            Assert.That(r.DBySolvent.Keys, Is.EquivalentTo(new[] { "EC", "DMC" }));
            Assert.That(r.CnLiOBySolvent.Keys, Is.EquivalentTo(new[] { "EC", "DMC" }));
            // The solvent MSD is the molecule-weighted mean of the species' MSDs, and a least-squares slope is linear in
            // the data, so D(solvent) is the same weighted mean of the species' D.
            int nEc = r.Molecules["EC"], nDmc = r.Molecules["DMC"];
            var weighted = (nEc * r.DBySolvent["EC"].Value + nDmc * r.DBySolvent["DMC"].Value) / (nEc + nDmc);
            Assert.That(r.DSolvent.Value, Is.EqualTo(weighted).Within(1e-9 * Math.Abs(weighted) + 1e-15));
            // Solvent O are partitioned by species: the shell counts add up.
            Assert.That(r.CnLiOBySolvent["EC"] + r.CnLiOBySolvent["DMC"], Is.EqualTo(r.CnLiOSolvent).Within(1e-12));
            Assert.That(r.ShellCutoff, Is.GreaterThan(0));
            Assert.That(r.ShellCutoffSource, Is.Not.Empty);
            Assert.That(r.Msd.Keys, Is.SupersetOf(new[] { "EC", "DMC", "solvent" }));
            screening.WriteTables([r]);
            var csv = File.ReadAllLines(Path.Combine(dir, "results.csv"));
            var head = csv[0].Split(',');
            Assert.That(head, Does.Contain("D_EC_1e-10m2s").And.Contain("D_DMC_1e-10m2s").And.Contain("CN_Li_O_EC").And.Contain("shell_cutoff_A"));
            Assert.That(csv[1].Split(',').Length, Is.EqualTo(head.Length), "one value per column");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
