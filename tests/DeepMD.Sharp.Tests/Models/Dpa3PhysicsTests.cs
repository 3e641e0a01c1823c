namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// DPA-3 models built by DeePMD-kit (random weights and statistics, tests/reference-cases/deepmd-kit-dpa3) against
/// physics: forces and every virial component equal finite differences of our own energy at two step sizes that agree
/// with each other (so no neighbor-list change sits in the way), translation/rotation/permutation/supercell invariance,
/// continuity where a neighbor crosses e_rcut and a_rcut, a cluster without PBC, a float32 model, clear errors.
/// </summary>
public class Dpa3PhysicsTests
{
    private const double ERcut = 4.0, ARcut = 3.0;

    /// <summary>Every model of the reference folder except the truncated one (whose energy jumps by construction).</summary>
    public static IEnumerable<string> Models() =>
        ["dpa3_default", "dpa3_resavg_compress", "dpa3_resincr_split_exp", "dpa3_dynamic", "dpa3_sequential", "dpa3_noangle_float32"];

    private static DeepPotModel Load(string name) => ModelLoader.Load(Path.Combine(Dpa3DeePMDKitReferenceTests.Folder, name + ".yaml"));

    private static (double[] X, double[] Y, double[] Z, int[] Types, Box Box) Structure(int seed, int n)
    {
        var rng = new Random(seed);
        var box = RandomStructures.TriclinicBox(rng, 3.8, 4.2);
        var (x, y, z, types) = RandomStructures.Atoms(rng, box, n, 3, minDist: 1.0);
        return (x, y, z, types, box);
    }

    private static EvaluationResult Eval(DeepPotModel m, double[] x, double[] y, double[] z, int[] t, Box? box, EvaluationOptions? o = null) =>
        ReferenceEvaluator.Evaluate(m, x, y, z, t, box, o ?? new EvaluationOptions());

