namespace DeepMD.Sharp.Tests.Gpu;

using System.Globalization;
using DeepMD.Sharp.Cli;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>dpsharp bench --device gpu</c> on ILGPU's CPU accelerator (<c>--emulate</c>) with a 12-atom water box, checked
/// against references independent of the bench: its NVE run conserves the total energy it prints (physics), its
/// device bytes per atom are at least the documented layout's, and <c>--md-compare --compare-with reference</c>
/// measures the device loop against the host MD engine on the reference evaluator (the readable oracle).
/// </summary>
[NonParallelizable]
public class GpuBenchCommandTests
{
    private static string WaterBox()
    {
        // Four water molecules in a 6.2 × 6.2 × 3.1 Å cell (about liquid density).
        var path = Path.Combine(Path.GetTempPath(), $"dpsharp-gpu-bench-{Environment.ProcessId}.xyz");
        var lines = new List<string> { "12", "Lattice=\"6.2 0 0 0 6.2 0 0 0 3.1\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"" };
        var theta = 104.52 * Math.PI / 180;
        for (var g = 0; g < 4; g++)
        {
            double ox = (g % 2 + 0.5) * 3.1, oy = (g / 2 + 0.5) * 3.1, oz = 1.55, phi = 0.9 * g;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"O {ox} {oy} {oz}"));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"H {ox + 0.9572 * Math.Cos(phi)} {oy + 0.9572 * Math.Sin(phi)} {oz}"));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"H {ox + 0.9572 * Math.Cos(phi + theta)} {oy} {oz + 0.9572 * Math.Sin(phi + theta)}"));
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    [Test]
    public void BenchPrintsThroughputAndBytesPerAtom()
    {
        var xyz = WaterBox();
        try
        {
            var o = new StringWriter();
            var e = new StringWriter();
            Assert.That(CommandLine.Run(["bench", "--device", "gpu", "--emulate", "--model", RepoPaths.TestModel("deeppot_sea.yaml"), "--structure", xyz, "--replicate", "1x1x1", "--steps", "20"], o, e), Is.EqualTo(0), e.ToString());
            var text = o.ToString();
            Assert.That(text, Does.Contain("atom-steps/s").And.Contain("device bytes/atom"));
            // The documented device layout (docs/ARCHITECTURE.md, "Bounded memory"): 156 B of per-atom state plus an
            // 8-byte list entry per neighbor slot, at least sel per atom (the test model's sel).
            var model = DeepMD.Sharp.Models.ModelLoader.Load(RepoPaths.TestModel("deeppot_sea.yaml"));
            var atLeast = 156 + 8 * model.Descriptor.Sel.Sum();
            foreach (var (p, drift) in new[] { ("gpu-f32", 1e-3), ("gpu-f64", 1e-3) })
            {
                var row = text.Split('\n').Single(l => l.StartsWith(p)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.That(double.Parse(row[1], CultureInfo.InvariantCulture), Is.GreaterThan(0), "µs/atom-step");
                Assert.That(double.Parse(row[4], NumberStyles.Number, CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(atLeast), "bytes/atom vs the documented layout");
                // E_total start → end over 20 NVE steps of 0.5 fs: conserved (12 atoms; the integrator's error is ~1e-5 eV).
                var start = double.Parse(row[^3], CultureInfo.InvariantCulture);
                var end = double.Parse(row[^1], CultureInfo.InvariantCulture);
                Assert.That(row[^2], Is.EqualTo("→"));
                Assert.That(end, Is.EqualTo(start).Within(drift), $"{p}: total energy over the bench's NVE run");
            }
        }
        finally
        {
            File.Delete(xyz);
        }
    }

    [Test]
    public void MdCompareMeasuresTheDeviceLoopAgainstTheHostLoop()
    {
        var xyz = WaterBox();
        try
        {
            var o = new StringWriter();
            var e = new StringWriter();
            // The host loop on the reference evaluator: the device loop is measured against the readable oracle.
            Assert.That(CommandLine.Run(["bench", "--device", "gpu", "--emulate", "--structure", xyz, "--replicate", "1x1x1", "--md-compare", "3", "--precision", "f64,f32", "--compare-with", "reference"], o, e), Is.EqualTo(0), e.ToString());
            Assert.That(o.ToString(), Does.Contain("vs host loop on reference"));
            var f32Force = 0.0;
            foreach (var (name, dx, df) in new[] { ("gpu-f64", 1e-10, 1e-10), ("gpu-f32", 1e-6, 1e-4) })
            {
                var rows = o.ToString().Split('\n').Where(l => l.StartsWith(name)).ToList();
                Assert.That(rows, Has.Count.EqualTo(2), o.ToString()); // steps 1 and 3
                foreach (var row in rows)
                {
                    var f = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    Assert.That(double.Parse(f[2], CultureInfo.InvariantCulture), Is.LessThan(dx), $"{name} Δx");
                    Assert.That(double.Parse(f[3], CultureInfo.InvariantCulture), Is.LessThan(df), $"{name} ΔF");
                    if (name == "gpu-f32") f32Force = Math.Max(f32Force, double.Parse(f[3], CultureInfo.InvariantCulture));
                }
            }
            // The comparison measures something: float32 networks differ from the double-precision oracle.
            Assert.That(f32Force, Is.GreaterThan(1e-9), "gpu-f32 forces differ from the reference's");
        }
        finally
        {
            File.Delete(xyz);
        }
    }
}
