namespace DeepMD.Sharp.Tests.Gpu;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Cli;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// A deck's <c>run</c> handed to the device-resident MD loop (GPU backend on ILGPU's CPU accelerator,
/// <c>DPSHARP_GPU_EMULATE=1</c>) prints the same thermo lines and dump frames as the host loop with the reference
/// evaluator: fix nve and fix nvt over two consecutive runs (the thermostat chain continues across them), with device
/// neighbor rebuilds inside; decks the device cannot run fall back to the host with the reason in the log.
/// </summary>
[NonParallelizable]
public class DeckDeviceLoopTests
{
    private static string WriteData(string dir)
    {
        var (_, simBox, x, y, z, types, v) = GpuMolecularDynamicsTests.Water(11);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("water, 4 molecules\n\n");
        sb.Append(inv, $"{x.Length} atoms\n2 atom types\n\n");
        sb.Append(inv, $"{simBox.Lo[0]:R} {simBox.Hi[0]:R} xlo xhi\n{simBox.Lo[1]:R} {simBox.Hi[1]:R} ylo yhi\n{simBox.Lo[2]:R} {simBox.Hi[2]:R} zlo zhi\n");
        sb.Append(inv, $"{simBox.Xy:R} {simBox.Xz:R} {simBox.Yz:R} xy xz yz\n\nAtoms # atomic\n\n");
        for (var i = 0; i < x.Length; i++) sb.Append(inv, $"{i + 1} {types[i] + 1} {x[i]:R} {y[i]:R} {z[i]:R}\n");
        sb.Append("\nVelocities\n\n");
        for (var i = 0; i < x.Length; i++) sb.Append(inv, $"{i + 1} {v[3 * i]:R} {v[3 * i + 1]:R} {v[3 * i + 2]:R}\n");
        var path = Path.Combine(dir, "water12.data");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    private static string Deck(string data, string fix, string extra = "", string models = "") => $"""
        units metal
        boundary p p p
        atom_style atomic
        read_data {data}
        mass 1 15.9994
        mass 2 1.00794
        pair_style deepmd {RepoPaths.TestModel("water-example-float32.dp")}{models}
        pair_coeff * * O H
        neighbor 0.05 bin
        timestep 0.0005
        fix 1 all {fix}
        {extra}
        thermo_style custom step pe ke temp press etotal ecouple econserve
        thermo_modify format float %22.15g
        thermo 3
        dump 1 all custom 4 dump.out id type x y z vx vy vz fx fy fz
        run 7
        run 5
        """;

    private static (string Log, string Dump) Run(string deck, string backend) => Run(deck, backend, out _);

    private static (string Log, string Dump) Run(string deck, string backend, out string directory)
    {
        var dir = RepoPaths.TempDir();
        directory = dir;
        var path = Path.Combine(dir, "in.test");
        File.WriteAllText(path, deck);
        var oldBackend = Environment.GetEnvironmentVariable("DPSHARP_BACKEND");
        var oldEmulate = Environment.GetEnvironmentVariable(GpuBackends.EmulateVariable);
        try
        {
            Environment.SetEnvironmentVariable("DPSHARP_BACKEND", backend);
            Environment.SetEnvironmentVariable(GpuBackends.EmulateVariable, "1");
            DeepMD.Sharp.ShippedBackends.Register(DeepMD.Sharp.Models.Backends.BackendRegistry.Default);
            var screen = new StringWriter();
            using (var session = new DeckSession(screen, dir, null)) session.RunFile(path);
            return (screen.ToString(), File.ReadAllText(Path.Combine(dir, "dump.out")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("DPSHARP_BACKEND", oldBackend);
            Environment.SetEnvironmentVariable(GpuBackends.EmulateVariable, oldEmulate);
        }
    }

    /// <summary>The numbers of the thermo lines (lines that start with a step number and have 8 columns).</summary>
    private static List<double[]> ThermoRows(string log) =>
        log.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length == 8 && long.TryParse(w[0], out _))
            .Select(w => w.Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray()).ToList();

    private static List<double> DumpNumbers(string dump) =>
        dump.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length == 11).SelectMany(w => w.Select(t => double.Parse(t, CultureInfo.InvariantCulture))).ToList();

    [TestCase("nve")]
    [TestCase("nvt temp 300 330 0.01")]
    public void Deck_On_The_Device_Loop_Matches_The_Host(string fix)
    {
        var deck = Deck(WriteData(RepoPaths.TempDir()), fix);
        var host = Run(deck, "reference");
        var device = Run(deck, "gpu-f64");
        Assert.That(host.Log, Does.Not.Contain("device loop:"));
        Assert.That(device.Log, Does.Contain("device loop: gpu-f64"), device.Log);
        var builds = System.Text.RegularExpressions.Regex.Matches(device.Log, @"Neighbor list builds = (\d+) \(on the device\)");
        Assert.That(builds, Has.Count.EqualTo(2), "one summary per run");
        Assert.That(builds.Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)), Is.GreaterThan(2), "the 0.05 Å skin forces device rebuilds");
        var h = ThermoRows(host.Log);
        var d = ThermoRows(device.Log);
        Assert.That(h.Select(r => r[0]), Is.EqualTo(new double[] { 0, 3, 6, 7, 7, 9, 12 }), "thermo steps of run 7 + run 5");
        Assert.That(d.Select(r => r[0]), Is.EqualTo(h.Select(r => r[0])));
        double worst = 0;
        for (var k = 0; k < h.Count; k++)
            for (var c = 1; c < 8; c++)
                worst = Math.Max(worst, Math.Abs(d[k][c] - h[k][c]) / Math.Max(1e-3, Math.Abs(h[k][c])));
        var hd = DumpNumbers(host.Dump);
        var dd = DumpNumbers(device.Dump);
        Assert.That(dd.Count, Is.EqualTo(hd.Count).And.GreaterThan(0), "dump frames");
        // Dumps print 6 significant digits (LAMMPS' default): equal up to a last-digit rounding.
        var worstDump = hd.Zip(dd, (a, b) => Math.Abs(a - b) / Math.Max(1, Math.Abs(a))).Max();
        TestContext.Out.WriteLine($"{fix}: largest thermo difference {worst:E2} (relative), dump {worstDump:E2}");
        Assert.That(worst, Is.LessThan(1e-9), "thermo columns");
        Assert.That(worstDump, Is.LessThan(1e-5), "dumped positions, velocities, forces");
    }

    [Test]
    public void Model_Deviation_Of_Several_Models_Is_Computed_On_The_Device_Like_The_Host()
    {
        var models = $" {RepoPaths.Get("potentials", "water", "water.dp")} out_freq 2 out_file md.out";
        var deck = Deck(WriteData(RepoPaths.TempDir()), "nve", models: models);
        var host = Run(deck, "reference", out var hostDir);
        var device = Run(deck, "gpu-f64", out var deviceDir);
        Assert.That(device.Log, Does.Contain("model deviation of 2 models every 2 steps"), device.Log);
        var h = File.ReadAllLines(Path.Combine(hostDir, "md.out"));
        var d = File.ReadAllLines(Path.Combine(deviceDir, "md.out"));
        Assert.That(d[0], Is.EqualTo(h[0]), "header");
        double[][] Rows(string[] lines) => lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var hr = Rows(h);
        var dr = Rows(d);
        Assert.That(hr.Select(r => r[0]), Is.EqualTo(new double[] { 0, 2, 4, 6, 8, 10, 12 }), "steps 0..12 every 2 over run 7 + run 5");
        Assert.That(dr.Select(r => r[0]), Is.EqualTo(hr.Select(r => r[0])));
        var worst = hr.Zip(dr, (a, b) => a.Zip(b, (p, q) => Math.Abs(p - q) / Math.Max(1e-12, Math.Abs(p))).Max()).Max();
        TestContext.Out.WriteLine($"largest relative difference of the deviation columns: {worst:E2}");
        Assert.That(worst, Is.LessThan(1e-5), "columns agree to the printed 7 digits");

        // Independently of our deviation code: step 0 against dp model-devi's definitions computed by hand from the
        // reference evaluator's results for the two models at the data file's positions.
        var (cell, _, x, y, z, types, _) = GpuMolecularDynamicsTests.Water(11);
        var evaluations = new[] { RepoPaths.TestModel("water-example-float32.dp"), RepoPaths.Get("potentials", "water", "water.dp") }
            .Select(ModelLoader.Load).Select(m => ReferenceEvaluator.Evaluate(m, types, CellListNeighborSearch.Build(x, y, z, cell, m.Cutoff))).ToArray();
        var byHand = GpuModelDeviationTests.ByHand(evaluations, x.Length);
        Assert.That(byHand[3], Is.GreaterThan(1e-3), "the two models disagree");
        for (var q = 0; q < 6; q++)
            Assert.That(dr[0][q + 1], Is.EqualTo(byHand[q]).Within(1e-6 * Math.Abs(byHand[q])), $"device md.out step 0, column {q + 1} vs the hand computation");
    }

    [Test]
    public void Runs_The_Device_Cannot_Do_Stay_On_The_Host_With_The_Reason()
    {
        var deck = Deck(WriteData(RepoPaths.TempDir()), "nve", "fix 2 all langevin 300 300 0.1 48279");
        var device = Run(deck, "gpu-f64");
        Assert.That(device.Log, Does.Contain("host loop: the device loop runs exactly one fix, nve or nvt; this run has nve, langevin"));
        Assert.That(ThermoRows(device.Log), Has.Count.EqualTo(7));
    }
}