    [TestCaseSource(nameof(Models))]
    public void ForcesAndEveryVirialComponentMatchFiniteDifferences(string name)
    {
        var model = Load(name);
        var (x, y, z, t, box) = Structure(5, 7);
        Assert.That(Math.Min(box.FaceDistance(0), Math.Min(box.FaceDistance(1), box.FaceDistance(2))), Is.LessThan(ERcut));
        var r = Eval(model, x, y, z, t, box);
        double Energy(double[] xx, double[] yy, double[] zz, Box b) => Eval(model, xx, yy, zz, t, b).Energy;

        var worst = 0.0;
        foreach (var atom in new[] { 0, 3, 6 })
            for (var c = 0; c < 3; c++)
            {
                var fd = new double[2];
                for (var s = 0; s < 2; s++)
                {
                    var h = s == 0 ? 1e-4 : 2e-5;
                    double E(double sign)
                    {
                        double[] xx = (double[])x.Clone(), yy = (double[])y.Clone(), zz = (double[])z.Clone();
                        (c == 0 ? xx : c == 1 ? yy : zz)[atom] += sign * h;
                        return Energy(xx, yy, zz, box);
                    }
                    fd[s] = -(E(1) - E(-1)) / (2 * h);
                }
                Assert.That(fd[0], Is.EqualTo(fd[1]).Within(1e-6), $"the two step sizes disagree at atom {atom} direction {c}: a neighbor list change in the way");
                Assert.That(r.Forces[3 * atom + c], Is.EqualTo(fd[1]).Within(1e-7), $"force on atom {atom}, direction {c}");
                worst = Math.Max(worst, Math.Abs(r.Forces[3 * atom + c] - fd[1]));
            }

        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                var fd = new double[2];
                for (var s = 0; s < 2; s++)
                {
                    var h = s == 0 ? 1e-5 : 2e-6;
                    double E(double sign)
                    {
                        var strain = new double[9];
                        strain[3 * a + b] = sign * h;
                        var n = x.Length;
                        double[] xx = new double[n], yy = new double[n], zz = new double[n];
                        for (var i = 0; i < n; i++)
                        {
                            double[] p = [x[i], y[i], z[i]];
                            xx[i] = p[0] + p[a] * (b == 0 ? strain[3 * a + b] : 0);
                            yy[i] = p[1] + p[a] * (b == 1 ? strain[3 * a + b] : 0);
                            zz[i] = p[2] + p[a] * (b == 2 ? strain[3 * a + b] : 0);
                        }
                        return Energy(xx, yy, zz, box.Deformed(strain));
                    }
                    // x' = x (I + ε): ∂E/∂ε_ab = −W[b][a].
                    fd[s] = -(E(1) - E(-1)) / (2 * h);
                }
                Assert.That(fd[0], Is.EqualTo(fd[1]).Within(1e-6), $"the two step sizes disagree for strain {a}{b}");
                Assert.That(r.Virial[3 * b + a], Is.EqualTo(fd[1]).Within(1e-6), $"virial component {b}{a}");
                worst = Math.Max(worst, Math.Abs(r.Virial[3 * b + a] - fd[1]));
            }
        var atomVirialSum = new double[9];
        for (var i = 0; i < x.Length; i++)
            for (var q = 0; q < 9; q++) atomVirialSum[q] += r.AtomVirial[9 * i + q];
        Assert.That(atomVirialSum, Is.EqualTo(r.Virial).Within(1e-10), "per-atom virials sum to the virial");
        Assert.That(r.AtomEnergy.Sum(), Is.EqualTo(r.Energy).Within(1e-10));
        TestContext.Out.WriteLine($"{name}: E = {r.Energy:F6}, largest |analytic − finite difference| = {worst:E2}");
    }

    [TestCaseSource(nameof(Models))]
    public void InvariantUnderTranslationRotationPermutationAndSupercell(string name)
    {
        var model = Load(name);
        var (x, y, z, t, box) = Structure(8, 7);
        var n = x.Length;
        var r = Eval(model, x, y, z, t, box);

        var rt = Eval(model, x.Select(v => v + 0.37).ToArray(), y.Select(v => v - 1.21).ToArray(), z.Select(v => v + 2.05).ToArray(), t, box);
        Assert.That(rt.Energy, Is.EqualTo(r.Energy).Within(1e-10), "translation: energy");
        Assert.That(rt.Forces, Is.EqualTo(r.Forces).Within(1e-10), "translation: forces");

        var rot = Rotation(0.7, -0.4, 1.3);
        double[] Rotate(double[] v) => [v[0] * rot[0] + v[1] * rot[3] + v[2] * rot[6], v[0] * rot[1] + v[1] * rot[4] + v[2] * rot[7], v[0] * rot[2] + v[1] * rot[5] + v[2] * rot[8]];
        var h = box.Matrix.ToArray();
        var hr = new double[9];
        for (var row = 0; row < 3; row++) Rotate(h[(3 * row)..(3 * row + 3)]).CopyTo(hr, 3 * row);
        double[] xr = new double[n], yr = new double[n], zr = new double[n];
        for (var i = 0; i < n; i++)
        {
            var p = Rotate([x[i], y[i], z[i]]);
            (xr[i], yr[i], zr[i]) = (p[0], p[1], p[2]);
        }
        var rr = Eval(model, xr, yr, zr, t, new Box(hr));
        Assert.That(rr.Energy, Is.EqualTo(r.Energy).Within(1e-10), "rotation: energy");
        for (var i = 0; i < n; i++)
            Assert.That(rr.Forces.AsSpan(3 * i, 3).ToArray(), Is.EqualTo(Rotate(r.Forces.AsSpan(3 * i, 3).ToArray())).Within(1e-10), $"rotation: force on atom {i}");

        // Permutation: atom 0 swapped with another atom of its type (so "atom 0" of DeePMD-kit's padding changes too), and a second pair.
        var perm = Enumerable.Range(0, n).ToArray();
        var swaps = 0;
        for (var i = 0; i < n && swaps < 2; i++)
            for (var j = i + 1; j < n; j++)
                if (t[i] == t[j] && perm[i] == i && perm[j] == j)
                {
                    (perm[i], perm[j]) = (j, i);
                    swaps++;
                    break;
                }
        Assert.That(perm[0], Is.Not.EqualTo(0), "the structure has another atom of atom 0's type");
        var rp = Eval(model, perm.Select(p => x[p]).ToArray(), perm.Select(p => y[p]).ToArray(), perm.Select(p => z[p]).ToArray(), perm.Select(p => t[p]).ToArray(), box);
        Assert.That(rp.Energy, Is.EqualTo(r.Energy).Within(1e-10), "permutation: energy");
        for (var i = 0; i < n; i++)
        {
            Assert.That(rp.AtomEnergy[i], Is.EqualTo(r.AtomEnergy[perm[i]]).Within(1e-10), $"permutation: energy of atom {i}");
            Assert.That(rp.Forces.AsSpan(3 * i, 3).ToArray(), Is.EqualTo(r.Forces.AsSpan(3 * perm[i], 3).ToArray()).Within(1e-10), $"permutation: force on atom {i}");
        }

        var (ax, ay, az) = (h[0], h[1], h[2]);
        var super = new Box([2 * h[0], 2 * h[1], 2 * h[2], h[3], h[4], h[5], h[6], h[7], h[8]]);
        var rs = Eval(model, [.. x, .. x.Select(v => v + ax)], [.. y, .. y.Select(v => v + ay)], [.. z, .. z.Select(v => v + az)], [.. t, .. t], super);
        Assert.That(rs.Energy, Is.EqualTo(2 * r.Energy).Within(1e-9), "supercell: energy");
        for (var i = 0; i < n; i++)
        {
            Assert.That(rs.AtomEnergy[i + n], Is.EqualTo(r.AtomEnergy[i]).Within(1e-10), $"supercell: energy of atom {i}");
            Assert.That(rs.Forces.AsSpan(3 * (i + n), 3).ToArray(), Is.EqualTo(r.Forces.AsSpan(3 * i, 3).ToArray()).Within(1e-10), $"supercell: force on atom {i}");
        }
        for (var q = 0; q < 9; q++) Assert.That(rs.Virial[q], Is.EqualTo(2 * r.Virial[q]).Within(1e-9), "supercell: virial");
    }

    private static double[] Rotation(double a, double b, double c)
    {
        double[] rx = [1, 0, 0, 0, Math.Cos(a), -Math.Sin(a), 0, Math.Sin(a), Math.Cos(a)];
        double[] ry = [Math.Cos(b), 0, Math.Sin(b), 0, 1, 0, -Math.Sin(b), 0, Math.Cos(b)];
        double[] rz = [Math.Cos(c), -Math.Sin(c), 0, Math.Sin(c), Math.Cos(c), 0, 0, 0, 1];
        return Mul(Mul(rx, ry), rz);
        static double[] Mul(double[] p, double[] q)
        {
            var m = new double[9];
            for (var i = 0; i < 3; i++)
                for (var j = 0; j < 3; j++)
                    for (var k = 0; k < 3; k++) m[3 * i + j] += p[3 * i + k] * q[3 * k + j];
            return m;
        }
    }

    /// <summary>
    /// An atom crossing e_rcut or a_rcut: energy and forces continuous. Across a_rcut this holds with smooth_edge_update
    /// (resavg_compress, dynamic, sequential) and without the angle update; DeePMD-kit's non-smooth edge update (the edge
    /// outside the angle list takes its own features as the angle message) jumps there, by design.
    /// </summary>
    [TestCase("dpa3_default", ERcut)]
    [TestCase("dpa3_resavg_compress", ERcut)]
    [TestCase("dpa3_dynamic", ERcut)]
    [TestCase("dpa3_sequential", ERcut)]
    [TestCase("dpa3_noangle_float32", ERcut)]
    [TestCase("dpa3_resincr_split_exp", ERcut)]
    [TestCase("dpa3_resavg_compress", ARcut)]
    [TestCase("dpa3_dynamic", ARcut)]
    [TestCase("dpa3_sequential", ARcut)]
    [TestCase("dpa3_noangle_float32", ARcut)]
    public void SmoothAcrossEachCutoff(string name, double rc)
    {
        var model = Load(name);
        double[] cx = [0, -1.1, -0.3, -0.5], cy = [0, 0.4, -1.0, 0.6], cz = [0, 0.2, 0.5, -1.0];
        int[] t = [0, 1, 0, 2, 0];
        EvaluationResult At(double d) => Eval(model, [.. cx, d], [.. cy, 0.05], [.. cz, -0.03], t, null);
        var at = Math.Sqrt(rc * rc - 0.05 * 0.05 - 0.03 * 0.03); // |r_4 − r_0| = rc here
        const double delta = 1e-10; // |F|·2δ well below the tolerance
        var inside = At(at - delta);
        var outside = At(at + delta);
        Assert.That(inside.Energy, Is.EqualTo(outside.Energy).Within(1e-10), "energy across the cutoff");
        Assert.That(inside.Forces, Is.EqualTo(outside.Forces).Within(1e-7), "forces across the cutoff");
        Assert.That(Math.Abs(At(at - 0.5).Energy - inside.Energy), Is.GreaterThan(1e-8), "the moving atom matters inside the cutoff");
    }

    /// <summary>The non-smooth edge update (DeePMD-kit's default) jumps where a neighbor leaves the angle list: documented, and checked so.</summary>
    [Test]
    public void NonSmoothEdgeUpdateJumpsAtTheAngleCutoffAsDeePMDKits()
    {
        var model = Load("dpa3_default");
        double[] cx = [0, -1.1, -0.3, -0.5], cy = [0, 0.4, -1.0, 0.6], cz = [0, 0.2, 0.5, -1.0];
        int[] t = [0, 1, 0, 2, 0];
        EvaluationResult At(double d) => Eval(model, [.. cx, d], [.. cy, 0.05], [.. cz, -0.03], t, null);
        var at = Math.Sqrt(ARcut * ARcut - 0.05 * 0.05 - 0.03 * 0.03);
        Assert.That(Math.Abs(At(at - 1e-8).Energy - At(at + 1e-8).Energy), Is.GreaterThan(1e-6));
    }

    [TestCaseSource(nameof(Models))]
    public void NoPbcClusterMatchesFiniteDifferences(string name)
    {
        var model = Load(name);
        var rng = new Random(3);
        var (x, y, z, t) = RandomStructures.Atoms(rng, Box.Orthorhombic(4, 4, 4), 7, 3, minDist: 1.0);
        var r = Eval(model, x, y, z, t, null);
        for (var i = 0; i < x.Length; i++)
        {
            var h = 1e-5;
            double[] zp = (double[])z.Clone(), zm = (double[])z.Clone();
            zp[i] += h;
            zm[i] -= h;
            var fd = -(Eval(model, x, y, zp, t, null).Energy - Eval(model, x, y, zm, t, null).Energy) / (2 * h);
            Assert.That(r.Forces[3 * i + 2], Is.EqualTo(fd).Within(1e-7), $"force z on atom {i}");
        }
        var total = new double[3];
        for (var i = 0; i < x.Length; i++)
            for (var c = 0; c < 3; c++) total[c] += r.Forces[3 * i + c];
        Assert.That(total, Is.EqualTo(new double[3]).Within(1e-12), "no PBC: forces sum to zero");
    }

    /// <summary>
    /// The per-atom virial is DeePMD-kit's w_k = −Σ_i ∂e_i/∂x_k ⊗ (x_k − x_i) (message passing makes it differ from the
    /// pair form): checked against central differences of every per-atom energy, on a cluster without PBC.
    /// </summary>
    [TestCase("dpa3_default")]
    [TestCase("dpa3_sequential")]
    public void PerAtomVirialIsDeePMDKitsDefinitionByFiniteDifferencesOfAtomEnergies(string name)
    {
        var model = Load(name);
        var rng = new Random(4);
        var (x, y, z, t) = RandomStructures.Atoms(rng, Box.Orthorhombic(4, 4, 4), 6, 3, minDist: 1.0);
        var n = x.Length;
        var r = Eval(model, x, y, z, t, null);
        double[][] pos = [x, y, z];
        const double h = 1e-5;
        var expected = new double[9 * n];
        for (var k = 0; k < n; k++)
            for (var a = 0; a < 3; a++)
            {
                double[] AtomEnergies(double s)
                {
                    var moved = pos.Select(p => (double[])p.Clone()).ToArray();
                    moved[a][k] += s;
                    return Eval(model, moved[0], moved[1], moved[2], t, null).AtomEnergy.ToArray();
                }
                var plus = AtomEnergies(h);
                var minus = AtomEnergies(-h);
                for (var i = 0; i < n; i++)
                {
                    var de = (plus[i] - minus[i]) / (2 * h); // ∂e_i/∂x_k,a
                    for (var b = 0; b < 3; b++) expected[9 * k + 3 * a + b] -= de * (pos[b][k] - pos[b][i]);
                }
            }
        Assert.That(r.AtomVirial.Take(9 * n).ToArray(), Is.EqualTo(expected).Within(1e-7));
    }

    [Test]
    public void SelOverflowIsAnErrorUnlessTruncationIsAskedAndDynamicSelNeedsNeither()
    {
        var (x, y, z, t, box) = Structure(5, 11);
        var small = Load("dpa3_sel_trunc"); // e_sel 14, a_sel 5
        var ex = Assert.Throws<UserInputException>(() => Eval(small, x, y, z, t, box));
        Assert.That(ex!.Message, Does.Contain("sel").And.Contain("--allow-sel-truncation"));
        var r = Eval(small, x, y, z, t, box, new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate });
        Assert.That(double.IsFinite(r.Energy), Is.True);

        // Dynamic sel: every neighbor within the cutoffs is used, so a structure with more neighbors than e_sel is no error,
        // and the forces are the derivatives of that energy (nothing is truncated).
        var dyn = Load("dpa3_dynamic");
        var (dx, dy, dz, dt, dbox) = Structure(9, 16);
        Assert.Throws<UserInputException>(() => Eval(Load("dpa3_default"), dx, dy, dz, dt, dbox), "the structure has more neighbors than e_sel = 48");
        var rd = Eval(dyn, dx, dy, dz, dt, dbox);
        const double h = 1e-5;
        double[] xp = (double[])dx.Clone(), xm = (double[])dx.Clone();
        xp[3] += h;
        xm[3] -= h;
        var fd = -(Eval(dyn, xp, dy, dz, dt, dbox).Energy - Eval(dyn, xm, dy, dz, dt, dbox).Energy) / (2 * h);
        Assert.That(rd.Forces[9], Is.EqualTo(fd).Within(1e-7), "dynamic sel: force = −∂E/∂x with more neighbors than e_sel");
    }

    [Test]
    public void AngleListOverflowNamesARcut()
    {
        var tree = ModelFile.Load(Path.Combine(Dpa3DeePMDKitReferenceTests.Folder, "dpa3_default.yaml"));
        var args = Args(tree);
        args["a_sel"] = 3L;
        foreach (var layer in Layers(tree)) layer["a_sel"] = 3L;
        var model = ModelReader.FromTree(tree, "a_sel3.yaml");
        var (x, y, z, t, box) = Structure(5, 7);
        var ex = Assert.Throws<UserInputException>(() => Eval(model, x, y, z, t, box));
        Assert.That(ex!.Message, Does.Contain("a_rcut").And.Contain("a_sel is 3").And.Contain("--allow-sel-truncation"));
        var r = Eval(model, x, y, z, t, box, new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate });
        Assert.That(double.IsFinite(r.Energy), Is.True);
    }

    [Test]
    public void DpFileWrittenByDeePMDKitGivesTheYamlResults()
    {
        var dp = ModelLoader.Load(Path.Combine(Dpa3DeePMDKitReferenceTests.Folder, "dpa3_default.dp"));
        var yaml = Load("dpa3_default");
        var (x, y, z, t, box) = Structure(5, 7);
        var a = Eval(dp, x, y, z, t, box);
        var b = Eval(yaml, x, y, z, t, box);
        Assert.That(a.Energy, Is.EqualTo(b.Energy));
        Assert.That(a.Forces, Is.EqualTo(b.Forces));
        Assert.That(dp.Descriptor.TypeName, Is.EqualTo("dpa3"));
    }

    [Test]
    public void Float32ModelAgreesWithItsFloat64TwinWithinFloat32RoundOff()
    {
        // The float32 file's weights, read into a float64 model: our double evaluation of both is identical, and DeePMD-kit's
        // float32 evaluation of the same file (Dpa3DeePMDKitReferenceTests) is within float32 round-off of it.
        var tree = ModelFile.Load(Path.Combine(Dpa3DeePMDKitReferenceTests.Folder, "dpa3_noangle_float32.yaml"));
        var f32 = ModelReader.FromTree(tree, "f32.yaml");
        Descriptor(tree)["precision"] = "float64";
        var f64 = ModelReader.FromTree(tree, "f64.yaml");
        var (x, y, z, t, box) = Structure(5, 7);
        var a = Eval(f32, x, y, z, t, box);
        var b = Eval(f64, x, y, z, t, box);
        Assert.That(f32.Descriptor.Precision, Is.EqualTo("float32"));
        Assert.That(a.Energy, Is.EqualTo(b.Energy).Within(1e-6 * Math.Abs(b.Energy)));
    }

    [Test]
    public void UnsupportedKeysAreRefusedByName()
    {
        var path = Path.Combine(Dpa3DeePMDKitReferenceTests.Folder, "dpa3_default.yaml");
        void Refused(Action<Dictionary<string, object?>> edit, string key)
        {
            var tree = ModelFile.Load(path);
            edit(tree);
            var ex = Assert.Throws<UserInputException>(() => ModelReader.FromTree(tree, "m.yaml"));
            Assert.That(ex!.Message, Does.Contain(key));
        }
        Refused(t => Descriptor(t)["use_econf_tebd"] = true, "use_econf_tebd");
        Refused(t => Descriptor(t)["add_chg_spin_ebd"] = true, "add_chg_spin_ebd");
        Refused(t => Args(t)["update_style"] = "res_new", "update_style");
        Refused(t => Args(t)["use_dynamic_sel"] = true, "use_dynamic_sel");
        Refused(t => Args(t)["a_sel"] = 50L, "a_sel");
    }

    [Test]
    public void OneAndSeveralThreadsGiveIdenticalResults()
    {
        var model = Load("dpa3_resavg_compress");
        var (x, y, z, t, box) = Structure(5, 7);
        var one = Eval(model, x, y, z, t, box, new EvaluationOptions { Threads = 1 });
        var four = Eval(model, x, y, z, t, box, new EvaluationOptions { Threads = 4 });
        Assert.That(four.Energy, Is.EqualTo(one.Energy));
        Assert.That(four.Forces, Is.EqualTo(one.Forces));
        Assert.That(four.Virial, Is.EqualTo(one.Virial));
        Assert.That(four.AtomVirial, Is.EqualTo(one.AtomVirial));
    }

    [Test]
    public void ListOverGhostAtomsIsRefusedClearly()
    {
        var model = Load("dpa3_default");
        int[] types = [0, 1, 1];
        var list = new NeighborList([0, 2, 3], [1, 2, 0], [1.5, 0, -1.5], [0, 2, 0], [0, 0, 0], ERcut);
        var ex = Assert.Throws<UserInputException>(() => ReferenceEvaluator.Evaluate(model, types, list));
        Assert.That(ex!.Message, Does.Contain("ghost atom").And.Contain("periodic box"));
    }

    private static Dictionary<string, object?> Descriptor(Dictionary<string, object?> tree) =>
        (Dictionary<string, object?>)((Dictionary<string, object?>)tree["model"]!)["descriptor"]!;

    private static Dictionary<string, object?> Args(Dictionary<string, object?> tree) => (Dictionary<string, object?>)Descriptor(tree)["repflow_args"]!;

    private static IEnumerable<Dictionary<string, object?>> Layers(Dictionary<string, object?> tree) =>
        ((List<object?>)((Dictionary<string, object?>)Descriptor(tree)["repflow_variable"]!)["repflow_layers"]!).Cast<Dictionary<string, object?>>();
}
