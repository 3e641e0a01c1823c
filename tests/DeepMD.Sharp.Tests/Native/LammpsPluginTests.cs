namespace DeepMD.Sharp.Tests.Native;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepMD.Sharp.Tests.Domains;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;
using CommandLine = DeepMD.Sharp.Cli.CommandLine;

/// <summary>
/// LAMMPS itself (Debian's LAMMPS source built with the PLUGIN package and MPI by tools/lammps/build.sh) running our
/// <c>pair_style deepmd</c> (tools/lammps/pair_deepmd.cpp over the C ABI): the water deck's thermo equals
/// <c>dpsharp run</c> of the same deck on 1, 2 and 3 ranks (one owning no atoms), NVT and NPT, newton_pair on and off,
/// orthogonal and triclinic; LAMMPS' <c>compute pe/atom</c> and <c>compute stress/atom</c> equal <c>dpsharp eval
/// --atomic</c>; the model deviation file of two models equals <c>dpsharp run</c>'s; bad input ends the run with
/// LAMMPS' ERROR line carrying our message. The LAMMPS build comes from DPSHARP_LAMMPS_LMP / DPSHARP_LAMMPS_PLUGIN
/// (.ci/run exports build.sh's two lines), else from build.sh when a LAMMPS build is cached; without either the tests
/// skip, or fail under DPSHARP_REQUIRE_LAMMPS_PLUGIN=1.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class LammpsPluginTests
{
    private static readonly string Sea = RepoPaths.TestModel("deeppot_sea.yaml");
    private static readonly string SeR = RepoPaths.TestModel("deeppot-r.yaml");
    private static readonly Lazy<(string? Lmp, string? Plugin, string Why)> Build = new(Locate);
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = RepoPaths.TempDir();

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    /// <summary>The lmp executable and dpsharpplugin.so, or why they are missing.</summary>
    private static (string? Lmp, string? Plugin, string Why) Locate()
    {
        var lmp = Environment.GetEnvironmentVariable("DPSHARP_LAMMPS_LMP");
        var plugin = Environment.GetEnvironmentVariable("DPSHARP_LAMMPS_PLUGIN");
        if (!string.IsNullOrEmpty(lmp) || !string.IsNullOrEmpty(plugin))
            return File.Exists(lmp) && File.Exists(plugin)
                ? (lmp, plugin, "")
                : (null, null, $"DPSHARP_LAMMPS_LMP ({lmp}) or DPSHARP_LAMMPS_PLUGIN ({plugin}) does not name a file; run bash tools/lammps/build.sh");
        // A LAMMPS build cached by tools/lammps/build.sh: the script then only checks it and (re)builds the plugin.
        var cache = Environment.GetEnvironmentVariable("DPSHARP_CACHE") is { Length: > 0 } c ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dpsharp");
        var cached = Directory.Exists(cache) && Directory.EnumerateDirectories(cache, "lammps-*")
            .Any(d => File.Exists(Path.Combine(d, "build", ".dpsharp-complete")));
        if (!cached)
            return (null, null, "no LAMMPS build with our plugin: run bash tools/lammps/build.sh (about 10 minutes once) and export DPSHARP_LAMMPS_LMP and DPSHARP_LAMMPS_PLUGIN from its lmp= and plugin= lines");
        var psi = new ProcessStartInfo("bash", [RepoPaths.Get("tools", "lammps", "build.sh")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) return (null, null, $"tools/lammps/build.sh failed:\n{err.Result}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lmp = lines.FirstOrDefault(l => l.StartsWith("lmp=", StringComparison.Ordinal))?[4..];
        plugin = lines.FirstOrDefault(l => l.StartsWith("plugin=", StringComparison.Ordinal))?[7..];
        return File.Exists(lmp) && File.Exists(plugin) ? (lmp, plugin, "") : (null, null, $"tools/lammps/build.sh printed no lmp=/plugin= lines:\n{output}");
    }

    private static (string Lmp, string Plugin) Require()
    {
        var (lmp, plugin, why) = Build.Value;
        Requirement.That(lmp is not null, Requirement.LammpsPlugin, why);
        if (MpiRun.Find() is null) MpiRun.Require();
        return (lmp!, plugin!);
    }

    /// <summary>Runs the deck (with <c>plugin load</c> in front) in LAMMPS on <paramref name="ranks"/> ranks.</summary>
    private MpiRun.Result RunLammps(int ranks, string deck, int timeoutSeconds = 300)
    {
        var (lmp, plugin) = Require();
        var path = Path.Combine(_dir, "in.lammps");
        File.WriteAllText(path, $"plugin load {plugin}\n{deck}");
        return MpiRun.Run(MpiRun.Find()!, ranks, lmp, ["-in", path, "-log", "none", "-echo", "none"], _dir, TimeSpan.FromSeconds(timeoutSeconds));
    }

    private static string Succeeded(MpiRun.Result r)
    {
        Assert.That(r.TimedOut, Is.False, $"LAMMPS did not finish:\n{r.Output}\n{r.Error}");
        Assert.That(r.ExitCode, Is.EqualTo(0), $"LAMMPS failed:\n{r.Output}\n{r.Error}");
        return r.Output;
    }

    /// <summary>
    /// examples/water/water.lmp, optionally sheared (fractional coordinates kept), or with its x extent widened and the
    /// water moved 2 Å up in x (so that no atom crosses x = 0 into the far end of the box within 100 steps).
    /// </summary>
    private string WaterData(double xy = 0, double xz = 0, double yz = 0, double widenX = 1)
    {
        var lines = File.ReadAllLines(RepoPaths.Get("examples", "water", "water.lmp"));
        const double L = 12.44470;
        var ci = CultureInfo.InvariantCulture;
        var o = new StringBuilder();
        var inAtoms = false;
        foreach (var line in lines)
        {
            var w = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (line.EndsWith("xlo xhi", StringComparison.Ordinal)) o.Append(ci, $"0.0 {L * widenX:R} xlo xhi\n");
            else if (line.EndsWith("xy xz yz", StringComparison.Ordinal)) o.Append(ci, $"{xy:R} {xz:R} {yz:R} xy xz yz\n");
            else if (inAtoms && w.Length == 5)
            {
                double x = double.Parse(w[2], ci), y = double.Parse(w[3], ci), z = double.Parse(w[4], ci);
                // Fractional (x/L, y/L, z/L) in the sheared cell: r = a·x/L + b·y/L + c·z/L.
                o.Append(ci, $"{w[0]} {w[1]} {x + xy * y / L + xz * z / L + (widenX > 1 ? 2.0 : 0.0):R} {y + yz * z / L:R} {z:R}\n");
            }
            else o.Append(line).Append('\n');
            if (line.StartsWith("Atoms", StringComparison.Ordinal)) inAtoms = true;
        }
        var path = Path.Combine(_dir, $"water-{Guid.NewGuid():N}.lmp");
        File.WriteAllText(path, o.ToString());
        return path;
    }

    private static string Deck(string data, string fix, string newton, string pairStyle, string processors = "", int steps = 100) => $"""
        units           metal
        boundary        p p p
        atom_style      atomic
        newton          {newton}
        {processors}
        neighbor        2.0 bin
        neigh_modify    every 10 delay 0 check no
        read_data       {data}
        mass            1 16
        mass            2 2
        pair_style      {pairStyle}
        pair_coeff      * * O H
        velocity        all create 330.0 23456789
        {fix}
        timestep        0.0005
        thermo_style    custom step pe ke etotal temp press vol pxx pyy pzz pxy pxz pyz
        thermo_modify   format float %20.15g
        thermo          10
        run             {steps}
        """;

    private const string Nvt = "fix 1 all nvt temp 330.0 330.0 0.05";
    private const string Npt = "fix 1 all npt temp 330.0 330.0 0.05 iso 1.0 1.0 0.5";

    /// <summary>
    /// The same deck through LAMMPS + plugin and through <c>dpsharp run</c> (without LAMMPS' <c>processors</c> line,
    /// which a one-process run refuses): every thermo value to 1e-8. Returns LAMMPS' output.
    /// </summary>
    private string CompareThermo(int ranks, string data, string fix, string newton, string processors = "")
    {
        var lammps = Succeeded(RunLammps(ranks, Deck(data, fix, newton, $"deepmd {Sea}", processors)));
        Assert.That(lammps, Does.Contain("DeepMD.Sharp pair_style deepmd"), "the plugin's pair style ran");
        var deckPath = Path.Combine(_dir, "in.dpsharp");
        File.WriteAllText(deckPath, Deck(data, fix, newton, $"deepmd {Sea}"));
        var ours = LammpsHarness.RunDpsharp(deckPath, _dir);
        var tables = LammpsHarness.ThermoTables(lammps);
        Assert.That(tables, Has.Count.EqualTo(1));
        Assert.That(tables[0].Rows, Has.Count.EqualTo(11), "thermo rows at steps 0, 10, ..., 100");
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-8);
        return lammps;
    }

    /// <summary>LAMMPS' end-of-run "Nlocal: ave max min" line: the fewest atoms a rank owned at the end.</summary>
    private static double FewestOwned(string lammps)
    {
        var line = lammps.Split('\n').Last(l => l.StartsWith("Nlocal:", StringComparison.Ordinal));
        var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(w[^1], Is.EqualTo("min"), line);
        TestContext.Out.WriteLine(line);
        return double.Parse(w[^2], CultureInfo.InvariantCulture);
    }

    [TestCase(1, "nvt", "on")]
    [TestCase(1, "npt", "off")]
    [TestCase(2, "nvt", "on")]
    [TestCase(2, "nvt", "off")]
    [TestCase(2, "npt", "on")]
    [TestCase(2, "npt", "off")]
    public void WaterThermoEqualsDpsharpRun(int ranks, string ensemble, string newton) =>
        CompareThermo(ranks, WaterData(), ensemble == "nvt" ? Nvt : Npt, newton);

    [TestCase(2, "nvt", "on")]
    [TestCase(2, "npt", "off")]
    public void TriclinicWaterThermoEqualsDpsharpRun(int ranks, string ensemble, string newton) =>
        CompareThermo(ranks, WaterData(xy: 2.0, xz: -1.5, yz: 1.0), ensemble == "nvt" ? Nvt : Npt, newton);

    /// <summary>
    /// The water in the first half of a box twice as long in x, cut into three slabs (<c>processors 3 1 1</c>,
    /// 8.3 Å each; the water lies between x = 2 Å and 14.5 Å): the third rank owns no atom (LAMMPS' Nlocal min is 0), its neighbors get ghosts from one side only.
    /// </summary>
    [TestCase("on")]
    [TestCase("off")]
    public void ThreeRanksOneOwningNoAtomsEqualDpsharpRun(string newton)
    {
        var lammps = CompareThermo(3, WaterData(widenX: 2), Nvt, newton, "processors 3 1 1");
        Assert.That(FewestOwned(lammps), Is.EqualTo(0), "a rank owning no atoms");
    }

    /// <summary>
    /// <c>compute pe/atom</c> and <c>compute stress/atom NULL virial</c> (−W·nktv2p, LAMMPS' order xx yy zz xy xz yz)
    /// after <c>run 0</c> equal <c>dpsharp eval --json --atomic</c> of the same structure.
    /// </summary>
    [TestCase(1, "on", false)]
    [TestCase(2, "on", false)]
    [TestCase(2, "off", false)]
    [TestCase(3, "off", true)]
    [TestCase(2, "on", true)]
    public void PerAtomEnergyAndVirialEqualEval(int ranks, string newton, bool triclinic)
    {
        var data = triclinic ? WaterData(xy: 2.0, xz: -1.5, yz: 1.0) : WaterData();
        var deck = $"""
            units metal
            atom_style atomic
            newton {newton}
            neighbor 2.0 bin
            read_data {data}
            mass 1 16
            mass 2 2
            pair_style deepmd {Sea}
            pair_coeff * * O H
            compute pe all pe/atom
            compute s all stress/atom NULL virial
            dump 1 all custom 1 atoms.dump id c_pe c_s[1] c_s[2] c_s[3] c_s[4] c_s[5] c_s[6]
            dump_modify 1 sort id format float %.17g
            thermo_style custom step pe press
            run 0
            """;
        Succeeded(RunLammps(ranks, deck));
        var dump = File.ReadAllLines(Path.Combine(_dir, "atoms.dump"));
        var start = Array.FindIndex(dump, l => l.StartsWith("ITEM: ATOMS", StringComparison.Ordinal)) + 1;
        var rows = dump.Skip(start).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.That(rows, Has.Length.EqualTo(192));

        var o = new StringWriter();
        var e = new StringWriter();
        Assert.That(CommandLine.Run(["eval", Sea, data, "--type-map", "O,H", "--json", "--atomic"], o, e), Is.EqualTo(0), e.ToString());
        using var json = JsonDocument.Parse(o.ToString());
        var atomEnergy = json.RootElement.GetProperty("atom_energy").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var atomVirial = json.RootElement.GetProperty("atom_virial").EnumerateArray()
            .Select(a => a.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        const double Nktv2p = 1.6021765e6; // LAMMPS' metal units: eV/Å^3 -> bar
        double worstE = 0, worstV = 0, scaleV = 0;
        foreach (var w in atomVirial) scaleV = Math.Max(scaleV, w.Max(Math.Abs));
        for (var i = 0; i < 192; i++)
        {
            Assert.That(rows[i][0], Is.EqualTo(i + 1));
            worstE = Math.Max(worstE, Math.Abs(rows[i][1] - atomEnergy[i]) / Math.Abs(atomEnergy[i]));
            var w = atomVirial[i];
            double[] expected = [w[0], w[4], w[8], w[3], w[6], w[7]];
            for (var k = 0; k < 6; k++)
                worstV = Math.Max(worstV, Math.Abs(-rows[i][2 + k] / Nktv2p - expected[k]) / scaleV);
        }
        TestContext.Out.WriteLine($"per-atom energy: largest relative difference {worstE:E2}; per-atom virial: {worstV:E2} of the largest component");
        Assert.That(worstE, Is.LessThan(1e-10));
        Assert.That(worstV, Is.LessThan(1e-10));
    }

    /// <summary>Two models (se_e2_a and se_r) with out_freq 10: LAMMPS' file equals dpsharp run's to the printed digits.</summary>
    [TestCase(1, "on", "atomic")]
    [TestCase(2, "on", "atomic")]
    [TestCase(2, "off", "atomic relative 1.0 relative_v 0.5")]
    [TestCase(3, "on", "")]
    public void ModelDeviationFileEqualsDpsharpRun(int ranks, string newton, string options)
    {
        var data = ranks == 3 ? WaterData(widenX: 2) : WaterData();
        var processors = ranks == 3 ? "processors 3 1 1" : "";
        var pair = $"deepmd {Sea} {SeR} out_freq 10 out_file md.out {options}";
        var lammps = Succeeded(RunLammps(ranks, Deck(data, Nvt, newton, pair, processors, steps: 50)));
        if (ranks == 3) Assert.That(FewestOwned(lammps), Is.EqualTo(0), "a rank owning no atoms");
        var theirs = File.ReadAllLines(Path.Combine(_dir, "md.out"));
        var deckPath = Path.Combine(_dir, "in.dpsharp");
        File.WriteAllText(deckPath, Deck(data, Nvt, newton, pair.Replace("out_file md.out", "out_file md-dpsharp.out"), steps: 50));
        LammpsHarness.RunDpsharp(deckPath, _dir);
        var ours = File.ReadAllLines(Path.Combine(_dir, "md-dpsharp.out"));
        Assert.That(theirs[0], Is.EqualTo(ours[0]), "header");
        Assert.That(theirs, Has.Length.EqualTo(ours.Length).And.Length.EqualTo(7), "a line at steps 0, 10, ..., 50");
        double worst = 0;
        for (var r = 1; r < ours.Length; r++)
        {
            var a = theirs[r].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var b = ours[r].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(a, Has.Length.EqualTo(b.Length).And.Length.EqualTo(options.Contains("atomic") ? 7 + 192 : 7), $"columns of line {r + 1}");
            Assert.That(a[0], Is.EqualTo(b[0]), "step");
            Assert.That(theirs[r].Length, Is.EqualTo(ours[r].Length), $"fixed-width layout of line {r + 1}");
            for (var k = 1; k < a.Length; k++)
            {
                double x = double.Parse(a[k], CultureInfo.InvariantCulture), y = double.Parse(b[k], CultureInfo.InvariantCulture);
                // Printed with 7 significant digits: the last digit may round the other way.
                var rel = Math.Abs(x - y) / Math.Max(Math.Max(Math.Abs(x), Math.Abs(y)), 1e-300);
                worst = Math.Max(worst, x == y ? 0 : rel);
            }
        }
        TestContext.Out.WriteLine($"largest relative difference between the files: {worst:E2}");
        Assert.That(worst, Is.LessThanOrEqualTo(2e-6));
    }

    private void AssertLammpsError(MpiRun.Result r, string expected)
    {
        var all = r.Output + "\n" + r.Error;
        Assert.That(r.TimedOut, Is.False, $"LAMMPS hung:\n{all}");
        Assert.That(r.ExitCode, Is.Not.EqualTo(0), all);
        Assert.That(all, Does.Match(@"ERROR( on proc \d+)?: pair_style deepmd: "), all);
        Assert.That(all, Does.Contain(expected), all);
        Assert.That(all, Does.Not.Contain("Unhandled exception").And.Not.Contain("   at DeepMD.").And.Not.Contain("System."), "no .NET exception or stack trace");
    }

    [TestCase(1)]
    [TestCase(2)]
    public void MissingModelEndsWithLammpsError(int ranks)
    {
        var missing = Path.Combine(_dir, "no-such-model.dp");
        AssertLammpsError(RunLammps(ranks, Deck(WaterData(), Nvt, "on", $"deepmd {missing}"), 120), "no-such-model.dp");
    }

    [TestCase(2)]
    public void UnknownElementEndsWithLammpsError(int ranks)
    {
        var deck = Deck(WaterData(), Nvt, "on", $"deepmd {Sea}").Replace("pair_coeff      * * O H", "pair_coeff      * * O Xx");
        AssertLammpsError(RunLammps(ranks, deck, 120), "element 'Xx' (atom type 2) is not in the model's type map [O H]");
    }

    /// <summary>The water squeezed to 0.6 of its size in every direction (4.6× denser): more neighbors than sel.</summary>
    [TestCase(1)]
    [TestCase(2)]
    public void SelOverflowEndsWithLammpsError(int ranks)
    {
        var deck = Deck(WaterData(), Nvt, "on", $"deepmd {Sea}")
            .Replace("velocity        all create", "change_box all x scale 0.6 y scale 0.6 z scale 0.6 remap\nvelocity        all create");
        AssertLammpsError(RunLammps(ranks, deck, 120), "but the model's sel for that type is");
    }
}
