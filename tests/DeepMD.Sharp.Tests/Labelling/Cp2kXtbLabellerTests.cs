namespace DeepMD.Sharp.Tests.Labelling;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Electrolytes;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Labelling;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// The CP2K GFN1-xTB labeller against CP2K itself (Debian: cp2k; skipped visibly without it, a failure with
/// DPSHARP_REQUIRE_CP2K=1): forces against central differences of CP2K's own energy at two step sizes, the virial from
/// CP2K's analytical stress against a central difference of the energy under strain, both in a triclinic cell; an SCF
/// that does not converge is reported by frame index and left out of the data set; the written deepmd/npy set read
/// back by the data reader; the Ewald grid rule; and the error for a missing cp2k.
/// </summary>
public class Cp2kXtbLabellerTests
{
    internal const string RequireCp2k = "DPSHARP_REQUIRE_CP2K";

    private static void NeedCp2k() =>
        Requirement.That(new Cp2kXtbLabeller().Resolve() is not null, RequireCp2k, "cp2k.psmp is not installed (Debian: apt-get install cp2k)");

    /// <summary>Li+, PF6- and one EC in a sheared 9 Å cell (19 atoms, neutral): ~1 s per CP2K energy.</summary>
    private static Structure Frame(double[]? strain = null)
    {
        var species = new List<string>();
        var pos = new List<double[]>();
        void Put(string name, double x, double y, double z)
        {
            var t = MoleculeLibrary.Get(name);
            var c = new double[3];
            for (var i = 0; i < t.AtomCount; i++) for (var d = 0; d < 3; d++) c[d] += t.Positions[i * 3 + d] / t.AtomCount;
            for (var i = 0; i < t.AtomCount; i++)
            {
                species.Add(t.Elements[i]);
                pos.Add([t.Positions[i * 3] - c[0] + x, t.Positions[i * 3 + 1] - c[1] + y, t.Positions[i * 3 + 2] - c[2] + z]);
            }
        }
        Put("PF6-", 2.5, 2.5, 2.5);
        Put("Li+", 5.2, 3.0, 5.2);
        Put("EC", 6.2, 6.4, 2.4);
        double[] h = [9.0, 0, 0, 0.9, 9.2, 0, 0.5, -0.7, 9.4];
        var f = strain ?? new double[9];
        double[] F = [1 + f[0], f[1], f[2], f[3], 1 + f[4], f[5], f[6], f[7], 1 + f[8]];
        double[] Apply(double[] v) => [F[0] * v[0] + F[1] * v[1] + F[2] * v[2], F[3] * v[0] + F[4] * v[1] + F[5] * v[2], F[6] * v[0] + F[7] * v[1] + F[8] * v[2]];
        var rows = new double[9];
        for (var r = 0; r < 3; r++) Apply([h[r * 3], h[r * 3 + 1], h[r * 3 + 2]]).CopyTo(rows, r * 3);
        var p = pos.Select(Apply).ToList();
        return new Structure(species.ToArray(), p.Select(v => v[0]).ToArray(), p.Select(v => v[1]).ToArray(), p.Select(v => v[2]).ToArray(), new Box(rows), "test frame");
    }

    private static Structure Moved(Structure s, int atom, int dim, double h)
    {
        var x = (double[])s.X.Clone(); var y = (double[])s.Y.Clone(); var z = (double[])s.Z.Clone();
        (dim == 0 ? x : dim == 1 ? y : z)[atom] += h;
        return new Structure(s.Species, x, y, z, s.Box, s.Source);
    }

