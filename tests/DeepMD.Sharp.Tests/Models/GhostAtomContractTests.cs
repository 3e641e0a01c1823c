namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Gpu;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Potentials;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The evaluation contract with ghost atoms (what a LAMMPS rank or a domain of a decomposed run hands the potential):
/// local + ghost atoms, an external full list over the local centers whose entries name ghosts, forces on all atoms
/// not folded. Folding ghost forces and per-atom virials onto their owners must give the periodic evaluation (a list
/// whose entries name owners) to 1e-12, for se_e2_a and se_e2_r on every backend and se_atten on the reference and CPU backends, in random triclinic cells whose
/// face distance is below the cutoff as well as above it.
/// </summary>
[NonParallelizable]
public class GhostAtomContractTests
{
    private static readonly Lazy<DeepPotModel> SeA = new(() => ModelLoader.Load(RepoPaths.TestModel("deeppot_sea.yaml")));
    private static readonly Lazy<DeepPotModel> SeR = new(() => ModelLoader.Load(RepoPaths.TestModel("deeppot-r.yaml")));

    private static readonly Lazy<DeepPotModel> SeAtten = new(() => RandomAttentionModels.Create(21, new AttentionModelOptions { Types = ["O", "H"], Sel = 60 }));

    // DP+ZBL (DeePMD-kit's zbl model, se_e2_a DP part; tests/reference-cases/deepmd-kit-zbl): the switch and the table
    // run in managed code around the backend of the DP part.
    private static readonly Lazy<DeepPotModel> ZblSeA = new(() => ModelLoader.Load(RepoPaths.Get("tests", "reference-cases", "deepmd-kit-zbl", "zbl_sea.yaml")));

    private static DeepPotModel ModelOf(string descriptor) => descriptor switch
    {
        "se_e2_a" => SeA.Value,
        "se_atten" => SeAtten.Value,
        "zbl_sea" => ZblSeA.Value,
        _ => SeR.Value,
    };

    private static IModelEvaluator Backend(string name, DeepPotModel model) => name switch
    {
        "reference" => new ReferenceBackend(model),
        "cpu-f64" => TestBackends.CreateCpu(model, float32: false),
        "cpu-f32" => TestBackends.CreateCpu(model, float32: true),
        "gpu-f64 (ILGPU CPU accelerator)" => GpuBackend.CreateCpuEmulation(model, singlePrecision: false),
        "gpu-f32 (ILGPU CPU accelerator)" => GpuBackend.CreateCpuEmulation(model, singlePrecision: true),
        _ => throw new ArgumentException(name),
    };

