namespace DeepMD.Sharp.Tests.Input;

using System.Diagnostics;
using System.Text.Json;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Analysis;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;
using PureHDF;

/// <summary>
/// <c>dump h5md</c>: the water deck writes an H5MD trajectory that Debian's python3-h5py and MDAnalysis
/// (python3-mdanalysis) read; MDAnalysis' RDF of it equals ours (RadialDistribution over the same frames).
/// Skipped visibly without them (DPSHARP_REQUIRE_MDANALYSIS=1 makes that a failure).
/// </summary>
public class H5mdDumpTests
{
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    private static bool MdAnalysisReady()
    {
        try
        {
            return Run("-c", "import h5py, MDAnalysis").Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    [Test]
    public void WaterTrajectoryReadsInH5pyAndMdAnalysisWithTheSameRdf()
    {
        var dir = RepoPaths.TempDir();
        try
        {
            File.Copy(RepoPaths.Get("examples", "water", "water.lmp"), Path.Combine(dir, "water.lmp"));
            File.WriteAllText(Path.Combine(dir, "in.h5md"), $"""
                units metal
                atom_style atomic
                neighbor 2.0 bin
                read_data water.lmp
                mass 1 16
                mass 2 2
                pair_style deepmd {RepoPaths.Get("potentials", "water", "water.dp")}
                pair_coeff * * O H
                velocity all create 330.0 23456789
                fix 1 all nvt temp 330.0 330.0 0.5
                timestep 0.0005
                thermo 10
                dump 1 all h5md 5 traj.h5
                run 20
                """);
            using (var session = new DeckSession(TextWriter.Null, dir, null))
                session.RunFile(Path.Combine(dir, "in.h5md"));

            // Our RDF (O–H, 0–6 Å, 60 bins) over the frames as read back with PureHDF.
            using var h5 = H5File.OpenRead(Path.Combine(dir, "traj.h5"));
            var pos = h5.Dataset("particles/all/position/value").Read<double[]>();
            var species = h5.Dataset("particles/all/species").Read<int[]>();
            var edges = h5.Dataset("particles/all/box/edges/value").Read<double[]>();
            var n = species.Length;
            var frames = pos.Length / (3 * n);
            Assert.That(frames, Is.EqualTo(5), "steps 0, 5, 10, 15, 20");
            var rdf = new RadialDistribution(1, 2, 6.0, 60);
            for (var f = 0; f < frames; f++)
            {
                var x = Enumerable.Range(0, n).Select(i => pos[3 * (f * n + i)]).ToArray();
                var y = Enumerable.Range(0, n).Select(i => pos[3 * (f * n + i) + 1]).ToArray();
                var z = Enumerable.Range(0, n).Select(i => pos[3 * (f * n + i) + 2]).ToArray();
                rdf.Add(x, y, z, species, Box.Orthorhombic(edges[9 * f], edges[9 * f + 4], edges[9 * f + 8]));
            }

            Requirement.That(MdAnalysisReady(), "DPSHARP_REQUIRE_MDANALYSIS", "python3 with h5py and MDAnalysis is not installed (Debian: python3-h5py python3-mdanalysis)");
            var (code, output, error) = Run(RepoPaths.Get("tests", "DeepMD.Sharp.Tests", "Input", "tools", "h5md_check.py"), Path.Combine(dir, "traj.h5"), "1", "2", "6.0", "60");
            Assert.That(code, Is.EqualTo(0), error);
            using var json = JsonDocument.Parse(output);
            var root = json.RootElement;
            Assert.That(root.GetProperty("frames").GetInt32(), Is.EqualTo(5));
            Assert.That(root.GetProperty("steps").EnumerateArray().Select(s => s.GetInt64()), Is.EqualTo(new long[] { 0, 5, 10, 15, 20 }));
            var mdaRdf = root.GetProperty("rdf").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var bins = root.GetProperty("bins").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.That(bins, Is.EqualTo(rdf.Radii()).Within(1e-12));
            // MDAnalysis holds positions and the box in float32: the volume normalisation agrees to float32 round-off.
            var ours = rdf.Values();
            for (var k = 0; k < ours.Length; k++) Assert.That(mdaRdf[k], Is.EqualTo(ours[k]).Within(1e-6 * Math.Max(1, ours[k])), $"bin {k}");
            Assert.That(rdf.Values().Max(), Is.GreaterThan(1), "a real O–H RDF, not all zeros");
            // MDAnalysis' positions (float32) are the file's.
            var first = root.GetProperty("first").EnumerateArray().SelectMany(a => a.EnumerateArray().Select(v => v.GetDouble())).ToArray();
            Assert.That(first, Is.EqualTo(pos.Take(3 * n).ToArray()).Within(1e-4));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
