namespace DeepMD.Sharp.Tests.Dynamics;

using System.Globalization;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// <c>lattice</c> keywords compared with LAMMPS: <c>origin</c>, <c>orient</c> (rotated cells, spacings from the rotated
/// cell's bounding box), <c>spacing</c>, and the <c>custom</c> style with <c>a1 a2 a3 basis</c>. The same deck in both
/// codes prints the same lattice spacings, creates the same atoms at the same coordinates (written with write_data,
/// compared atom by atom), regions in lattice units scale by those spacings, and the refused settings carry LAMMPS'
/// error texts.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class LatticeOptionsVersusLammpsTests
{
    private static double[] Numbers(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray();

    private static List<double[]> Spacings(string output) =>
        Regex.Matches(output, @"Lattice spacing in x,y,z = (.*)$", RegexOptions.Multiline).Select(m => Numbers(m.Groups[1].Value)).ToList();

    /// <summary>id → (type, x, y, z) of the Atoms section of a data file.</summary>
    private static SortedDictionary<int, double[]> DataAtoms(string path)
    {
        var atoms = new SortedDictionary<int, double[]>();
        var lines = File.ReadAllLines(path);
        var i = Array.FindIndex(lines, l => l.StartsWith("Atoms", StringComparison.Ordinal));
        Assert.That(i, Is.GreaterThanOrEqualTo(0), $"{path} has no Atoms section");
        for (i += 2; i < lines.Length && lines[i].Trim().Length > 0; i++)
        {
            var w = Numbers(lines[i]);
            atoms[(int)w[0]] = [w[1], w[2], w[3], w[4]];
        }
        return atoms;
    }

    [TestCase("units lj", "lattice fcc 0.8442 orient x 1 1 0 orient y -1 1 0 orient z 0 0 1", "0 4 0 3 0 2")]
    [TestCase("units metal", "lattice fcc 3.52 orient x 1 0 0 orient y 0 1 1 orient z 0 -1 1 origin 0.5 0 0", "0 6 0 4 0 3")]
    [TestCase("units metal", "lattice bcc 3.16 orient x 1 1 1 orient y -1 1 0 orient z -1 -1 2", "0 3 0 4 0 2")]
    [TestCase("units metal", "lattice fcc 3.615 origin 0.01 0.01 0.01", "0 3 0 3 0 3")]
    [TestCase("units metal", "lattice diamond 5.43 origin 0.25 0.25 0.25 spacing 1 1 2", "0 2 0 2 0 1")]
    [TestCase("units lj", "lattice sc 0.9 spacing 1.5 1.0 0.5", "0 3 0 3 0 6")]
    [TestCase("units metal", "lattice custom 3.0 a1 1 0 0 a2 0.5 0.8660254037844386 0 a3 0 0 1.6329931618554521 basis 0 0 0 basis 0.3333333333333333 0.3333333333333333 0.5", "0 5 0 4 0 3")]
    [TestCase("units lj", "lattice custom 0.9 a1 1 0 0 a2 0 1 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0.5 orient x 1 1 0 orient y -1 1 0 orient z 0 0 1", "0 3 0 3 0 3")]
    [TestCase("units lj\ndimension 2", "lattice hex 0.8 origin 0.25 0.1 0", "0 5 0 3 -0.5 0.5")]
    [TestCase("units lj\ndimension 2", "lattice sq2 0.8442 orient x 1 1 0 orient y -1 1 0", "0 5 0 5 -0.1 0.1")]
    public void LatticeOptionsCreateLammpsAtoms(string units, string lattice, string bounds)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        // The box in lattice units; a sub-region in lattice units gets type 2, so both scalings are checked.
        var deck = $"""
            {units}
            {lattice}
            region box block {bounds}
            create_box 2 box
            create_atoms 1 box
            region inner block 0.5 2.5 0.5 2.5 INF INF
            create_atoms 2 region inner
            mass * 1.0
            """;
        File.WriteAllText(Path.Combine(dir, "in.lmp"), deck + "\nwrite_data lmp.data\n");
        File.WriteAllText(Path.Combine(dir, "in.ours"), deck + "\nwrite_data ours.data\n");
        var lammps = LammpsHarness.RunLammps(lmp, Path.Combine(dir, "in.lmp"), dir);
        var ours = LammpsHarness.RunDpsharp(Path.Combine(dir, "in.ours"), dir);

        var a = Spacings(lammps);
        var b = Spacings(ours);
        Assert.That(b, Has.Count.EqualTo(a.Count), "Lattice spacing lines");
        for (var k = 0; k < 3; k++) Assert.That(b[0][k], Is.EqualTo(a[0][k]).Within(2e-7 * Math.Abs(a[0][k])), $"lattice spacing {k}");
        var theirs = DataAtoms(Path.Combine(dir, "lmp.data"));
        var mine = DataAtoms(Path.Combine(dir, "ours.data"));
        Assert.That(theirs, Is.Not.Empty);
        Assert.That(mine.Keys, Is.EqualTo(theirs.Keys), "atom ids");
        foreach (var (id, t) in theirs)
        {
            var m = mine[id];
            Assert.That(m[0], Is.EqualTo(t[0]), $"type of atom {id}");
            for (var d = 1; d < 4; d++)
                Assert.That(m[d], Is.EqualTo(t[d]).Within(1e-12 * Math.Max(1, Math.Abs(t[d]))), $"coordinate {d} of atom {id}");
        }
    }

    [TestCase("lattice fcc 0.8 orient x 1 1 0 orient y 0 0 1 orient z 1 0 0", "Lattice orient vectors are not orthogonal")]
    [TestCase("lattice fcc 0.8 orient x 1 1 0 orient y 1 -1 0 orient z 0 0 1", "Lattice orient vectors are not right-handed")]
    [TestCase("lattice fcc 0.8 a1 1 0 0", "Invalid option in lattice command for non-custom style")]
    [TestCase("lattice custom 0.8 a1 1 0 0 a2 0 1 0 a3 0 0 1", "No basis atoms in lattice")]
    [TestCase("lattice custom 0.8 a1 1 0 0 a2 2 0 0 basis 0 0 0", "Lattice primitive vectors are collinear")]
    [TestCase("lattice fcc 0.8 origin 0 0 1.0", "Illegal lattice command")]
    [TestCase("lattice fcc 0.8 spacing 1 0 1", "Lattice spacings are invalid")]
    [TestCase("lattice fcc 0.8 orient x 0 0 0", "Lattice orient vectors are not right-handed")]
    [TestCase("lattice fcc 0.8 foo 1", "Illegal lattice command")]
    [TestCase("lattice custom 0.8 basis 0 0 1.5", "Illegal lattice command")]
    public void RefusesWithLammpsErrorText(string line, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\n" + line + "\n");
        var psi = new System.Diagnostics.ProcessStartInfo(lmp, ["-in", path, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using (var p = System.Diagnostics.Process.Start(psi)!)
        {
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.That(output, Does.Contain("ERROR: " + text), "LAMMPS' own error for this deck");
        }
        var e = Assert.Throws<UserInputException>(() => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
