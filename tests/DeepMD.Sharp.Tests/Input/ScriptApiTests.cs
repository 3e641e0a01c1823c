namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Output;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Dynamics.Units;
using DeepMD.Sharp.Dynamics.Velocities;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Potentials;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The C# API picks the backend as a deck does (issue 16 item 14): examples/scripting/water-nvt.cs, played here line
/// for line, prints the thermo table of examples/water/in.water for the full run, bit for bit, with the same
/// backend line; and a program that references the DeepMD.Sharp library gets the CPU and GPU backends in the
/// default registry without registering them.
/// </summary>
[TestFixture]
public class ScriptApiTests
{
    [Test]
    public void WaterScriptPrintsTheDecksThermoTableOnTheDecksBackend()
    {
        var script = File.ReadAllText(RepoPaths.Get("examples", "scripting", "water-nvt.cs"));
        Assert.That(script, Does.Contain("#:project ../../src/DeepMD.Sharp/DeepMD.Sharp.csproj"), "the script references the umbrella library");
        Assert.That(script, Does.Contain("new DeepPotential(model, [\"O\", \"H\"])"), "the script lets DeepPotential pick the backend");
        Assert.That(script, Does.Contain("../../potentials/water/water.dp"), "the deck's model");

        // The deck, as dpsharp run runs it (in this process: same vector width and threads).
        var dir = RepoPaths.TempDir();
        var deckScreen = new StringWriter();
        using (var session = new DeckSession(deckScreen, dir, null))
            session.RunFile(RepoPaths.Get("examples", "water", "in.water"));

        // water-nvt.cs, line for line.
        var water = RepoPaths.Get("examples", "water");
        var apiScreen = new StringWriter();
        var sim = SimulationFactory.FromLammpsData(Path.Combine(water, "water.lmp"), UnitSystem.Metal);
        sim.SetMass(0, 16);
        sim.SetMass(1, 2);
        sim.Neighbor.Skin = 2.0;
        sim.Neighbor.Every = 10;
        sim.Neighbor.Check = false;
        var model = ModelLoader.Load(RepoPaths.Get("potentials", "water", "water.dp"));
        var potential = new DeepPotential(model, ["O", "H"], log: apiScreen);
        sim.Potential = potential;
        VelocityGenerator.Create(sim, 330.0, 23456789, new VelocityOptions());
        sim.Fixes.Add(new FixNvt("1", 330.0, 330.0, 0.5));
        sim.Timestep = 0.0005;
        sim.Observers.Add(new ThermoOutput { Writer = apiScreen, Every = 20, Keywords = ["step", "pe", "ke", "etotal", "temp", "press", "vol"] });
        using (var dump = new DumpWriter("1", DumpStyle.Custom, 100, Path.Combine(dir, "water-api.dump"), ["id", "type", "x", "y", "z"]))
        {
            sim.Observers.Add(dump);
            sim.Run(200);
        }

        static string BackendLine(string screen) => screen.Split('\n').Single(l => l.StartsWith("deepmd: water.dp", StringComparison.Ordinal)).TrimEnd();
        Assert.That(BackendLine(apiScreen.ToString()), Is.EqualTo(BackendLine(deckScreen.ToString())), "the API logs the deck's backend line");
        Assert.That(potential.Backend, Does.Not.StartWith("reference"), "the API picks a faster backend than the reference, as the deck does");
        Assert.That(potential.Evaluator.Name, Is.EqualTo(BackendRegistry.Default.Create(model, null, out _).Name));

        var deck = LammpsHarness.ThermoTables(deckScreen.ToString()).Single();
        var api = LammpsHarness.ThermoTables(apiScreen.ToString()).Single();
        Assert.That(deck.Rows, Has.Count.EqualTo(11), "steps 0..200 every 20");
        Assert.That(api.Header, Is.EqualTo(deck.Header));
        for (var r = 0; r < deck.Rows.Count; r++)
            Assert.That(api.Rows[r], Is.EqualTo(deck.Rows[r]), $"thermo row {r} (step {deck.Rows[r][0]}) bit for bit");
        Assert.That(File.ReadAllText(Path.Combine(dir, "water-api.dump")), Is.EqualTo(File.ReadAllText(Path.Combine(dir, "water.dump"))), "same dump frames");
    }

    [Test]
    public void DefaultRegistryHasTheShippedBackendsWhenTheProgramReferencesTheLibrary()
    {
        // A fresh registry as BackendRegistry.Default is made (the test assembly also registers the CPU backend itself,
        // so Default alone would not show whether the library filled it).
        var registry = BackendRegistry.WithShippedBackends();
        Assert.That(registry.Find("cpu"), Is.Not.Null, "CPU backend from the DeepMD.Sharp library");
        Assert.That(registry.Find("gpu"), Is.Not.Null, "GPU backend from the DeepMD.Sharp library");
        Assert.That(new BackendRegistry().Find("cpu"), Is.Null, "a plain registry has only the reference backend");
    }
}
