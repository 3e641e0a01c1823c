namespace DeepMD.Sharp.Tests.Cli;

using System.Diagnostics;
using System.Globalization;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// <c>dpsharp neighbor-stat</c>, <c>dpsharp coverage</c> and the guard lines of <c>dpsharp eval</c>/<c>test</c>. The
/// coverage written into a DeePMD-kit model survives .dp and .yaml round trips, and h5py reads it from the file
/// (with numpy computing the pair minimum from the data itself) the way DeePMD-kit's loader walks the file.
/// </summary>
public class CoverageCliTests
{
    private static readonly string Data = RepoPaths.Get("tests", "DeepMD.Sharp.Tests", "Data", "water.hdf5");
    private static readonly string Python = Environment.GetEnvironmentVariable("DPSHARP_PYTHON")
        ?? (File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = CommandLine.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static (int Code, string Output) RunProcess(string exe, string args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, output.Result + error.Result);
    }

    private static bool PythonReady()
    {
        try
        {
            return RunProcess(Python, "-c \"import h5py, numpy, yaml\"").Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The smallest O–O, O–H and H–H distances of a system, by brute force over minimum images (orthorhombic cells).</summary>
    private static Dictionary<string, double> BruteForceMinima(params string[] groups)
    {
        var min = new Dictionary<string, double> { ["O-O"] = double.MaxValue, ["O-H"] = double.MaxValue, ["H-H"] = double.MaxValue };
        foreach (var g in groups)
        {
            var s = DeepMD.Sharp.IO.Datasets.DeepmdSystemReader.Read(Data + "#/" + g).MapTo(["O", "H"]);
            for (var f = 0; f < s.FrameCount; f++)
            {
                var (x, y, z, box) = s.Frame(f);
                var h = box!.Matrix.ToArray();
                for (var i = 0; i < x.Length; i++)
                    for (var j = i + 1; j < x.Length; j++)
                    {
                        double dx = x[j] - x[i], dy = y[j] - y[i], dz = z[j] - z[i];
                        dx -= h[0] * Math.Round(dx / h[0]);
                        dy -= h[4] * Math.Round(dy / h[4]);
                        dz -= h[8] * Math.Round(dz / h[8]);
                        var key = (s.Types[i], s.Types[j]) switch { (0, 0) => "O-O", (1, 1) => "H-H", _ => "O-H" };
                        min[key] = Math.Min(min[key], Math.Sqrt(dx * dx + dy * dy + dz * dz));
                    }
            }
        }
        return min;
    }

    [Test]
    public void NeighborStatPrintsTheBruteForceMinimaAndDeePMDKitsTwoLines()
    {
        var (code, output, err) = Run("neighbor-stat", "-s", Data + "#/data_0", Data + "#/data_2", "-r", "6");
        Assert.That(code, Is.EqualTo(0), err);
        var lines = output.Split('\n');
        var min = BruteForceMinima("data_0", "data_2");
        foreach (var (pair, d) in min)
        {
            var line = lines.Single(l => l.StartsWith(pair + ":", StringComparison.Ordinal));
            Assert.That(double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture), Is.EqualTo(d).Within(1e-6), pair);
        }
        var global = lines.Single(l => l.StartsWith("min_nbor_dist:", StringComparison.Ordinal));
        Assert.That(double.Parse(global.Split(' ')[1], CultureInfo.InvariantCulture), Is.EqualTo(min.Values.Min()).Within(1e-6));
        var sizes = lines.Single(l => l.StartsWith("max_nbor_size:", StringComparison.Ordinal));
        Assert.That(sizes, Does.Match(@"^max_nbor_size: \[\d+, \d+\]$"));
        Assert.That(output, Does.Contain("2 systems, 160 frames"));
    }

    [TestCase("yaml")]
    [TestCase("dp")]
    public void CoverageOfADeePMDKitModelSurvivesRoundTripsAndH5pyReadsIt(string ext)
    {
        var dir = RepoPaths.TempDir();
        var src = RepoPaths.TestModel("deeppot_sea.yaml");
        var out1 = Path.Combine(dir, "with-coverage." + ext);
        var (code, output, err) = Run("coverage", "-m", src, "-s", Data + "#/data_0", "-o", out1);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("coverage of 1 systems, 80 frames"));
        var m1 = ModelLoader.Load(out1);
        Assert.That(ModelLoader.Load(src).Coverage, Is.Null, "DeePMD-kit's test model has none");
        var c = m1.Coverage!;
        Assert.That(c.FrameCount, Is.EqualTo(80));
        Assert.That(c.CenterCounts, Is.EqualTo(new[] { 64.0 * 80, 128.0 * 80 }));
        var min = BruteForceMinima("data_0");
        Assert.That(c.PairMinDistance[0, 0], Is.EqualTo(min["O-O"]).Within(1e-9));
        Assert.That(c.PairMinDistance[0, 1], Is.EqualTo(min["O-H"]).Within(1e-9));
        Assert.That(c.PairMinDistance[1, 1], Is.EqualTo(min["H-H"]).Within(1e-9));
        Assert.That(c.DescriptorMin!.GetLength(1), Is.EqualTo(m1.Descriptor.OutputSize));
        for (var t = 0; t < 2; t++)
            for (var k = 0; k < m1.Descriptor.OutputSize; k++)
                Assert.That(c.DescriptorMin[t, k], Is.LessThanOrEqualTo(c.DescriptorMax![t, k]));

        // Through the other format and back: the same arrays, bit for bit; the model evaluates as before.
        var other = ext == "dp" ? "yaml" : "dp";
        var out2 = Path.Combine(dir, "converted." + other);
        Assert.That(Run("convert", out1, out2).Code, Is.EqualTo(0));
        var out3 = Path.Combine(dir, "back." + ext);
        Assert.That(Run("convert", out2, out3).Code, Is.EqualTo(0));
        var c3 = ModelLoader.Load(out3).Coverage!;
        Assert.That(c3.PairMinDistance, Is.EqualTo(c.PairMinDistance));
        Assert.That(c3.DescriptorMin, Is.EqualTo(c.DescriptorMin));
        Assert.That(c3.DescriptorMax, Is.EqualTo(c.DescriptorMax));
        Assert.That(ModelFile.Load(out3).ContainsKey("@variables"), Is.True);

        // h5py / PyYAML read the file as DeePMD-kit's loader does (the existing layout check), and the stored O–O minimum
        // equals numpy's brute force on the data.
        Requirement.That(PythonReady(), Requirement.H5py, "python3 with h5py, numpy and yaml is not installed");
        var dpFile = ext == "dp" ? out1 : out2;
        var check = RepoPaths.Get("tests", "DeepMD.Sharp.Tests", "Serialization", "tools", "check_model_files.py");
        var (pc, po) = RunProcess(Python, $"\"{check}\" \"{out1}\" \"{out2}\" \"{out3}\"");
        Assert.That(pc, Is.EqualTo(0), po);
        var script = Path.Combine(dir, "read.py");
        File.WriteAllText(script, """
            import json, sys
            import h5py, numpy as np
            with h5py.File(sys.argv[1], "r") as f:
                top = json.loads(f.attrs["json"])["@variables"]
                pair = f[top["coverage_pair_min_dist"]][()]
                dmin, dmax = f[top["coverage_descriptor_min"]][()], f[top["coverage_descriptor_max"]][()]
                assert pair.shape == (2, 2) and pair.dtype == np.float64, pair
                assert dmin.shape == dmax.shape and (dmin <= dmax).all()
                assert "min_nbor_dist" in top
            with h5py.File(sys.argv[2], "r") as d:
                g = d["data_0"]
                types = g["type.raw"][()]
                oo = np.inf
                for s in sorted(k for k in g if k.startswith("set.")):
                    coords, boxes = g[s]["coord.npy"][()].astype(np.float64), g[s]["box.npy"][()].astype(np.float64)
                    for c, b in zip(coords, boxes):
                        o = c.reshape(-1, 3)[types == 0]
                        l = np.diag(b.reshape(3, 3))
                        dd = o[:, None, :] - o[None, :, :]
                        dd -= l * np.round(dd / l)
                        r = np.sqrt((dd ** 2).sum(-1)) + np.eye(len(o)) * 1e9
                        oo = min(oo, r.min())
            assert abs(pair[0, 0] - oo) < 1e-9, (pair[0, 0], oo)
            print("ok", pair[0, 0], oo)
            """);
        var (rc, ro) = RunProcess(Python, $"\"{script}\" \"{dpFile}\" \"{Data}\"");
        Assert.That(rc, Is.EqualTo(0), ro);
        Assert.That(ro, Does.StartWith("ok"));
    }

