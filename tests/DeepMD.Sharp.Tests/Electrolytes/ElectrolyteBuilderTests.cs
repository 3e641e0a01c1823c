namespace DeepMD.Sharp.Tests.Electrolytes;

using System.Diagnostics;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Electrolytes;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// The molecule templates against chemistry (formula masses, bond counts, the standard bond lengths they claim),
/// the concentration arithmetic against hand calculations, and packings by Packmol (Debian: packmol; skipped visibly
/// without it, a failure with DPSHARP_REQUIRE_PACKMOL=1): counts, charge neutrality, distances across periodic
/// images, seed reproducibility, and the error for a missing executable.
/// </summary>
public class ElectrolyteBuilderTests
{
    internal const string RequirePackmol = "DPSHARP_REQUIRE_PACKMOL";

    internal static void NeedPackmol() =>
        Requirement.That(new PackmolBuilder().Resolve() is not null, RequirePackmol, "packmol is not installed (Debian: apt-get install packmol)");

    // Molar masses from the molecular formulas with IUPAC standard atomic weights (abridged), computed by hand:
    // PF6- = 30.974 + 6·18.998; EC = C3H4O3; PC = C4H6O3; DMC = C3H6O3; EMC = C4H8O3; DEC = C5H10O3; FEC = C3H3FO3;
    // DME = C4H10O2; FSI- = F2NO4S2; TFSI- = C2F6NO4S2; BF4- = 10.81 + 4·18.998; water H2O.
    [TestCase("Li+", 1, 0, 6.94)]
    [TestCase("PF6-", 7, 6, 144.962)]
    [TestCase("BF4-", 5, 4, 86.802)]
    [TestCase("FSI-", 9, 8, 180.120)]
    [TestCase("TFSI-", 15, 14, 280.131)]
    [TestCase("EC", 10, 10, 88.062)]
    [TestCase("PC", 13, 13, 102.089)]
    [TestCase("FEC", 10, 10, 106.052)]
    [TestCase("DMC", 12, 11, 90.078)]
    [TestCase("EMC", 15, 14, 104.105)]
    [TestCase("DEC", 18, 17, 118.132)]
    [TestCase("DME", 16, 15, 90.122)]
    [TestCase("water", 3, 2, 18.015)]
    public void TemplatesHaveTheFormulaMassAndBondCountOfTheMolecule(string name, int atoms, int bonds, double mass)
    {
        var t = MoleculeLibrary.Get(name);
        Assert.That(t.AtomCount, Is.EqualTo(atoms));
        Assert.That(t.Bonds, Has.Count.EqualTo(bonds), "bonds perceived from the geometry (a connected molecule has atoms − 1 bonds plus one per ring)");
        Assert.That(t.Mass, Is.EqualTo(mass).Within(0.005));
        Assert.That(t.Charges.Sum(), Is.EqualTo(t.FormalCharge).Within(1e-12));
    }

    [Test]
    public void TemplateBondsHaveTheStandardLengthsTheyClaim()
    {
        var expected = new Dictionary<string, double[]>
        {
            ["C-H"] = [1.09], ["C-C"] = [1.52, 1.41], ["C-O"] = [1.43, 1.34, 1.21, 1.41], ["C-F"] = [1.33, 1.36], ["O-S"] = [1.43],
            ["N-S"] = [1.58], ["F-S"] = [1.58], ["C-S"] = [1.83], ["F-P"] = [1.60], ["B-F"] = [1.40], ["H-O"] = [0.9572],
        };
        foreach (var name in MoleculeLibrary.Names)
        {
            var t = MoleculeLibrary.Get(name);
            foreach (var (i, j) in t.Bonds)
            {
                var key = string.Join("-", new[] { t.Elements[i], t.Elements[j] }.Order(StringComparer.Ordinal));
                var r = Distance(t.Positions, i, j);
                Assert.That(expected.ContainsKey(key), $"{name}: unexpected bond {key} ({r:F3} Å)");
                Assert.That(expected[key].Min(v => Math.Abs(v - r)), Is.LessThan(1e-3), $"{name}: {key} bond {r:F4} Å is none of {string.Join(", ", expected[key])}");
            }
            // Nothing unbonded closer than 1.4 Å (no clashes in a template).
            for (var i = 0; i < t.AtomCount; i++)
                for (var j = i + 1; j < t.AtomCount; j++)
                    if (!t.Bonds.Contains((i, j))) Assert.That(Distance(t.Positions, i, j), Is.GreaterThan(1.4), $"{name}: atoms {i} and {j}");
        }
    }

