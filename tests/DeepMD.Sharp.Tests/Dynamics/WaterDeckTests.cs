namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>The shipped DeePMD-kit water deck (pair_style deepmd, fix nvt, dump custom) and an NVE variant.</summary>
[TestFixture]
public class WaterDeckTests
{
    [Test]
    public void ShippedWaterDeckRunsAndWritesThermoAndDump()
    {
        var dir = RepoPaths.TempDir();
        var output = LammpsHarness.RunDpsharp(RepoPaths.Get("examples", "water", "in.water"), dir);
        var table = LammpsHarness.ThermoTables(output).Single();
        Assert.That(table.Header, Is.EqualTo(new[] { "Step", "PotEng", "KinEng", "TotEng", "Temp", "Press", "Volume" }));
        Assert.That(table.Rows, Has.Count.EqualTo(11));
        Assert.That(table.Rows[0][4], Is.EqualTo(330.0).Within(1e-9), "velocity create scales to exactly 330 K");
        foreach (var row in table.Rows)
        {
            Assert.That(row.All(double.IsFinite), Is.True);
            Assert.That(row[4], Is.InRange(200.0, 450.0), "NVT keeps the temperature near 330 K");
            Assert.That(row[6], Is.EqualTo(1927.3176).Within(1e-3));
        }
        // The headline example runs the shipped trained potential, which holds the thermostat's 330 K (DeePMD-kit's
        // inference test model heats this box to ~375 K over the same 0.1 ps: the mean of the last five rows).
        Assert.That(File.ReadAllText(RepoPaths.Get("examples", "water", "in.water")), Does.Contain("../../potentials/water/water.dp"));
        Assert.That(table.Rows.Skip(6).Average(r => r[4]), Is.EqualTo(330.0).Within(20.0), "late temperatures stay near 330 K");
        var dump = File.ReadAllLines(Path.Combine(dir, "water.dump"));
        Assert.That(dump.Count(l => l == "ITEM: TIMESTEP"), Is.EqualTo(3), "frames at steps 0, 100, 200");
        Assert.That(dump.Count(l => l == "ITEM: ATOMS id type x y z"), Is.EqualTo(3));
        Assert.That(dump.Length, Is.EqualTo(3 * (9 + 192)));
        Assert.That(File.Exists(Path.Combine(dir, "log.dpsharp")), Is.True);
    }

    [Test]
    public void WaterNveConservesEnergy()
    {
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.nve");
        File.WriteAllText(deck, $"""
            units metal
            atom_style atomic
            neighbor 2.0 bin
            neigh_modify every 10 delay 0 check no
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}
            pair_coeff * * O H
            velocity all create 330.0 23456789
            fix 1 all nve
            timestep 0.0005
            thermo_style custom step pe ke etotal temp
            thermo 10
            run 0
            """);
        using var session = new DeckSession(new StringWriter(), dir, null);
        session.RunFile(deck);
        var sim = session.Simulation!;
        double Total() => sim.PotentialEnergy + DeepMD.Sharp.Dynamics.Thermo.Thermodynamics.KineticEnergy(sim);
        var e0 = Total();
        double drift = 0;
        for (var k = 0; k < 4; k++)
        {
            session.Runner.RunText("more", "run 10");
            drift = Math.Max(drift, Math.Abs(Total() - e0));
        }
        TestContext.Out.WriteLine($"NVE water, 40 steps of 0.5 fs: max |E - E0| = {drift:E3} eV (E0 = {e0:F6} eV)");
        Assert.That(drift, Is.LessThan(1e-4), "total energy drift over 40 steps (eV, 192 atoms)");
    }

    [Test]
    public void ExtendedXyzDumpReadsBackWithTheRunsEnergiesAndForces()
    {
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.ext");
        File.WriteAllText(deck, $"""
            units metal
            neighbor 2.0 bin
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}
            pair_coeff * * O H
            velocity all create 330.0 23456789
            fix 1 all nve
            timestep 0.0005
            thermo_style custom step pe
            thermo_modify format float %20.15g
            thermo 5
            dump 1 all extxyz 5 water.extxyz
            run 10
            """);
        var output = LammpsHarness.RunDpsharp(deck, dir);
        var pe = LammpsHarness.ThermoTables(output).Single().Rows.Select(r => r[1]).ToList();
        var frames = DeepMD.Sharp.IO.ExtXyzReader.ReadExtendedFrames(Path.Combine(dir, "water.extxyz"));
        Assert.That(frames, Has.Count.EqualTo(3), "frames at steps 0, 5, 10");
        for (var k = 0; k < 3; k++)
        {
            var f = frames[k];
            Assert.That(f.Structure.Count, Is.EqualTo(192));
            Assert.That(f.Info["Timestep"], Is.EqualTo((5 * k).ToString()));
            Assert.That(f.Energy!.Value, Is.EqualTo(pe[k]).Within(1e-12 * Math.Abs(pe[k])), "energy= is the thermo pe");
            Assert.That(f.Forces, Has.Length.EqualTo(3 * 192));
            Assert.That(f.Forces!.Any(v => v != 0), Is.True);
            Assert.That(f.Structure.Species.Distinct().OrderBy(e => e), Is.EqualTo(new[] { "H", "O" }));
        }
    }
}
