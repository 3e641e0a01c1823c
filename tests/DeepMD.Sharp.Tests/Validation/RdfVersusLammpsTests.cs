namespace DeepMD.Sharp.Tests.Validation;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics.Analysis;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>g(r) and the running coordination number against LAMMPS' <c>compute rdf</c> on a random triclinic configuration of two types.</summary>
[TestFixture]
[Category("Lammps")]
public class RdfVersusLammpsTests
{
    [Test]
    public void RdfMatchesLammpsComputeRdf()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        double lx = 15, ly = 14, lz = 16, xy = 2.5, xz = -1.5, yz = 3.0;
        var box = new Box([lx, 0, 0, xy, ly, 0, xz, yz, lz]);
        var rng = new Random(23);
        const int n = 300;
        var types = new int[n];
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        var data = new StringBuilder($"random\n\n{n} atoms\n2 atom types\n\n0 {lx} xlo xhi\n0 {ly} ylo yhi\n0 {lz} zlo zhi\n{xy} {xz} {yz} xy xz yz\n\nAtoms # atomic\n\n");
        for (var i = 0; i < n; i++)
        {
            types[i] = i % 3 == 0 ? 0 : 1;
            (x[i], y[i], z[i]) = box.ToCartesian(rng.NextDouble(), rng.NextDouble(), rng.NextDouble());
            data.Append(CultureInfo.InvariantCulture, $"{i + 1} {types[i] + 1} {x[i]:R} {y[i]:R} {z[i]:R}\n");
        }

        File.WriteAllText(Path.Combine(dir, "conf.data"), data.ToString());
        File.WriteAllText(Path.Combine(dir, "in.rdf"), """
            units metal
            atom_style atomic
            boundary p p p
            read_data conf.data
            mass * 1.0
            pair_style zero 6.5
            pair_coeff * *
            neighbor 0.5 bin
            compute r all rdf 100 1 1 1 2 2 2 cutoff 6.0
            fix f all ave/time 1 1 1 c_r[*] file rdf.txt mode vector format " %.12g"
            run 0
            """);
        LammpsHarness.RunLammps(lmp, "in.rdf", dir);
        var rows = File.ReadLines(Path.Combine(dir, "rdf.txt"))
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(t => t.Length == 8)
            .Select(t => t.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        Assert.That(rows, Has.Count.EqualTo(100));

        (int A, int B)[] pairs = [(0, 0), (0, 1), (1, 1)];
        for (var p = 0; p < pairs.Length; p++)
        {
            var rdf = new RadialDistribution(pairs[p].A, pairs[p].B, 6.0, 100);
            rdf.Add(x, y, z, types, box);
            var r = rdf.Radii();
            var g = rdf.Values();
            var c = rdf.Coordination();
            for (var k = 0; k < 100; k++)
            {
                Assert.That(r[k], Is.EqualTo(rows[k][1]).Within(1e-9));
                Assert.That(g[k], Is.EqualTo(rows[k][2 + 2 * p]).Within(1e-9 * Math.Max(1, g[k])), $"g of pair {p}, bin {k}");
                Assert.That(c[k], Is.EqualTo(rows[k][3 + 2 * p]).Within(1e-9 * Math.Max(1, c[k])), $"coordination of pair {p}, bin {k}");
            }
        }
    }
}