    private static double Distance(double[] x, int i, int j) =>
        Math.Sqrt(Enumerable.Range(0, 3).Sum(d => (x[3 * i + d] - x[3 * j + d]) * (x[3 * i + d] - x[3 * j + d])));

    [Test]
    public void ConcentrationArithmeticMatchesAHandCalculation()
    {
        // 1.0 mol/L LiPF6 in EC:DMC 1:1 by weight at 1.25 g/cm³, 10 pairs: per pair 1 L/N_A of solution weighing
        // 1250 g/mol; less LiPF6 (151.902) leaves 1098.098 g/mol of solvent, half EC (88.062) half DMC (90.078):
        // 10 · 549.049 / 88.062 = 62.35 → 62 EC, 10 · 549.049 / 90.078 = 60.95 → 61 DMC.
        var c = new ElectrolyteComposition("LiPF6", [("EC", 1), ("DMC", 1)], SolventRatio.Weight, 1.0, 10, 1.25);
        var counts = c.Counts();
        Assert.That(counts.Select(m => (m.Template.Name, m.Count)), Is.EqualTo(new[] { ("Li+", 10), ("PF6-", 10), ("EC", 62), ("DMC", 61) }));
        // By moles 3:7 EC:EMC: mean solvent mass 0.3·88.062 + 0.7·104.105 = 99.292; 10 · 1098.098 / 99.292 = 110.59
        // solvent molecules: 33.18 → 33 EC, 77.41 → 77 EMC.
        var m = new ElectrolyteComposition("LiPF6", [("EC", 3), ("EMC", 7)], SolventRatio.Mole, 1.0, 10, 1.25).Counts();
        Assert.That(m.Select(x => x.Count), Is.EqualTo(new[] { 10, 10, 33, 77 }));
        // Box arithmetic: 10 pairs in 10/N_A L = 16 605.39 Å³ is 1 mol/L (1 L = 1e27 Å³).
        Assert.That(BoxArithmetic.Molarity(10, 10 / 6.02214076e23 * 1e27), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(() => new ElectrolyteComposition("LiPF6", [("EC", 1)], SolventRatio.Weight, 10, 1, 1.2).Counts(), Throws.TypeOf<UserInputException>().With.Message.Contains("heavier"));
        Assert.That(() => new ElectrolyteComposition("NaPF6", [("EC", 1)], SolventRatio.Weight, 1, 1, 1.2).Counts(), Throws.TypeOf<UserInputException>().With.Message.Contains("LiPF6"));
    }

    [Test]
    public void MissingPackmolIsAClearError()
    {
        var b = new PackmolBuilder { Executable = "/nonexistent/packmol" };
        var e = Assert.Throws<UserInputException>(() => b.Pack([new MoleculeCount(MoleculeLibrary.Get("water"), 2)], 1.0));
        Assert.That(e!.Message, Does.Contain("apt-get install packmol"));
    }

    [Test]
    public void PackedBoxHasTheCountsIsNeutralAndKeepsTheToleranceAcrossPeriodicImages()
    {
        NeedPackmol();
        const double tolerance = 2.0;
        var c = new ElectrolyteComposition("LiTFSI", [("EC", 1), ("DMC", 1)], SolventRatio.Weight, 1.5, 2, 1.2);
        var box = new PackmolBuilder { Tolerance = tolerance, Seed = 11 }.Pack(c.Counts(), c.Density);
        Assert.That(box.Census(), Is.EqualTo(c.Counts().Select(m => (m.Template.Name, m.Count))));
        Assert.That(box.AtomCount, Is.EqualTo(c.Counts().Sum(m => m.Count * m.Template.AtomCount)));
        Assert.That(box.TotalCharge, Is.EqualTo(0).Within(1e-9));
        Assert.That(box.Density, Is.EqualTo(1.2).Within(1e-9));
        // Every atom inside the box, and each molecule whole once unwrapped with its image flags.
        for (var i = 0; i < box.AtomCount; i++)
            for (var d = 0; d < 3; d++)
                Assert.That(box.Positions[3 * i + d], Is.InRange(0.0, box.Lengths[d]));
        // Atoms of different molecules, over all periodic images (brute force over the 27 neighbouring cells):
        // Packmol converges to its tolerance within its precision (0.01 on the squared-distance penalty).
        var min = double.PositiveInfinity;
        for (var i = 0; i < box.AtomCount; i++)
            for (var j = 0; j < box.AtomCount; j++)
            {
                if (box.Molecule[i] == box.Molecule[j]) continue;
                for (var a = -1; a <= 1; a++)
                    for (var b = -1; b <= 1; b++)
                        for (var k = -1; k <= 1; k++)
                        {
                            var dx = box.Positions[3 * j] + a * box.Lengths[0] - box.Positions[3 * i];
                            var dy = box.Positions[3 * j + 1] + b * box.Lengths[1] - box.Positions[3 * i + 1];
                            var dz = box.Positions[3 * j + 2] + k * box.Lengths[2] - box.Positions[3 * i + 2];
                            min = Math.Min(min, Math.Sqrt(dx * dx + dy * dy + dz * dz));
                        }
            }
        Assert.That(min, Is.GreaterThan(tolerance - 0.05));
        Assert.That(box.MinimumIntermolecularDistance().Distance, Is.EqualTo(min).Within(1e-9));
        // Bonded atoms (unwrapped with image flags) are at template distances: molecules are whole.
        foreach (var (i, j) in box.Bonds())
        {
            var r = Math.Sqrt(Enumerable.Range(0, 3).Sum(d =>
                Math.Pow(box.Positions[3 * j + d] + box.Images[3 * j + d] * box.Lengths[d] - box.Positions[3 * i + d] - box.Images[3 * i + d] * box.Lengths[d], 2)));
            Assert.That(r, Is.LessThan(1.9));
        }
    }

    [Test]
    public void SameSeedSameBoxOtherSeedOtherBox()
    {
        NeedPackmol();
        MoleculeCount[] counts = [new(MoleculeLibrary.Get("Li+"), 2), new(MoleculeLibrary.Get("BF4-"), 2), new(MoleculeLibrary.Get("PC"), 6)];
        var a = new PackmolBuilder { Seed = 5 }.Pack(counts, 1.0);
        var b = new PackmolBuilder { Seed = 5 }.Pack(counts, 1.0);
        var c = new PackmolBuilder { Seed = 6 }.Pack(counts, 1.0);
        Assert.That(b.Positions, Is.EqualTo(a.Positions));
        Assert.That(c.Positions, Is.Not.EqualTo(a.Positions));
    }

    [Test]
    public void BuildBoxWritesADataFileLammpsReads()
    {
        NeedPackmol();
        var dir = RepoPaths.TempDir();
        try
        {
            var stem = Path.Combine(dir, "box");
            var o = new StringWriter();
            var e = new StringWriter();
            var code = CommandLine.Run(["build-box", "--salt", "LiFSI", "--solvents", "DME", "-c", "2", "--pairs", "2", "--density", "1.1",
                "--type-map", "Li,P,F,C,O,H,N,S", "--seed", "3", "-o", stem], o, e);
            Assert.That(code, Is.EqualTo(0), e.ToString());
            Assert.That(o.ToString(), Does.Contain("net charge 0.000000 e"));
            var xyz = File.ReadAllLines(stem + ".xyz");
            var data = File.ReadAllText(stem + ".data");
            Assert.That(xyz[1], Does.Contain("Properties=species:S:1:pos:R:3:molecule:I:1:charge:R:1"));
            Assert.That(data, Does.Contain("8 atom types"));
            Assert.That(data, Does.Contain("Atoms # full"));
            // LAMMPS itself (Debian's lmp) reads the atom_style full file and counts the same atoms, bonds, angles.
            var lmp = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(p => Path.Combine(p, "lmp")).FirstOrDefault(File.Exists);
            Requirement.That(lmp is not null, Requirement.Lammps, "lmp is not installed; the data file was not checked in LAMMPS");
            File.WriteAllText(Path.Combine(dir, "in.check"), "units metal\natom_style full\nread_data box.data\n");
            var psi = new ProcessStartInfo(lmp!) { WorkingDirectory = dir, RedirectStandardOutput = true };
            foreach (var a in new[] { "-in", "in.check", "-log", "log.check" }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var log = File.ReadAllText(Path.Combine(dir, "log.check"));
            Assert.That(p.ExitCode, Is.EqualTo(0), log);
            var atoms = int.Parse(xyz[0]);
            Assert.That(log, Does.Contain($"  {atoms} atoms"));
            var bonds = data.Split('\n').First(l => l.EndsWith(" bonds", StringComparison.Ordinal));
            Assert.That(log, Does.Contain($"  {bonds}"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
