namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Coverage;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Potentials;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The streamed evaluation of large systems (docs/domain-decomposition.md, "Memory"): the system listed block of space
/// by block (<see cref="BlockNeighborSearch"/>) and each block evaluated through the ghost-atom contract must give the
/// evaluation on one list of the whole system: the same neighbors for every atom (against
/// <see cref="CellListNeighborSearch"/>, itself checked against brute force), and the same energy, forces, virial and
/// per-atom quantities up to the order of the sums, for any block size; a deck run streamed equals the run with the
/// stored Verlet list.
/// </summary>
[NonParallelizable]
public class StreamedEvaluationTests
{
    private static readonly Lazy<DeepPotModel> SeA = new(() => ModelLoader.Load(RepoPaths.TestModel("deeppot_sea.yaml")));

    /// <summary>A random triclinic cell with face distances between 3 and 4 cutoffs of 6 Å, O/H atoms at least 1 Å apart; some positions unwrapped.</summary>
    private static (double[] X, double[] Y, double[] Z, int[] Types, Box Box) System(int seed)
    {
        var rng = new Random(2000 + seed);
        var box = RandomStructures.TriclinicBox(rng, 19.5, 21.5, tilt: 0.1);
        Assert.That(Enumerable.Range(0, 3).Min(box.FaceDistance), Is.GreaterThan(18.0), "the block search needs 3 cutoffs between faces");
        var n = (int)(0.05 * box.Volume);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, n, 3, minDist: 1.0);
        for (var i = 0; i < n; i++) t[i] = t[i] == 0 ? 0 : 1;
        // Atoms need not be in the cell (an MD run wraps them only at rebuilds).
        var h = box.Matrix.ToArray();
        for (var i = 0; i < n; i += 7)
        {
            var (sa, sb, sc) = (rng.Next(-2, 3), rng.Next(-1, 2), rng.Next(-1, 2));
            x[i] += sa * h[0] + sb * h[3] + sc * h[6];
            y[i] += sa * h[1] + sb * h[4] + sc * h[7];
            z[i] += sa * h[2] + sb * h[5] + sc * h[8];
        }
        return (x, y, z, t, box);
    }

    [TestCase(1, 1)]
    [TestCase(2, 50)]
    [TestCase(3, 100_000)]
    public void EveryAtomIsACenterOfOneBlock_WithTheNeighborsOfTheWholeSystemList(int seed, int blockAtoms)
    {
        var (x, y, z, _, box) = System(seed);
        var n = x.Length;
        const double cutoff = 6.0;
        var whole = CellListNeighborSearch.Build(x, y, z, box, cutoff);
        var search = new BlockNeighborSearch();
        search.Bin(x, y, z, n, box, cutoff, blockAtoms);
        if (blockAtoms == 1) Assert.That(search.BlockCount, Is.EqualTo(search.Cells.A * search.Cells.B * search.Cells.C), "one cell per block");
        if (blockAtoms == 100_000) Assert.That(search.BlockCount, Is.EqualTo(1));
        var centerOf = new int[n];
        var rows = 0;
        for (var b = 0; b < search.BlockCount; b++)
        {
            var list = search.BuildBlock(b);
            var global = search.Global.ToArray();
            Assert.That(list.CenterCount, Is.EqualTo(search.CenterCount));
            Assert.That(global.Distinct().Count(), Is.EqualTo(global.Length), "each atom is one local index (its images share it)");
            for (var c = 0; c < list.CenterCount; c++)
            {
                var i = global[c];
                centerOf[i]++;
                rows++;
                var mine = Row(list, c, k => global[k]);
                var theirs = Row(whole, i, k => k);
                Assert.That(mine.Count, Is.EqualTo(theirs.Count), $"neighbors of atom {i}");
                for (var k = 0; k < mine.Count; k++)
                {
                    Assert.That(mine[k].Owner, Is.EqualTo(theirs[k].Owner), $"atom {i}, neighbor {k}");
                    Assert.That(mine[k].Dx, Is.EqualTo(theirs[k].Dx).Within(1e-10));
                    Assert.That(mine[k].Dy, Is.EqualTo(theirs[k].Dy).Within(1e-10));
                    Assert.That(mine[k].Dz, Is.EqualTo(theirs[k].Dz).Within(1e-10));
                }
            }
            // Every ghost is named by some entry (no unused local indices).
            var named = new bool[global.Length];
            for (var e = 0; e < list.EntryCount; e++) named[list.Owner[e]] = true;
            for (var k = list.CenterCount; k < global.Length; k++) Assert.That(named[k], Is.True, $"ghost {k} of block {b}");
        }
        Assert.That(rows, Is.EqualTo(n));
        Assert.That(centerOf, Is.All.EqualTo(1), "every atom is a center exactly once");
    }

    private static List<(int Owner, double Dx, double Dy, double Dz)> Row(NeighborList list, int i, Func<int, int> global)
    {
        var row = new List<(int, double, double, double)>();
        for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++) row.Add((global(list.Owner[e]), list.Dx[e], list.Dy[e], list.Dz[e]));
        return row.OrderBy(r => r.Item1).ThenBy(r => Math.Round(r.Item2, 6)).ThenBy(r => Math.Round(r.Item3, 6)).ThenBy(r => Math.Round(r.Item4, 6)).ToList();
    }

    [TestCase("reference", 1, 40)]
    [TestCase("cpu-f64", 2, 40)]
    [TestCase("cpu-f64", 3, 100_000)]
    [TestCase("cpu-f32", 4, 200)]
    public void StreamedEvaluation_EqualsTheEvaluationOnOneList(string backend, int seed, int blockAtoms)
    {
        var model = SeA.Value;
        var (x, y, z, types, box) = System(seed);
        var n = x.Length;
        IModelEvaluator Make() => backend == "reference" ? new ReferenceBackend(model) : TestBackends.CreateCpu(model, backend == "cpu-f32");
        var listed = new DeepPotential(Make(), ["O", "H"]);
        var streamed = new DeepPotential(Make(), ["O", "H"]) { StreamBlockAtoms = blockAtoms };
        Assert.That(streamed.CanStream(box, n), Is.True);
        var request = new ForceRequest(x, y, z, types, box, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff)) { PerAtom = true };
        var expected = new ForceResult();
        listed.Compute(request, expected);
        request.Neighbors = null;
        var actual = new ForceResult();
        streamed.Compute(request, actual);

        // float64: the same terms summed in another order; float32: per-atom sums over neighbors in another order.
        var tol = backend == "cpu-f32" ? 1e-5 : 1e-11;
        var fmax = expected.Fx.Concat(expected.Fy).Concat(expected.Fz).Max(Math.Abs);
        Assert.That(actual.Energy, Is.EqualTo(expected.Energy).Within(tol * Math.Abs(expected.Energy)));
        for (var i = 0; i < n; i++)
        {
            Assert.That(actual.Fx[i], Is.EqualTo(expected.Fx[i]).Within(tol * fmax), $"fx of atom {i}");
            Assert.That(actual.Fy[i], Is.EqualTo(expected.Fy[i]).Within(tol * fmax), $"fy of atom {i}");
            Assert.That(actual.Fz[i], Is.EqualTo(expected.Fz[i]).Within(tol * fmax), $"fz of atom {i}");
            Assert.That(actual.AtomEnergy[i], Is.EqualTo(expected.AtomEnergy[i]).Within(tol * Math.Abs(expected.AtomEnergy[i])), $"energy of atom {i}");
        }
        var vmax = expected.Virial.Max(Math.Abs);
        for (var c = 0; c < 9; c++) Assert.That(actual.Virial[c], Is.EqualTo(expected.Virial[c]).Within(tol * vmax), $"virial {c}");
        var avmax = expected.AtomVirial.Max(Math.Abs);
        for (var k = 0; k < 9 * n; k++) Assert.That(actual.AtomVirial[k], Is.EqualTo(expected.AtomVirial[k]).Within(tol * avmax), $"per-atom virial {k}");
    }

    [Test]
    public void StreamedEvaluation_WithoutPerAtomRequest_HoldsNoPerAtomArrays()
    {
        var model = SeA.Value;
        var (x, y, z, types, box) = System(5);
        var p = new DeepPotential(TestBackends.CreateCpu(model, false), ["O", "H"]);
        var r = new ForceResult();
        p.Compute(new ForceRequest(x, y, z, types, box, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff)) { Neighbors = null }, r);
        Assert.That(r.Fx, Has.Length.EqualTo(x.Length));
        Assert.That(r.AtomVirial, Is.Empty, "9 doubles per atom not kept unless asked for");
        Assert.That(r.Fx.Any(v => v != 0), Is.True);
    }

    /// <summary>
    /// The extrapolation guard over blocks: a pair pushed below the training minimum is reported with the same atoms,
    /// distance and count, and the same descriptor excursion, as on one list.
    /// </summary>
    [Test]
    public void Guard_FindsTheSameCloseAtomsStreamed()
    {
        var model = ModelLoader.Load(RepoPaths.Get("potentials", "water", "water-compressed.dp"));
        var (x, y, z, types, box) = System(6);
        var n = x.Length;
        // Put atom 1 at 0.6 Å from atom 0, far below any training minimum.
        x[1] = x[0] + 0.6;
        y[1] = y[0];
        z[1] = z[0];
        ExtrapolationGuard Guard() => new(model, new GuardSettings());
        var listed = new DeepPotential(TestBackends.CreateCpu(model, false), ["O", "H"]) { Guard = Guard() };
        var streamed = new DeepPotential(TestBackends.CreateCpu(model, false), ["O", "H"]) { Guard = Guard(), StreamBlockAtoms = 30 };
        var request = new ForceRequest(x, y, z, types, box, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff));
        listed.Compute(request, new ForceResult());
        request.Neighbors = null;
        streamed.Compute(request, new ForceResult());
        var (a, b) = (listed.Guard!.Last, streamed.Guard!.Last);
        Assert.That(a.PairCount, Is.GreaterThan(0), "the close pair is found on one list");
        Assert.That((b.PairCount, b.PairI, b.PairJ, b.PairMinimum), Is.EqualTo((a.PairCount, a.PairI, a.PairJ, a.PairMinimum)));
        Assert.That(b.PairDistance, Is.EqualTo(a.PairDistance).Within(1e-12));
        Assert.That(b.DescriptorCount, Is.EqualTo(a.DescriptorCount));
        Assert.That(b.Descriptor?.Center, Is.EqualTo(a.Descriptor?.Center));
        Assert.That(streamed.Guard.Checked, Is.EqualTo(1), "one structure checked, however many blocks");
        Assert.That(streamed.Guard.Describe(b, null), Is.EqualTo(listed.Guard.Describe(a, null)));
        Assert.That(n, Is.GreaterThan(300));
    }

    /// <summary>A water deck (examples/water replicated 2×2×2, float64 test model, nve) run streamed and with the Verlet list.</summary>
    [Test]
    public void DeckRun_Streamed_EqualsTheRunWithTheStoredList()
    {
        var listed = RunWater(stream: false);
        var streamed = RunWater(stream: true);
        for (var k = 0; k < listed.Count; k++)
        {
            Assert.That(streamed[k].Pe, Is.EqualTo(listed[k].Pe).Within(1e-10 * Math.Abs(listed[k].Pe)), $"pe after {5 * k} steps");
            Assert.That(streamed[k].Press, Is.EqualTo(listed[k].Press).Within(1e-8 * Math.Max(1, Math.Abs(listed[k].Press))), $"virial after {5 * k} steps");
        }
    }

    private static List<(double Pe, double Press)> RunWater(bool stream)
    {
        var dir = RepoPaths.TempDir();
        var deck = Path.Combine(dir, "in.water");
        File.WriteAllText(deck, $"""
            units metal
            atom_style atomic
            neighbor 2.0 bin
            neigh_modify every 10 delay 0 check no
            read_data {RepoPaths.Get("examples", "water", "water.lmp")}
            replicate 2 2 2
            mass 1 16
            mass 2 2
            pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}
            pair_coeff * * O H
            velocity all create 330.0 23456789
            fix 1 all nve
            timestep 0.0005
            thermo 100
            """);
        using var session = new DeckSession(new StringWriter(), dir, null);
        session.RunFile(deck);
        var sim = session.Simulation!;
        sim.Stream = stream;
        var values = new List<(double, double)>();
        for (var k = 0; k < 5; k++)
        {
            session.Runner.RunText("more", k == 0 ? "run 0" : "run 5");
            ((DeepPotential)sim.Potential!).StreamBlockAtoms = 200; // from the second run on: several blocks with ghost shells
            Assert.That(sim.Verlet.List is null, Is.EqualTo(stream), "a streamed run holds no list");
            values.Add((sim.PotentialEnergy, sim.Virial[0] + sim.Virial[4] + sim.Virial[8]));
        }
        return values;
    }
}
