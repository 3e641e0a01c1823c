namespace DeepMD.Sharp.Tests.Dynamics;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// <c>pair_style deepmd M1 M2 out_freq N out_file F [atomic] [relative ν] [relative_v ν]</c> during MD: the file's
/// layout is the DeePMD-kit plugin's, its values equal <c>dpsharp model-devi</c> on the same frames, and a hand
/// computation from independent evaluations of each model.
/// </summary>
[TestFixture]
public class ModelDeviationRunTests
{
    private static readonly string Sea = RepoPaths.TestModel("deeppot_sea.yaml");
    private static readonly string SeR = RepoPaths.TestModel("deeppot-r.yaml");

    /// <summary>Records positions (relative to the box origin) and the cell at every step that is a multiple of N.</summary>
    private sealed class FrameRecorder(int every) : IRunObserver
    {
        public List<(long Step, double[] Coords, double[] Cell)> Frames { get; } = [];

        public void RunStarted(Simulation sim) => StepCompleted(sim);

        public void StepCompleted(Simulation sim)
        {
            if (sim.Step % every != 0) return;
            var a = sim.Atoms;
            var lo = sim.Box!.Lo;
            var c = new double[3 * a.Count];
            for (var i = 0; i < a.Count; i++)
            {
                c[3 * i] = a.X[i] - lo[0];
                c[3 * i + 1] = a.Y[i] - lo[1];
                c[3 * i + 2] = a.Z[i] - lo[2];
            }
            Frames.Add((sim.Step, c, sim.Box.Cell.Matrix.ToArray()));
        }

        public void RunFinished(Simulation sim) { }
    }

    private static (string Dir, FrameRecorder Frames, DeckSession Session) RunWater(string pairOptions, int steps = 20)
    {
        var dir = RepoPaths.TempDir();
        var session = new DeckSession(new StringWriter(), dir, null);
        session.Runner.RunText("setup", $"""
            units metal
            neighbor 2.0 bin
            neigh_modify every 10 delay 0 check no
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_style deepmd {Sea} {SeR} {pairOptions}
            pair_coeff * * O H
            velocity all create 330.0 23456789
            fix 1 all nvt temp 330.0 330.0 0.05
            timestep 0.0005
            thermo 5
            """);
        var rec = new FrameRecorder(5);
        session.Simulation!.Observers.Add(rec);
        session.Runner.RunText("run", $"run {steps}");
        return (dir, rec, session);
    }