    private static string Temp(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "dpsharp-xtb-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Test]
    public void TestFrameHasNoCloseContacts()
    {
        // Sanity of the hand-placed frame: no atoms of different molecules within 1.9 Å, across the periodic faces too.
        var s = Frame();
        var mol = Enumerable.Repeat(0, 7).Concat([1]).Concat(Enumerable.Repeat(2, 10)).ToArray();
        var min = double.MaxValue;
        for (var i = 0; i < s.Count; i++)
            for (var j = i + 1; j < s.Count; j++)
            {
                if (mol[i] == mol[j]) continue;
                var (a, b, c) = s.Box!.ToFractional(s.X[j] - s.X[i], s.Y[j] - s.Y[i], s.Z[j] - s.Z[i]);
                var (dx, dy, dz) = s.Box.ToCartesian(a - Math.Round(a), b - Math.Round(b), c - Math.Round(c));
                min = Math.Min(min, Math.Sqrt(dx * dx + dy * dy + dz * dz));
            }
        Assert.That(min, Is.GreaterThan(1.9));
    }

    [Test]
    public void ForcesMatchCentralDifferencesOfCp2kEnergyInATriclinicCell()
    {
        NeedCp2k();
        var dir = Temp("fd-force");
        var lab = new Cp2kXtbLabeller { EpsScf = 1e-8, Stress = false };
        var frame = Frame();
        var label = lab.Label(frame, 0, Path.Combine(dir, "ref"));
        Assert.That(label.Failure, Is.Null);
        var n = 0;
        // The P atom, one F, Li and the carbonyl region of EC, one component each.
        foreach (var (atom, dim) in new[] { (0, 0), (3, 1), (7, 2), (9, 1) })
        {
            var errors = new List<double>();
            foreach (var h in new[] { 0.01, 0.005 })
            {
                var ep = lab.Label(Moved(frame, atom, dim, h), 0, Path.Combine(dir, $"p{n}")).Label!.Energy;
                var em = lab.Label(Moved(frame, atom, dim, -h), 0, Path.Combine(dir, $"m{n}")).Label!.Energy;
                n++;
                var fd = -(ep - em) / (2 * h);
                var f = label.Label!.Forces[atom * 3 + dim];
                errors.Add(Math.Abs(fd - f));
                TestContext.Out.WriteLine($"atom {atom} dim {dim} h {h}: analytic {f:F6} eV/Å, central difference {fd:F6} eV/Å");
                Assert.That(fd, Is.EqualTo(f).Within(2e-3 + 0.005 * Math.Abs(f)), $"atom {atom + 1} component {dim}, h = {h} Å");
            }
        }
        Directory.Delete(dir, true);
    }

    [Test]
    public void VirialFromCp2kStressMatchesStrainDerivativeOfTheEnergy()
    {
        NeedCp2k();
        var dir = Temp("fd-virial");
        var lab = new Cp2kXtbLabeller { EpsScf = 1e-8 };
        var label = lab.Label(Frame(), 0, Path.Combine(dir, "ref")).Label!;
        var noStress = new Cp2kXtbLabeller { EpsScf = 1e-8, Stress = false };
        const double h = 1e-3;
        // DeePMD-kit's virial is −∂E/∂ε (symmetric ε): diagonal xx and the xy shear.
        foreach (var (i, j) in new[] { (0, 0), (0, 1) })
        {
            var s = new double[9];
            s[i * 3 + j] += i == j ? h : h / 2;
            if (i != j) s[j * 3 + i] += h / 2;
            var ep = noStress.Label(Frame(s), 0, Path.Combine(dir, $"p{i}{j}")).Label!.Energy;
            var em = noStress.Label(Frame(s.Select(v => -v).ToArray()), 0, Path.Combine(dir, $"m{i}{j}")).Label!.Energy;
            var fd = -(ep - em) / (2 * h);
            var v = label.Virial![i * 3 + j];
            TestContext.Out.WriteLine($"virial {i}{j}: from CP2K's stress {v:F5} eV, −dE/dε {fd:F5} eV");
            Assert.That(v, Is.EqualTo(fd).Within(0.01 + 0.01 * Math.Abs(fd)), $"virial component {i}{j}");
        }
        Assert.That(label.Virial![1], Is.EqualTo(label.Virial[3]).Within(1e-6), "the virial is symmetric");
        Directory.Delete(dir, true);
    }

    [Test]
    public void UnconvergedScfIsReportedByFrameAndLeftOut()
    {
        NeedCp2k();
        var dir = Temp("scf");
        var frames = new[] { Frame(), Frame([0.01, 0, 0, 0, 0, 0, 0, 0, 0]) };
        var good = new Cp2kXtbLabeller { Stress = false };
        var work = Path.Combine(dir, "work");
        // Two OT steps and one outer iteration cannot converge the SCF.
        var bad = new Cp2kXtbLabeller { Stress = false, MaxScf = 2, MaxOuterScf = 1, DiagonalizationFallback = false };
        var outcome = bad.Label(frames[1], 1, Path.Combine(work, "frame-000001"));
        Assert.That(outcome.Label, Is.Null);
        Assert.That(outcome.Failure, Does.Contain("SCF did not converge"));

        // A data set from a labeller that cannot converge frame 1 either: frame 0 is written, frame 1 listed as failed.
        var summary = LabelledDataset.Label(new Cp2kXtbLabeller { Stress = false, MaxScf = 2, MaxOuterScf = 1, DiagonalizationFallback = false },
            [frames[0]], ["Li", "P", "F", "C", "O", "H"], Path.Combine(dir, "none"), Path.Combine(dir, "w0"));
        Assert.That(summary.Labelled, Is.EqualTo(0));
        Assert.That(File.ReadAllText(Path.Combine(dir, "none", "failed.txt")), Does.StartWith("0 ").And.Contain("SCF did not converge"));

        var mixed = LabelledDataset.Label(good, frames, ["Li", "P", "F", "C", "O", "H"], Path.Combine(dir, "data"), Path.Combine(dir, "w1"));
        Assert.That(mixed.Labelled, Is.EqualTo(2));
        var sys = DeepmdSystemReader.Read(DeepmdSystemFinder.Find(Path.Combine(dir, "data")).Single());
        Assert.That(sys.FrameCount, Is.EqualTo(2));
        Assert.That(sys.TypeNames, Is.EqualTo(new[] { "Li", "P", "F", "C", "O", "H" }));
        Assert.That(sys.Types[0], Is.EqualTo(1), "atom 1 is P");
        Assert.That(sys.Virials, Is.Null);
        var again = good.Label(frames[0], 0, Path.Combine(dir, "w1", "frame-000000"));
        Assert.That(sys.Energies![0], Is.EqualTo(again.Label!.Energy));
        Assert.That(sys.Forces!.Take(54), Is.EqualTo(again.Label.Forces));
        Assert.That(sys.Boxes!.Skip(9).Take(9), Is.EqualTo(frames[1].Box!.Matrix.ToArray()));
        Directory.Delete(dir, true);
    }

    [Test]
    public void CliLabelsAnExtendedXyzFrameWithVirial()
    {
        NeedCp2k();
        var dir = Temp("cli");
        var f = Frame();
        var xyz = Path.Combine(dir, "frame.xyz");
        var m = f.Box!.Matrix;
        File.WriteAllText(xyz, $"{f.Count}\nLattice=\"{string.Join(" ", m.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n"
            + string.Concat(Enumerable.Range(0, f.Count).Select(i => FormattableString.Invariant($"{f.Species[i]} {f.X[i]:R} {f.Y[i]:R} {f.Z[i]:R}\n"))));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var rc = CommandLine.Run(["label", "--code", "cp2k-xtb", xyz, "-o", Path.Combine(dir, "data"), "--type-map", "Li,P,F,C,O,H"], stdout, stderr);
        Assert.That(rc, Is.EqualTo(0), stderr.ToString());
        Assert.That(stdout.ToString(), Does.Contain("labelled 1 of 1 frames"));
        var sys = DeepmdSystemReader.Read(DeepmdSystemFinder.Find(Path.Combine(dir, "data")).Single());
        Assert.That(sys.Virials, Has.Length.EqualTo(9));
        Assert.That(sys.Forces!.Chunk(3).Select(c => c[0]).Sum(), Is.EqualTo(0).Within(1e-4), "CP2K's forces sum to zero");
        Directory.Delete(dir, true);
    }

    [Test]
    public void EwaldGridHasAtLeastFourPointFivePerAngstromAndFftFriendlySizes()
    {
        var lab = new Cp2kXtbLabeller();
        foreach (var l in new[] { 8.0, 10.2835, 11.0, 13.0294, 20.0 })
        {
            var g = lab.Gmax(l);
            Assert.That(g, Is.GreaterThanOrEqualTo(4.5 * l));
            var m = g;
            foreach (var p in new[] { 2, 3, 5 }) while (m % p == 0) m /= p;
            Assert.That(m, Is.EqualTo(1), $"GMAX {g} for {l} Å has a factor other than 2, 3, 5");
            Assert.That(g, Is.LessThan(4.6 * l * 1.25), "not far above what is needed");
        }
        var input = lab.Input(Frame());
        Assert.That(input, Does.Contain($"GMAX {lab.Gmax(9.0)} {lab.Gmax(Math.Sqrt(0.81 + 9.2 * 9.2))} {lab.Gmax(Math.Sqrt(0.25 + 0.49 + 9.4 * 9.4))}"));
        Assert.That(input, Does.Contain("B 0.9 9.2 0"), "cell vectors as rows");
    }

    [Test]
    public void MissingCp2kNamesTheDebianPackage()
    {
        var lab = new Cp2kXtbLabeller { Executable = "/nonexistent/cp2k.psmp" };
        var e = Assert.Throws<UserInputException>(() => lab.Label(Frame(), 0, Temp("missing")));
        Assert.That(e!.Message, Does.Contain("apt-get install cp2k"));
        var stderr = new StringWriter();
        var dir = Temp("missing-cli");
        var xyz = Path.Combine(dir, "f.xyz");
        File.WriteAllText(xyz, "1\nLattice=\"9 0 0 0 9 0 0 0 9\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nLi 1 1 1\n");
        var rc = CommandLine.Run(["label", xyz, "-o", Path.Combine(dir, "d"), "--cp2k", "/nonexistent/cp2k.psmp"], new StringWriter(), stderr);
        Assert.That(rc, Is.Not.EqualTo(0));
        Assert.That(stderr.ToString(), Does.Contain("apt-get install cp2k"));
    }
}