    private static readonly string[] Backends = ["reference", "cpu-f64", "cpu-f32", "gpu-f64 (ILGPU CPU accelerator)", "gpu-f32 (ILGPU CPU accelerator)"];

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var descriptor in new[] { "se_e2_a", "se_e2_r" })
            foreach (var backend in Backends)
                foreach (var (seed, small) in new[] { (1, true), (2, true), (3, false) })
                    yield return new TestCaseData(descriptor, backend, seed, small)
                        .SetName($"{descriptor} {backend}, seed {seed}, {(small ? "face distance below rcut" : "face distance above rcut")}");
        foreach (var backend in new[] { "reference", "cpu-f64", "cpu-f32" })
            foreach (var (seed, small) in new[] { (1, true), (2, true) }) // sel 24 per type: the large cells are too dense
                yield return new TestCaseData("zbl_sea", backend, seed, small)
                    .SetName($"zbl_sea {backend}, seed {seed}, {(small ? "face distance below rcut" : "face distance above rcut")}");
        // DPA-1 (a random se_atten model): the reference and CPU backends.
        foreach (var backend in new[] { "reference", "cpu-f64", "cpu-f32" })
            foreach (var (seed, small) in new[] { (1, true), (3, false) })
                yield return new TestCaseData("se_atten", backend, seed, small)
                    .SetName($"se_atten {backend}, seed {seed}, {(small ? "face distance below rcut" : "face distance above rcut")}");
    }

    /// <summary>
    /// Ghosts made from the periodic list itself (one ghost per distinct owner and lattice shift, at the owner's
    /// position plus the shift): the same entries in the same order, displacements recomputed from the ghost positions.
    /// </summary>
    [TestCaseSource(nameof(Cases))]
    public void GhostsFromThePeriodicListFoldToThePeriodicResult(string descriptor, string backend, int seed, bool small)
    {
        var model = ModelOf(descriptor);
        var (x, y, z, types, box) = System(seed, small);
        var periodicList = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var evaluator = Backend(backend, model);
        var options = new EvaluationOptions();
        var periodic = evaluator.Evaluate(types, periodicList, options);

        var g = Ghostify(periodicList, x, y, z, types, box);
        Assert.That(g.Owner.Length, Is.GreaterThan(types.Length), "the cell must have periodic images within the cutoff");
        var ghost = new EvaluationResult();
        evaluator.Evaluate(g.Types, g.List, options, ghost);
        AssertGhostResult(ghost, types.Length, g.Owner);
        AssertFoldsTo(periodic, ghost, g.Owner, 1e-12);
    }

    /// <summary>
    /// Ghosts and list made independently, as a LAMMPS rank would: every image within the cutoff of a local atom is a
    /// ghost, the full list found by brute force over local + ghost atoms, handed over in LAMMPS' shape (shuffled ilist)
    /// through <see cref="ExternalNeighborList.FromLammps"/>. The entry order differs from the periodic list, so this
    /// runs on the float64 backends (float32 sums in another order differ by float32 round-off).
    /// </summary>
    [TestCase("se_e2_a", "reference", 4, true)]
    [TestCase("se_e2_a", "cpu-f64", 5, true)]
    [TestCase("se_e2_a", "cpu-f64", 6, false)]
    [TestCase("se_e2_a", "gpu-f64 (ILGPU CPU accelerator)", 7, true)]
    [TestCase("se_e2_r", "reference", 8, true)]
    [TestCase("se_atten", "reference", 11, true)]
    [TestCase("se_atten", "cpu-f64", 12, true)]
    [TestCase("zbl_sea", "cpu-f64", 12, true)]
    [TestCase("se_e2_r", "cpu-f64", 9, true)]
    [TestCase("se_e2_r", "gpu-f64 (ILGPU CPU accelerator)", 10, true)]
    public void IndependentGhostsAndLammpsShapedListFoldToThePeriodicResult(string descriptor, string backend, int seed, bool small)
    {
        var model = ModelOf(descriptor);
        var (x, y, z, types, box) = System(seed, small);
        var evaluator = Backend(backend, model);
        var options = new EvaluationOptions();
        var periodic = evaluator.Evaluate(types, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff), options);

        var (gx, gy, gz, gtypes, owner) = GhostShell(x, y, z, types, box, model.Cutoff);
        var n = types.Length;
        var nall = owner.Length;
        // A full list over the local centers, brute force, in LAMMPS' shape with a shuffled ilist and special-bond bits set.
        var rng = new Random(seed);
        var ilist = Enumerable.Range(0, n).OrderBy(_ => rng.Next()).ToArray();
        var numneigh = new int[n];
        var flat = new List<int>();
        var rc2 = model.Cutoff * model.Cutoff;
        for (var ii = 0; ii < n; ii++)
        {
            var i = ilist[ii];
            for (var j = 0; j < nall; j++)
            {
                if (j == i) continue;
                double dx = gx[j] - gx[i], dy = gy[j] - gy[i], dz = gz[j] - gz[i];
                if (dx * dx + dy * dy + dz * dz > rc2) continue;
                flat.Add(j | (rng.Next(4) << 30)); // LAMMPS' special-bond bits: masked off by the reader
                numneigh[ii]++;
            }
        }
        var list = ExternalNeighborList.FromLammps(nall, ilist, numneigh, flat.ToArray(), gx, gy, gz, model.Cutoff);
        var ghost = new EvaluationResult();
        evaluator.Evaluate(gtypes, list, options, ghost);
        AssertGhostResult(ghost, n, owner);
        AssertFoldsTo(periodic, ghost, owner, 1e-12);
    }

    /// <summary>Through <see cref="DeepPotential"/> (what <c>pair_style deepmd</c> runs): ghost forces come back unfolded.</summary>
    [TestCase("reference")]
    [TestCase("cpu-f64")]
    [TestCase("cpu-f32")]
    public void DeepPotentialReturnsUnfoldedGhostForces(string backend)
    {
        var model = SeA.Value;
        var (x, y, z, types, box) = System(11, small: true);
        var potential = new DeepPotential(Backend(backend, model), ["O", "H"]);
        var periodicList = CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var periodic = new ForceResult();
        potential.Compute(new ForceRequest(x, y, z, types, box, periodicList) { PerAtom = true }, periodic);

        var g = Ghostify(periodicList, x, y, z, types, box);
        var request = new ForceRequest
        {
            X = g.X, Y = g.Y, Z = g.Z, Types = g.Types, Neighbors = g.List, AtomCount = g.Owner.Length, LocalCount = types.Length, PerAtom = true,
        };
        var ghost = new ForceResult();
        potential.Compute(request, ghost);
        Assert.That(ghost.Fx, Has.Length.EqualTo(g.Owner.Length));
        var fx = new double[types.Length];
        var fy = new double[types.Length];
        var fz = new double[types.Length];
        for (var k = 0; k < g.Owner.Length; k++)
        {
            fx[g.Owner[k]] += ghost.Fx[k];
            fy[g.Owner[k]] += ghost.Fy[k];
            fz[g.Owner[k]] += ghost.Fz[k];
        }
        Assert.That(ghost.Energy, Is.EqualTo(periodic.Energy).Within(1e-12 * Math.Abs(periodic.Energy)));
        Assert.That(fx, Is.EqualTo(periodic.Fx).Within(1e-12));
        Assert.That(fy, Is.EqualTo(periodic.Fy).Within(1e-12));
        Assert.That(fz, Is.EqualTo(periodic.Fz).Within(1e-12));
        Assert.That(ghost.Virial, Is.EqualTo(periodic.Virial).Within(1e-11));
        Assert.That(Enumerable.Range(types.Length, g.Owner.Length - types.Length).Any(k => ghost.Fx[k] != 0), "ghosts carry forces of their own");
    }

    [TestCase("reference")]
    [TestCase("cpu-f64")]
    [TestCase("cpu-f32")]
    [TestCase("gpu-f64 (ILGPU CPU accelerator)")]
    public void ACenterWithoutNeighborsAndASystemWithoutLocalAtomsWork(string backend)
    {
        var model = SeA.Value;
        var evaluator = Backend(backend, model);
        var options = new EvaluationOptions();
        // Three atoms, no box: a water-like pair and an O atom 20 Å away (no neighbors at all).
        double[] x = [0, 0.96, 20], y = [0, 0, 0], z = [0, 0.1, 0];
        int[] types = [0, 1, 0];
        var own = evaluator.Evaluate(types, CellListNeighborSearch.Build(x, y, z, null, model.Cutoff), options);
        var list = ExternalNeighborList.FromLammps(3, [2, 0, 1], [0, 1, 1], [1, 0], x, y, z, model.Cutoff);
        var external = evaluator.Evaluate(types, list, options);
        Assert.That(external.Energy, Is.EqualTo(own.Energy).Within(1e-12 * Math.Abs(own.Energy)));
        Assert.That(external.Forces, Is.EqualTo(own.Forces).Within(1e-12));
        Assert.That(external.Forces[6..9], Is.EqualTo(new double[3]), "the isolated atom feels no force");
        Assert.That(external.AtomEnergy[2], Is.Not.EqualTo(0), "the isolated atom still has its energy (bias, padding)");

        // No local atoms: three ghosts, no centers.
        var none = ExternalNeighborList.FromLammps(3, [], [], [], x, y, z, model.Cutoff);
        var result = new EvaluationResult();
        evaluator.Evaluate(types, none, options, result);
        Assert.That(result.Energy, Is.EqualTo(0));
        Assert.That(result.Forces, Has.Length.EqualTo(9).And.All.EqualTo(0));
        Assert.That(result.Virial, Is.All.EqualTo(0));
        // And nothing at all.
        evaluator.Evaluate([], ExternalNeighborList.FromLammps(0, [], [], [], [], [], [], model.Cutoff), options, result);
        Assert.That(result.AtomCount, Is.EqualTo(0));
        Assert.That(result.Energy, Is.EqualTo(0));
    }

    [Test]
    public void BadExternalListsAreClearErrors()
    {
        double[] p = [0, 1, 2];
        Assert.That(() => ExternalNeighborList.FromLammps(3, [0, 0], [0, 0], [], p, p, p, 6), Throws.TypeOf<UserInputException>().With.Message.Contains("listed twice"));
        Assert.That(() => ExternalNeighborList.FromLammps(3, [0], [1], [7], p, p, p, 6), Throws.TypeOf<UserInputException>().With.Message.Contains("atom 7, outside"));
        Assert.That(() => ExternalNeighborList.FromLammps(3, [0], [1], [0], p, p, p, 6), Throws.TypeOf<UserInputException>().With.Message.Contains("itself"));
        Assert.That(() => ExternalNeighborList.FromLammps(3, [0], [2], [1], p, p, p, 6), Throws.TypeOf<UserInputException>().With.Message.Contains("sums to 2"));
        Assert.That(() => ExternalNeighborList.FromLammps(3, [2], [0], [], p, p, p, 6), Throws.TypeOf<UserInputException>().With.Message.Contains("not a local atom"));
    }

    // ---- systems, ghosts, checks ----

    /// <summary>A random O/H system (1:2) at about 0.08 atoms/Å³ in a random triclinic cell; small cells have face distances below 6 Å.</summary>
    private static (double[] X, double[] Y, double[] Z, int[] Types, Box Box) System(int seed, bool small)
    {
        var rng = new Random(1000 + seed);
        var box = small ? RandomStructures.TriclinicBox(rng, 4.6, 5.6, tilt: 0.3) : RandomStructures.TriclinicBox(rng, 12.5, 13.5, tilt: 0.2);
        Assert.That(Enumerable.Range(0, 3).Min(box.FaceDistance), small ? Is.LessThan(6.0) : Is.GreaterThan(6.0));
        var n = Math.Max(3, (int)(0.08 * box.Volume));
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, n, 3, minDist: 1.0);
        for (var i = 0; i < n; i++) t[i] = t[i] == 0 ? 0 : 1; // O, H, H
        return (x, y, z, t, box);
    }

    private sealed record Ghosted(double[] X, double[] Y, double[] Z, int[] Types, int[] Owner, NeighborList List);

    /// <summary>Local atoms first, then one ghost per distinct (owner, nonzero lattice shift) entry of the periodic list.</summary>
    private static Ghosted Ghostify(NeighborList nl, double[] x, double[] y, double[] z, int[] types, Box box)
    {
        var n = types.Length;
        var h = box.Matrix.ToArray();
        List<double> gx = [.. x], gy = [.. y], gz = [.. z];
        List<int> gt = [.. types], owner = [.. Enumerable.Range(0, n)];
        var index = new Dictionary<(int, int, int, int), int>();
        var newOwner = new int[nl.EntryCount];
        var dx = new double[nl.EntryCount];
        var dy = new double[nl.EntryCount];
        var dz = new double[nl.EntryCount];
        for (var i = 0; i < n; i++)
            for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
            {
                var j = nl.Owner[e];
                var key = (j, nl.ShiftA[e], nl.ShiftB[e], nl.ShiftC[e]);
                var (sa, sb, sc) = (key.Item2, key.Item3, key.Item4);
                int k;
                if (sa == 0 && sb == 0 && sc == 0) k = j;
                else if (!index.TryGetValue(key, out k))
                {
                    k = gx.Count;
                    index[key] = k;
                    gx.Add(x[j] + sa * h[0] + sb * h[3] + sc * h[6]);
                    gy.Add(y[j] + sa * h[1] + sb * h[4] + sc * h[7]);
                    gz.Add(z[j] + sa * h[2] + sb * h[5] + sc * h[8]);
                    gt.Add(types[j]);
                    owner.Add(j);
                }
                newOwner[e] = k;
                dx[e] = gx[k] - x[i];
                dy[e] = gy[k] - y[i];
                dz[e] = gz[k] - z[i];
            }
        var list = new NeighborList(nl.Offsets, newOwner, dx, dy, dz, nl.Cutoff);
        return new Ghosted([.. gx], [.. gy], [.. gz], [.. gt], [.. owner], list);
    }

    /// <summary>
    /// Atoms wrapped into the cell as locals, then every image within <paramref name="rc"/> of some local atom as a ghost
    /// (brute force over lattice shifts), as a LAMMPS rank's ghost shell.
    /// </summary>
    private static (double[] X, double[] Y, double[] Z, int[] Types, int[] Owner) GhostShell(double[] x, double[] y, double[] z, int[] types, Box box, double rc)
    {
        var n = types.Length;
        var h = box.Matrix.ToArray();
        List<double> gx = [], gy = [], gz = [];
        for (var i = 0; i < n; i++)
        {
            var (wx, wy, wz) = box.Wrap(x[i], y[i], z[i]);
            gx.Add(wx);
            gy.Add(wy);
            gz.Add(wz);
        }
        List<int> gt = [.. types], owner = [.. Enumerable.Range(0, n)];
        var reach = (int)Math.Ceiling(rc / Enumerable.Range(0, 3).Min(box.FaceDistance)) + 1;
        var rc2 = rc * rc;
        for (var j = 0; j < n; j++)
            for (var a = -reach; a <= reach; a++)
                for (var b = -reach; b <= reach; b++)
                    for (var c = -reach; c <= reach; c++)
                    {
                        if (a == 0 && b == 0 && c == 0) continue;
                        var px = gx[j] + a * h[0] + b * h[3] + c * h[6];
                        var py = gy[j] + a * h[1] + b * h[4] + c * h[7];
                        var pz = gz[j] + a * h[2] + b * h[5] + c * h[8];
                        var near = false;
                        for (var i = 0; i < n && !near; i++)
                            near = (px - gx[i]) * (px - gx[i]) + (py - gy[i]) * (py - gy[i]) + (pz - gz[i]) * (pz - gz[i]) <= rc2;
                        if (!near) continue;
                        gx.Add(px);
                        gy.Add(py);
                        gz.Add(pz);
                        gt.Add(types[j]);
                        owner.Add(j);
                    }
        return ([.. gx], [.. gy], [.. gz], [.. gt], [.. owner]);
    }

    /// <summary>The shape of a result with ghosts: sizes, ghost energies 0, per-atom virials summing to the virial.</summary>
    private static void AssertGhostResult(EvaluationResult r, int nlocal, int[] owner)
    {
        Assert.That(r.AtomCount, Is.EqualTo(owner.Length));
        Assert.That(r.LocalCount, Is.EqualTo(nlocal));
        for (var k = nlocal; k < owner.Length; k++) Assert.That(r.AtomEnergy[k], Is.EqualTo(0), $"ghost {k} has no energy of its own");
        Assert.That(r.Energy, Is.EqualTo(r.AtomEnergy.Take(nlocal).Sum()).Within(1e-12 * Math.Abs(r.Energy)));
        var sum = new double[9];
        for (var k = 0; k < owner.Length; k++)
            for (var c = 0; c < 9; c++) sum[c] += r.AtomVirial[9 * k + c];
        Assert.That(sum, Is.EqualTo(r.Virial).Within(1e-12 * Math.Max(1, r.Virial.Max(Math.Abs))), "per-atom virials sum to the virial");
        Assert.That(Enumerable.Range(nlocal, owner.Length - nlocal).Any(k => r.Forces[3 * k] != 0), "ghosts carry unfolded forces");
    }

    private static void AssertFoldsTo(EvaluationResult periodic, EvaluationResult ghost, int[] owner, double tol)
    {
        var n = periodic.AtomCount;
        var f = new double[3 * n];
        var av = new double[9 * n];
        for (var k = 0; k < owner.Length; k++)
        {
            for (var c = 0; c < 3; c++) f[3 * owner[k] + c] += ghost.Forces[3 * k + c];
            for (var c = 0; c < 9; c++) av[9 * owner[k] + c] += ghost.AtomVirial[9 * k + c];
        }
        var fscale = Math.Max(1, periodic.Forces.Max(Math.Abs));
        var vscale = Math.Max(1, periodic.Virial.Max(Math.Abs));
        Assert.That(ghost.Energy, Is.EqualTo(periodic.Energy).Within(tol * Math.Abs(periodic.Energy)), "energy");
        Assert.That(ghost.AtomEnergy.Take(n), Is.EqualTo(periodic.AtomEnergy).Within(tol * Math.Max(1, periodic.AtomEnergy.Max(Math.Abs))), "per-atom energy");
        Assert.That(f, Is.EqualTo(periodic.Forces).Within(tol * fscale), "folded forces");
        Assert.That(ghost.Virial, Is.EqualTo(periodic.Virial).Within(tol * vscale), "virial");
        Assert.That(av, Is.EqualTo(periodic.AtomVirial).Within(tol * vscale), "folded per-atom virial");
    }
}