    private static double[][] Rows(string path) =>
        File.ReadAllLines(path).Where(l => !l.StartsWith('#')).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray()).ToArray();

    [Test]
    public void TheFileHasThePluginLayoutAndEqualsDpsharpModelDeviOnTheSameFrames()
    {
        var (dir, rec, session) = RunWater("out_freq 5 out_file md.out atomic");
        session.Dispose();
        var lines = File.ReadAllLines(Path.Combine(dir, "md.out"));
        Assert.That(lines[0], Is.EqualTo("#       step         max_devi_v         min_devi_v         avg_devi_v         max_devi_f         min_devi_f         avg_devi_f      atm_devi_f(N)"));
        Assert.That(lines, Has.Length.EqualTo(1 + 5), "steps 0, 5, 10, 15, 20");
        // %12d then %18.6e fields separated by one space; 6 + 192 per-atom columns.
        Assert.That(lines[2], Does.Match(@"^ {11}5( [ ]*-?\d\.\d{6}e[+-]\d{2,3}){198}$"));
        Assert.That(rec.Frames.Select(f => f.Step), Is.EqualTo(new long[] { 0, 5, 10, 15, 20 }));

        // The same frames as a deepmd/npy system, through dpsharp model-devi.
        var sys = Path.Combine(dir, "frames");
        WriteSystem(sys, rec, session.Simulation!);
        var reference = Path.Combine(dir, "ref.out");
        var err = new StringWriter();
        Assert.That(CommandLine.Run(["model-devi", "-m", Sea, SeR, "-s", sys, "-o", reference, "-f", "5"], new StringWriter(), err), Is.EqualTo(0), err.ToString());
        var ours = Rows(Path.Combine(dir, "md.out"));
        var theirs = Rows(reference);
        Assert.That(ours, Has.Length.EqualTo(theirs.Length));
        for (var r = 0; r < ours.Length; r++)
        {
            Assert.That(ours[r][0], Is.EqualTo(theirs[r][0]), "step");
            for (var c = 1; c <= 6; c++)
                Assert.That(ours[r][c], Is.EqualTo(theirs[r][c]).Within(1e-6 * Math.Abs(theirs[r][c]) + 1e-12), $"step {ours[r][0]}, column {c}");
            Assert.That(ours[r][3], Is.GreaterThan(0), "the two models do differ");
        }
    }

    [Test]
    public void RelativeDeviationsMatchAHandComputationFromIndependentEvaluations()
    {
        const double nuF = 1.0, nuV = 0.5;
        var (dir, rec, session) = RunWater($"out_freq 10 out_file rel.out atomic relative {nuF} relative_v {nuV}");
        session.Dispose();
        var rows = Rows(Path.Combine(dir, "rel.out"));
        Assert.That(rows.Select(r => r[0]), Is.EqualTo(new double[] { 0, 10, 20 }));
        var sim = session.Simulation!;
        var types = Enumerable.Range(0, sim.AtomCount).Select(i => sim.Atoms.Type[i]).ToArray(); // O H = model types 0 1
        var models = new[] { ModelLoader.Load(Sea), ModelLoader.Load(SeR) };
        foreach (var (step, coords, cell) in rec.Frames.Where(f => f.Step % 10 == 0))
        {
            var n = types.Length;
            var x = Enumerable.Range(0, n).Select(i => coords[3 * i]).ToArray();
            var y = Enumerable.Range(0, n).Select(i => coords[3 * i + 1]).ToArray();
            var z = Enumerable.Range(0, n).Select(i => coords[3 * i + 2]).ToArray();
            var box = new DeepMD.Sharp.Core.Geometry.Box(cell);
            var r = models.Select(m => new ReferenceBackend(m).Evaluate(types, CellListNeighborSearch.Build(x, y, z, box, 6.0), new EvaluationOptions())).ToArray();
            // Hand computation, two models: std = |a − b| / 2 per component.
            var perAtom = new double[n];
            for (var i = 0; i < n; i++)
            {
                double d2 = 0, m2 = 0;
                for (var c = 0; c < 3; c++)
                {
                    var (a, b) = (r[0].Forces[3 * i + c], r[1].Forces[3 * i + c]);
                    d2 += (a - b) * (a - b) / 4;
                    m2 += (a + b) * (a + b) / 4;
                }
                perAtom[i] = Math.Sqrt(d2) / (Math.Sqrt(m2) + nuF);
            }
            var vir = Enumerable.Range(0, 9).Select(k =>
            {
                var (a, b) = (r[0].Virial[k] / n, r[1].Virial[k] / n);
                return Math.Abs(a - b) / 2 / (Math.Abs(a + b) / 2 + nuV);
            }).ToArray();
            double[] expected = [vir.Max(), vir.Min(), Math.Sqrt(vir.Sum(v => v * v) / 9), perAtom.Max(), perAtom.Min(), perAtom.Average(), .. perAtom];
            var row = rows.Single(rw => rw[0] == step);
            Assert.That(row, Has.Length.EqualTo(1 + 6 + n));
            for (var c = 0; c < expected.Length; c++)
                Assert.That(row[1 + c], Is.EqualTo(expected[c]).Within(1e-6 * Math.Abs(expected[c]) + 1e-12), $"step {step}, column {c + 1}");
        }
    }

    [Test]
    public void DisagreeingTypeMapsAndBadOptionsAreErrors()
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        var e = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => s.Runner.RunText("d", $"units metal\npair_style deepmd {Sea} out_freq -1"))!;
        Assert.That(e.Message, Does.Contain("out_freq must be 0 or positive"));
        e = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => s.Runner.RunText("d", $"pair_style deepmd {Sea} relative"))!;
        Assert.That(e.Message, Does.Contain("relative"));
    }

    /// <summary>A deepmd/npy system (type.raw, type_map.raw, set.000/coord.npy, box.npy) of the recorded frames.</summary>
    private static void WriteSystem(string dir, FrameRecorder rec, Simulation sim)
    {
        Directory.CreateDirectory(Path.Combine(dir, "set.000"));
        File.WriteAllText(Path.Combine(dir, "type_map.raw"), "O\nH\n");
        File.WriteAllText(Path.Combine(dir, "type.raw"), string.Join("\n", sim.Atoms.Type.Take(sim.AtomCount)) + "\n");
        var nf = rec.Frames.Count;
        WriteNpy(Path.Combine(dir, "set.000", "coord.npy"), nf, rec.Frames.SelectMany(f => f.Coords).ToArray());
        WriteNpy(Path.Combine(dir, "set.000", "box.npy"), nf, rec.Frames.SelectMany(f => f.Cell).ToArray());
    }

    private static void WriteNpy(string path, int rows, double[] data)
    {
        var header = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {data.Length / rows}), }}";
        header = header.PadRight(((10 + header.Length + 1 + 63) / 64 * 64) - 10 - 1) + "\n";
        using var w = new BinaryWriter(File.Create(path));
        w.Write((byte)0x93);
        w.Write(Encoding.ASCII.GetBytes("NUMPY"));
        w.Write((byte)1);
        w.Write((byte)0);
        w.Write((ushort)header.Length);
        w.Write(Encoding.ASCII.GetBytes(header));
        foreach (var v in data) w.Write(v);
    }
}
