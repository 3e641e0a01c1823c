namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Linear;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The shipped water model with an O–O-only ZBL wall that vanishes above 2.3 Å (its training data has no O–O pair below
/// 2.35 Å), made as <c>dpsharp pair-table zbl --type-map O,H --pairs O-O --rmin 0.05 --rmax 2.4 --step 0.01 --switch 2.0 2.3</c>
/// and <c>dpsharp combine water.dp --pair-table … --weights sum</c> do it.
/// </summary>
public class WaterZblWallTests
{
    private static readonly Lazy<(string Path, DeepPotModel Model)> Combined = new(() =>
    {
        var dir = RepoPaths.TempDir();
        var rows = ZblTable.Rows([8, 1], [(0, 0)], 0.05, 2.4, 0.01, (2.0, 2.3));
        var table = Path.Combine(dir, "oo_zbl.txt");
        File.WriteAllText(table, ZblTable.Format(rows, "O-O ZBL wall"));
        var water = RepoPaths.Get("potentials", "water", "water.dp");
        var path = Path.Combine(dir, "water_zbl.dp");
        ModelFile.Save(path, LinearModelWriter.Combine(ModelFile.Load(water), water, table, new LinearModelWriter.Settings { Weights = "sum" }, out _));
        return (path, ModelLoader.Load(path));
    });

    private static readonly Lazy<DeepPotModel> Water = new(() => ModelLoader.Load(RepoPaths.Get("potentials", "water", "water.dp")));

    /// <summary>An O–O pair at 1.6 Å: the energy is raised by the ZBL energy of LAMMPS' pair_style zbl (Z = 8, 8).</summary>
    [Test]
    public void CloseOxygenPairIsRaisedByTheZblEnergy()
    {
        var lammpsZbl = new ZblPotential(1, 5.0, 20.0, 14.399645, 1.0); // pure ZBL below 5 Å, its constant shift (≈ ZBL(20 Å)) ~1e-12 eV
        lammpsZbl.SetCoefficients(0, 0, 8, 8);
        foreach (var r in new[] { 1.0, 1.6, 1.9 })
        {
            double[] x = [0, r], y = [0, 0], z = [0, 0];
            int[] t = [0, 0];
            var nl = CellListNeighborSearch.Build(x, y, z, null, Combined.Value.Model.Cutoff);
            var d = r;
            var withWall = TestBackends.Cpu.Create(Combined.Value.Model, "cpu-f64", out _).Evaluate(t, nl, new EvaluationOptions { OverlapDistance = 1e-6 });
            var plain = TestBackends.Cpu.Create(Water.Value, "cpu-f64", out _).Evaluate(t, nl, new EvaluationOptions());
            var zbl = lammpsZbl.Single(0, 0, d * d, out var fpair);
            var raised = withWall.Energy - plain.Energy;
            // force on atom 1 along the pair: F = fpair · r (LAMMPS' single() returns F/r)
            var dfx = withWall.Forces[3] - plain.Forces[3];
            TestContext.Out.WriteLine($"r = {d:F4} Å: raised by {raised:F8} eV, ZBL {zbl:F8} eV (Δ {raised - zbl:E2}); ΔF_x {dfx:F6} vs ZBL {fpair * r:F6} eV/Å");
            Assert.That(raised, Is.EqualTo(zbl).Within(2e-5 * zbl), $"energy raised by ZBL at {d} Å (table spline error only)");
            Assert.That(dfx, Is.EqualTo(fpair * r).Within(1e-3 * Math.Abs(fpair * r)), $"force raised by ZBL at {d} Å");
        }
    }

    /// <summary>The 192-atom water box (every O–O pair beyond 2.3 Å): energy, forces and virial unchanged to round-off.</summary>
    [Test]
    public void FramesWithoutCloseOxygenPairsAreUnchanged()
    {
        var s = StructureReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
        var t = s.TypesFor(Water.Value.TypeMap);
        var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, Water.Value.Cutoff);
        var a = TestBackends.Cpu.Create(Water.Value, "cpu-f64", out _).Evaluate(t, nl, new EvaluationOptions());
        var b = TestBackends.Cpu.Create(Combined.Value.Model, "cpu-f64", out _).Evaluate(t, nl, new EvaluationOptions());
        var df = a.Forces.Zip(b.Forces, (u, v) => Math.Abs(u - v)).Max();
        var dw = a.Virial.Zip(b.Virial, (u, v) => Math.Abs(u - v)).Max();
        TestContext.Out.WriteLine($"|ΔE| {Math.Abs(a.Energy - b.Energy):E2} (E = {a.Energy}), max|ΔF| {df:E2}, max|ΔW| {dw:E2}");
        Assert.That(b.Energy, Is.EqualTo(a.Energy).Within(1e-12 * Math.Abs(a.Energy)));
        Assert.That(df, Is.LessThan(1e-12));
        Assert.That(dw, Is.LessThan(1e-10));
    }

    /// <summary>DeePMD-kit's water deck with pair_style deepmd on the combined model: the same thermo as the water model.</summary>
    [Test]
    public void DeckRunIsUnchanged()
    {
        var dp = RunDeck(RepoPaths.Get("potentials", "water", "water.dp"));
        var wall = RunDeck(Combined.Value.Path);
        TestContext.Out.WriteLine($"pe {dp.Pe} vs {wall.Pe}, press {dp.Press} vs {wall.Press}");
        Assert.That(wall.Pe, Is.EqualTo(dp.Pe).Within(1e-10 * Math.Abs(dp.Pe)));
        Assert.That(wall.Press, Is.EqualTo(dp.Press).Within(1e-8 * Math.Max(1, Math.Abs(dp.Press))));
    }

    private static (double Pe, double Press) RunDeck(string model)
    {
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.water");
        File.WriteAllText(deck, $"""
            units metal
            atom_style atomic
            neighbor 2.0 bin
            neigh_modify every 10 delay 0 check no
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            mass 1 16
            mass 2 2
            pair_style deepmd {model}
            pair_coeff * * O H
            velocity all create 330.0 23456789
            fix 1 all nvt temp 330.0 330.0 0.5
            timestep 0.0005
            thermo 10
            run 20
            """);
        using var session = new DeckSession(new StringWriter(), dir, null);
        session.RunFile(deck);
        var sim = session.Simulation!;
        return (sim.PotentialEnergy, sim.Virial[0] + sim.Virial[4] + sim.Virial[8]);
    }
}
