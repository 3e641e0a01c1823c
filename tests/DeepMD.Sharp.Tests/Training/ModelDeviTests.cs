namespace DeepMD.Sharp.Tests.Training;

using DeepMD.Sharp.Cli.Commands;
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
}