    [Test]
    public void EvalAndTestReportTheGuardPerStructure()
    {
        var dir = RepoPaths.TempDir();
        var model = RepoPaths.Get("potentials", "water", "water.dp");
        // Two water molecules with their oxygens 1.6 Å apart in a big box.
        var xyz = Path.Combine(dir, "pair.xyz");
        File.WriteAllText(xyz, """
            6
            Lattice="15 0 0 0 15 0 0 0 15" Properties=species:S:1:pos:R:3 pbc="T T T"
            O 5.0 5.0 5.0
            H 4.4 5.75 5.0
            H 4.4 4.25 5.0
            O 6.6 5.0 5.0
            H 7.2 5.75 5.0
            H 7.2 4.25 5.0
            """);
        var (code, output, err) = Run("eval", model, xyz);
        Assert.That(code, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("WARNING: extrapolation guard: atoms 1 (O) and 4 (O) are 1.600 Å apart, below the training minimum 2.352 Å for O-O"));
        var (jc, json, _) = Run("eval", model, xyz, "--json");
        Assert.That(jc, Is.EqualTo(0));
        Assert.That(json, Does.Contain("\"extrapolation_guard\":\"atoms 1 (O) and 4 (O) are 1.600"));

        // A training frame is inside: no guard line, no JSON key.
        var (tc, test, terr) = Run("test", "-m", model, "-s", Data + "#/data_2");
        Assert.That(tc, Is.EqualTo(0), terr);
        Assert.That(test, Does.Contain("# extrapolation guard: 0 of 80 frames outside the training coverage"));

        // A model without coverage says so once (on stderr), and still checks its min_nbor_dist... or nothing.
        var (_, _, e2) = Run("eval", RepoPaths.TestModel("deeppot_sea.yaml"), xyz);
        Assert.That(e2, Does.Contain("note: extrapolation guard: the model stores no training coverage"));
    }
}
