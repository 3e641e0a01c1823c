namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// DPA-1 (se_atten, se_atten_v2) in the reference evaluator, on random-weight models written as DeePMD-kit's model dict:
/// forces and virial against finite differences of our own energy at two step sizes (every component), invariances,
/// smoothness across rcut, sel overflow, file round trips. DeePMD-kit's repository has no DPA-1 test vectors stored as
/// .yaml/.dp (its DPA-1 tests generate .pth/.pt2 models at test time), so these physics checks are the reference.
/// </summary>
public class SeAttenReferenceTests
{
    public static IEnumerable<TestCaseData> Variants()
    {
        AttentionModelOptions o = new();
        yield return new TestCaseData(o).SetName("dpa1 concat two-side 2 layers smooth");
        yield return new TestCaseData(o with { OneSide = true, AttnLayers = 1, Dotr = false }).SetName("dpa1 concat one-side 1 layer no dotr");
        yield return new TestCaseData(o with { AttnLayers = 0 }).SetName("dpa1 concat attn_layer 0");
        yield return new TestCaseData(o with { Smooth = false }).SetName("dpa1 concat not smooth");
        yield return new TestCaseData(o with { Normalize = false, Temperature = 0.7, Activation = "gelu" }).SetName("dpa1 no normalize temperature gelu");
        yield return new TestCaseData(o with { ScalingFactor = 0.3, ConcatOutputTebd = false, UseTebdBias = true }).SetName("dpa1 scaling_factor no concat_output_tebd tebd bias");
        yield return new TestCaseData(o with { Mode = "strip" }).SetName("dpa1 strip two-side smooth");
        yield return new TestCaseData(o with { Mode = "strip", OneSide = true, Smooth = false }).SetName("dpa1 strip one-side not smooth");
        yield return new TestCaseData(o with { Type = "se_atten_v2", SetDavgZero = true }).SetName("se_atten_v2 set_davg_zero");
        yield return new TestCaseData(o with { Exclude = [(0, 1)], EnvProtection = 0.05 }).SetName("dpa1 exclude_types env_protection");
        yield return new TestCaseData(o with { PairExclude = [(1, 2)], AtomExclude = [2] }).SetName("dpa1 pair_exclude atom_exclude");
        yield return new TestCaseData(o with { Mode = "strip", Exclude = [(1, 1)], Smooth = false, Dotr = false }).SetName("dpa1 strip exclude not smooth");
    }

    private static EvaluationResult Eval(DeepPotModel m, double[] x, double[] y, double[] z, int[] t, Box? box, EvaluationOptions? options = null) =>
        ReferenceEvaluator.Evaluate(m, x, y, z, t, box, options);

    /// <summary>13 atoms (odd), types 0 and 2 of three (a subset), a triclinic cell with face distance below rcut.</summary>
    private static (double[] X, double[] Y, double[] Z, int[] T, Box Box) Structure(int seed)
    {
        var rng = new Random(seed);
        var box = RandomStructures.TriclinicBox(rng, 5.5, 6.5, tilt: 0.35);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 13, 2, minDist: 1.0);
        t = t.Select(v => v == 1 ? 2 : 0).ToArray();
        t[1] = 1; // and one atom of the middle type
        return (x, y, z, t, box);
    }

    [TestCaseSource(nameof(Variants))]
    public void ForcesMatchFiniteDifferencesAtTwoSteps(AttentionModelOptions o)
    {
        var model = RandomAttentionModels.Create(11, o);
        Assert.That(model.Descriptor, Is.InstanceOf<SeAttenSpec>());
        var (x, y, z, t, box) = Structure(3);
        var r = Eval(model, x, y, z, t, box);
        var coords = new[] { x, y, z };
        double maxF = 0;
        var errs = new double[2];
        double[] steps = [1e-4, 1e-5];
        for (var i = 0; i < x.Length; i++)
            for (var c = 0; c < 3; c++)
            {
                var keep = coords[c][i];
                for (var s = 0; s < 2; s++)
                {
                    var h = steps[s];
                    coords[c][i] = keep + h;
                    var ep = Eval(model, x, y, z, t, box).Energy;
                    coords[c][i] = keep - h;
                    var em = Eval(model, x, y, z, t, box).Energy;
                    coords[c][i] = keep;
                    var fd = -(ep - em) / (2 * h);
                    errs[s] = Math.Max(errs[s], Math.Abs(fd - r.Forces[3 * i + c]));
                    maxF = Math.Max(maxF, Math.Abs(fd));
                }
            }
        TestContext.Out.WriteLine($"max |F| {maxF:E3}; max |F − FD| at h=1e-4: {errs[0]:E2}, at h=1e-5: {errs[1]:E2}");
        Assert.That(maxF, Is.GreaterThan(1e-3), "forces should not be trivially zero");
        Assert.That(errs[0], Is.LessThan(1e-6 * Math.Max(1, maxF)), "h = 1e-4");
        Assert.That(errs[1], Is.LessThan(1e-7 * Math.Max(1, maxF)), "h = 1e-5");
    }

    [TestCaseSource(nameof(Variants))]
    public void VirialMatchesFiniteStrainEveryComponent(AttentionModelOptions o)
    {
        var model = RandomAttentionModels.Create(12, o);
        var (x, y, z, t, box) = Structure(4);
        var r = Eval(model, x, y, z, t, box);
        double EnergyAt(int a, int b, double eps)
        {
            var strain = new double[9];
            strain[3 * a + b] = eps;
            var nb = box.Deformed(strain);
            var n = x.Length;
            double[] xs = new double[n], ys = new double[n], zs = new double[n];
            for (var i = 0; i < n; i++)
            {
                double[] p = [x[i], y[i], z[i]];
                var q = new double[3];
                for (var cc = 0; cc < 3; cc++)
                    for (var k = 0; k < 3; k++) q[cc] += p[k] * ((k == cc ? 1 : 0) + strain[3 * k + cc]);
                (xs[i], ys[i], zs[i]) = (q[0], q[1], q[2]);
            }
            return Eval(model, xs, ys, zs, t, nb).Energy;
        }
        foreach (var h in new[] { 1e-5, 1e-6 })
            for (var a = 0; a < 3; a++)
                for (var b = 0; b < 3; b++)
                {
                    var dEde = (EnergyAt(a, b, h) - EnergyAt(a, b, -h)) / (2 * h);
                    Assert.That(r.Virial[3 * b + a], Is.EqualTo(-dEde).Within(2e-6 * Math.Max(1, Math.Abs(dEde))), $"virial[{b}][{a}] h={h}");
                }
        var sum = new double[9];
        for (var i = 0; i < x.Length; i++)
            for (var q = 0; q < 9; q++) sum[q] += r.AtomVirial[9 * i + q];
        Assert.That(sum, Is.EqualTo(r.Virial).Within(1e-10));
        Assert.That(r.AtomEnergy.Sum(), Is.EqualTo(r.Energy).Within(1e-10));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void NoPbcClusterMatchesFiniteDifferencesAndRotates(bool strip)
    {
        var model = RandomAttentionModels.Create(13, new AttentionModelOptions { Mode = strip ? "strip" : "concat" });
        var rng = new Random(5);
        const int n = 9;
        var x = RandomModels.Fill(rng, n, 2.2);
        var y = RandomModels.Fill(rng, n, 2.2);
        var z = RandomModels.Fill(rng, n, 2.2);
        var t = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        var r0 = Eval(model, x, y, z, t, null);
        const double h = 1e-5;
        for (var i = 0; i < n; i++)
        {
            var keep = x[i];
            x[i] = keep + h;
            var ep = Eval(model, x, y, z, t, null).Energy;
            x[i] = keep - h;
            var em = Eval(model, x, y, z, t, null).Energy;
            x[i] = keep;
            Assert.That(r0.Forces[3 * i], Is.EqualTo(-(ep - em) / (2 * h)).Within(1e-7), $"F_x of atom {i}");
        }
        var rot = RandomRotation(rng);
        var (X, Y, Z) = Rotate(rot, x, y, z);
        var r1 = Eval(model, X, Y, Z, t, null);
        Assert.That(r1.Energy, Is.EqualTo(r0.Energy).Within(1e-10));
        for (var i = 0; i < n; i++)
            for (var a = 0; a < 3; a++)
            {
                var expected = rot[3 * a] * r0.Forces[3 * i] + rot[3 * a + 1] * r0.Forces[3 * i + 1] + rot[3 * a + 2] * r0.Forces[3 * i + 2];
                Assert.That(r1.Forces[3 * i + a], Is.EqualTo(expected).Within(1e-10));
            }
    }

    [Test]
    public void TranslationPermutationAndSupercellInvariance()
    {
        var model = RandomAttentionModels.Create(14, new AttentionModelOptions { Sel = 80 });
        var rng = new Random(6);
        var box = RandomStructures.TriclinicBox(rng, 4.6, 5.2, tilt: 0.2);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 7, 3, minDist: 1.2);
        var r0 = Eval(model, x, y, z, t, box);
        var r1 = Eval(model, x.Select(v => v + 3.7).ToArray(), y.Select(v => v - 11.2).ToArray(), z.Select(v => v + 0.4).ToArray(), t, box);
        Assert.That(r1.Energy, Is.EqualTo(r0.Energy).Within(1e-10));
        Assert.That(r1.Forces, Is.EqualTo(r0.Forces).Within(1e-10));
        Assert.That(r1.Virial, Is.EqualTo(r0.Virial).Within(1e-10));

        // Any permutation that keeps an atom of atom 0's type first (DeePMD-kit's padded slots see atom 0's type).
        int[] perm;
        do perm = Enumerable.Range(0, x.Length).OrderBy(_ => rng.Next()).ToArray();
        while (t[perm[0]] != t[0] || perm[0] == 0);
        var r2 = Eval(model, perm.Select(p => x[p]).ToArray(), perm.Select(p => y[p]).ToArray(), perm.Select(p => z[p]).ToArray(), perm.Select(p => t[p]).ToArray(), box);
        Assert.That(r2.Energy, Is.EqualTo(r0.Energy).Within(1e-10));
        for (var k = 0; k < perm.Length; k++)
            for (var c = 0; c < 3; c++)
                Assert.That(r2.Forces[3 * k + c], Is.EqualTo(r0.Forces[3 * perm[k] + c]).Within(1e-10));

        var hm = box.Matrix;
        var big = new Box([2 * hm[0], 2 * hm[1], 2 * hm[2], 2 * hm[3], 2 * hm[4], 2 * hm[5], 2 * hm[6], 2 * hm[7], 2 * hm[8]]);
        var (X, Y, Z, T) = (new List<double>(), new List<double>(), new List<double>(), new List<int>());
        for (var a = 0; a < 2; a++)
            for (var b = 0; b < 2; b++)
                for (var c = 0; c < 2; c++)
                {
                    var (sx, sy, sz) = box.ToCartesian(a, b, c);
                    for (var i = 0; i < x.Length; i++) { X.Add(x[i] + sx); Y.Add(y[i] + sy); Z.Add(z[i] + sz); T.Add(t[i]); }
                }
        var r3 = Eval(model, X.ToArray(), Y.ToArray(), Z.ToArray(), T.ToArray(), big);
        Assert.That(r3.Energy, Is.EqualTo(8 * r0.Energy).Within(1e-9 * Math.Abs(r0.Energy)));
        for (var k = 0; k < X.Count; k++)
            for (var c = 0; c < 3; c++)
                Assert.That(r3.Forces[3 * k + c], Is.EqualTo(r0.Forces[3 * (k % x.Length) + c]).Within(1e-10));
        for (var q = 0; q < 9; q++) Assert.That(r3.Virial[q], Is.EqualTo(8 * r0.Virial[q]).Within(1e-9 * Math.Max(1, Math.Abs(r0.Virial[q]))));
    }

    [TestCase("concat", 2)]
    [TestCase("strip", 2)]
    [TestCase("concat", 0)]
    public void EnergyAndForceAreContinuousAsANeighborCrossesRcut(string mode, int layers)
    {
        // Smooth attention and zero davg (DeePMD-kit's input defaults): a neighbor leaving at rcut becomes padding smoothly.
        var model = RandomAttentionModels.Create(15, new AttentionModelOptions { Mode = mode, AttnLayers = layers, SetDavgZero = true });
        double[] Eval3(double r)
        {
            var res = Eval(model, [0, r, -1.1, -0.4], [0, 0, 0.3, -1.2], [0, 0.2, 0, -0.5], [0, 1, 2, 1], null); // atoms 2, 3 beyond rcut of atom 1
            return [res.Energy, res.Forces[3]];
        }
        var rc = Math.Sqrt(16 - 0.04);
        const double eps = 1e-4;
        var inside = Eval3(rc - eps);
        var outside = Eval3(rc + eps);
        TestContext.Out.WriteLine($"ΔE {inside[0] - outside[0]:E2}, ΔF {inside[1] - outside[1]:E2}");
        Assert.That(Math.Abs(inside[0] - outside[0]), Is.LessThan(1e-9));
        Assert.That(Math.Abs(inside[1] - outside[1]), Is.LessThan(1e-6));
        Assert.That(outside[1], Is.EqualTo(0).Within(1e-15), "beyond rcut the pair does not interact");
        Assert.That(Math.Abs(Eval3(2.0)[0] - outside[0]), Is.GreaterThan(1e-6), "the pair matters inside the cutoff");
    }

    [Test]
    public void SelOverflowIsAnErrorNamingTheAtomAndTruncationKeepsTheNearest()
    {
        var model = RandomAttentionModels.Create(16, new AttentionModelOptions { Sel = 4 });
        // Atom 0 has 6 neighbors within rcut = 4 Å at distinct distances; the others are far from each other's overflow.
        double[] x = [0, 1.1, -1.4, 0, 0, 2.2, -2.6];
        double[] y = [0, 0, 0.1, 1.7, -2.0, 1.9, -1.5];
        double[] z = [0, 0.3, 0, 0.2, 0.1, 0.5, 1.8];
        int[] t = [0, 1, 2, 1, 0, 2, 1];
        var ex = Assert.Throws<UserInputException>(() => Eval(model, x, y, z, t, null));
        Assert.That(ex!.Message, Does.Contain("atom 1").And.Contain("sel is 4").And.Contain("--allow-sel-truncation"));

        var truncate = new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate };
        var full = Eval(model, x, y, z, t, null, truncate);
        // Atom 0's energy with its 4 nearest kept equals its energy with the 2 farthest removed.
        var r = Enumerable.Range(1, 6).Select(k => Math.Sqrt(x[k] * x[k] + y[k] * y[k] + z[k] * z[k])).ToArray();
        var keep = new[] { 0 }.Concat(Enumerable.Range(1, 6).OrderBy(k => r[k - 1]).Take(4)).ToArray();
        var reduced = Eval(model, keep.Select(k => x[k]).ToArray(), keep.Select(k => y[k]).ToArray(), keep.Select(k => z[k]).ToArray(),
            keep.Select(k => t[k]).ToArray(), null, truncate);
        Assert.That(full.AtomEnergy[0], Is.EqualTo(reduced.AtomEnergy[0]).Within(1e-12));
    }

    [TestCase(".yaml")]
    [TestCase(".dp")]
    public void ModelFileRoundTripGivesTheSameResult(string ext)
    {
        var o = new AttentionModelOptions { Mode = "strip", Exclude = [(0, 2)] };
        var tree = RandomAttentionModels.Tree(17, o);
        var dir = Path.Combine(Path.GetTempPath(), $"dpsharp-atten-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var path = Path.Combine(dir, "model" + ext);
            ModelFile.Save(path, tree);
            var fromFile = ModelLoader.Load(path);
            var fromTree = DeepMD.Sharp.Models.Loading.ModelReader.FromTree(tree, "tree");
            Assert.That(fromFile.Descriptor.TypeName, Is.EqualTo("se_atten"));
            var (x, y, z, t, box) = Structure(7);
            var a = Eval(fromFile, x, y, z, t, box);
            var b = Eval(fromTree, x, y, z, t, box);
            Assert.That(a.Energy, Is.EqualTo(b.Energy));
            Assert.That(a.Forces, Is.EqualTo(b.Forces));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void OneAndSeveralThreadsGiveIdenticalResults()
    {
        var model = RandomAttentionModels.Create(20, new AttentionModelOptions { Mode = "strip" });
        var (x, y, z, t, box) = Structure(9);
        var one = Eval(model, x, y, z, t, box, new EvaluationOptions { Threads = 1 });
        var several = Eval(model, x, y, z, t, box, new EvaluationOptions { Threads = 4 });
        Assert.That(several.Energy, Is.EqualTo(one.Energy));
        Assert.That(several.Forces, Is.EqualTo(one.Forces));
        Assert.That(several.Virial, Is.EqualTo(one.Virial));
        Assert.That(several.AtomVirial, Is.EqualTo(one.AtomVirial));
    }

    [Test]
    public void Float32ModelEvaluatesAndMatchesFiniteDifferences()
    {
        var model = RandomAttentionModels.Create(18, new AttentionModelOptions { Precision = "float32", Type = "se_atten_v2" });
        Assert.That(model.Descriptor.Precision, Is.EqualTo("float32"));
        var (x, y, z, t, box) = Structure(8);
        var r = Eval(model, x, y, z, t, box);
        const double h = 1e-5;
        var keep = y[4];
        y[4] = keep + h;
        var ep = Eval(model, x, y, z, t, box).Energy;
        y[4] = keep - h;
        var em = Eval(model, x, y, z, t, box).Energy;
        Assert.That(r.Forces[3 * 4 + 1], Is.EqualTo(-(ep - em) / (2 * h)).Within(1e-7));
    }

    [Test]
    public void UnsupportedOptionsAreClearErrors()
    {
        var tree = RandomAttentionModels.Tree(19, new AttentionModelOptions());
        var d = (Dictionary<string, object?>)((Dictionary<string, object?>)tree["model"]!)["descriptor"]!;
        d["lmax"] = 2L;
        var ex = Assert.Throws<UserInputException>(() => DeepMD.Sharp.Models.Loading.ModelReader.FromTree(tree, "m.yaml"));
        Assert.That(ex!.Message, Does.Contain("lmax"));
        d.Remove("lmax");
        ((Dictionary<string, object?>)d["type_embedding"]!)["use_econf_tebd"] = true;
        ex = Assert.Throws<UserInputException>(() => DeepMD.Sharp.Models.Loading.ModelReader.FromTree(tree, "m.yaml"));
        Assert.That(ex!.Message, Does.Contain("use_econf_tebd"));
    }

    private static double[] RandomRotation(Random rng)
    {
        var q = RandomModels.Fill(rng, 4, 1);
        var norm = Math.Sqrt(q.Sum(v => v * v));
        double qw = q[0] / norm, qx = q[1] / norm, qy = q[2] / norm, qz = q[3] / norm;
        return
        [
            1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw),
            2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw),
            2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy),
        ];
    }

    private static (double[], double[], double[]) Rotate(double[] rot, double[] x, double[] y, double[] z)
    {
        var n = x.Length;
        double[] X = new double[n], Y = new double[n], Z = new double[n];
        for (var i = 0; i < n; i++)
        {
            X[i] = rot[0] * x[i] + rot[1] * y[i] + rot[2] * z[i];
            Y[i] = rot[3] * x[i] + rot[4] * y[i] + rot[5] * z[i];
            Z[i] = rot[6] * x[i] + rot[7] * y[i] + rot[8] * z[i];
        }
        return (X, Y, Z);
    }
}

/// <summary>
/// The se_atten block is DPA-2's repinit block too: DeePMD-kit's DPA-2 test model (deeppot_dpa.yaml) stores it as
/// <c>repinit_args</c> + <c>repinit_variable</c> with the DPA-2 type embedding. Read through <see cref="DeepMD.Sharp.Models.Loading.SeAttenReader.ReadBlock"/>,
/// put under a random fitting net, its forces match finite differences.
/// </summary>
public class SeAttenRepinitBlockTests
{
    [Test]
    public void Dpa2RepinitBlockReadsAndDifferentiates()
    {
        var tree = ModelFile.Load(RepoPaths.TestModel("deeppot_dpa.yaml"));
        var d = new ModelNode(tree, "deeppot_dpa.yaml")["model"]["descriptor"];
        Assert.That(d["type"].AsString(), Is.EqualTo("dpa2"));
        const int nt = 2;
        var tebd = DeepMD.Sharp.Models.Loading.ModelReader.ReadTypeEmbedding(d["type_embedding"], nt);
        var block = DeepMD.Sharp.Models.Loading.SeAttenReader.ReadBlock(d["repinit_args"], d["repinit_variable"], nt, tebd,
            d["smooth"].AsBool(), forceStrip: false, [], d["env_protection"].AsDouble());
        Assert.That(block.Nsel, Is.EqualTo(108));
        Assert.That(block.Mode, Is.EqualTo(TebdInputMode.Concat));
        Assert.That(block.AttentionLayers, Is.Empty);
        var spec = new SeAttenSpec("se_atten", block, concatOutputTebd: true);
        var rng = new Random(31);
        var net = RandomModels.Net(rng, spec.OutputSize, [6], "tanh", timestep: false, finalLinear: true, scale: 2.0);
        var fitting = new DeepMD.Sharp.Models.Fitting.EnergyFittingSpec(nt, spec.OutputSize, [net], true, [0.1, -0.2], 0, 0,
            null, null, null, null, null, null, false, [], "float64");
        var model = new DeepPotModel(new DeepMD.Sharp.Core.Atoms.TypeMap(["O", "H"]), spec, fitting, [0, 0], [], []);
        var box = RandomStructures.TriclinicBox(rng, 7.0, 8.0, tilt: 0.2);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 15, 2, minDist: 1.0);
        var r = ReferenceEvaluator.Evaluate(model, x, y, z, t, box);
        const double h = 1e-5;
        double maxErr = 0, maxF = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var keep = z[i];
            z[i] = keep + h;
            var ep = ReferenceEvaluator.Evaluate(model, x, y, z, t, box).Energy;
            z[i] = keep - h;
            var em = ReferenceEvaluator.Evaluate(model, x, y, z, t, box).Energy;
            z[i] = keep;
            var fd = -(ep - em) / (2 * h);
            maxErr = Math.Max(maxErr, Math.Abs(fd - r.Forces[3 * i + 2]));
            maxF = Math.Max(maxF, Math.Abs(fd));
        }
        Assert.That(maxF, Is.GreaterThan(1e-4));
        Assert.That(maxErr, Is.LessThan(1e-7 * Math.Max(1, maxF)));
    }
}

/// <summary>
/// The whole-frame descriptor path of the reference evaluator (<see cref="IFrameReferenceDescriptor"/>, for message-passing
/// descriptors): DPA-1 run through it (forward of every center, fitting, one backward pass) gives the per-center result.
/// </summary>
public class FrameReferenceDescriptorTests
{
    /// <summary>se_atten offered only through the frame interface.</summary>
    private sealed class FramedSpec(SeAttenSpec inner) : DescriptorSpec(inner.TypeCount, inner.Rcut, inner.RcutSmooth, inner.Sel, inner.EnvProtection,
        inner.Neuron, inner.TypeOneSide, inner.ExcludeTypes, inner.Davg, inner.Dstd, 4, inner.Embeddings.ToArray(), inner.Precision)
    {
        public override string TypeName => "se_atten_framed";

        public override int OutputSize => inner.OutputSize;

        public override NeighborRequirements Neighbors => inner.Neighbors;

        public override IReferenceDescriptor Reference => throw new InvalidOperationException("the frame path must be used");

        public override IFrameReferenceDescriptor FrameReference => new Adapter(inner);
    }

    private sealed class Adapter(SeAttenSpec spec) : IFrameReferenceDescriptor
    {
        public object Forward(int[] types, DeepMD.Sharp.Core.Neighbors.NeighborList nl, NeighborSlot[][] slots, double[] descriptors, ParallelOptions parallel)
        {
            var ds = spec.OutputSize;
            var states = new object[slots.Length];
            var buffer = new double[ds];
            for (var i = 0; i < slots.Length; i++)
            {
                states[i] = spec.Reference.Forward(i, types[i], types, nl, slots[i], buffer);
                buffer.CopyTo(descriptors, i * ds);
            }
            return states;
        }

        public void Backward(int[] types, DeepMD.Sharp.Core.Neighbors.NeighborList nl, NeighborSlot[][] slots, object state, double[] descriptorGrad,
            double[] gx, double[] gy, double[] gz, ParallelOptions parallel)
        {
            var ds = spec.OutputSize;
            var states = (object[])state;
            for (var i = 0; i < slots.Length; i++)
                spec.Reference.Backward(types[i], nl, slots[i], states[i], descriptorGrad.AsSpan(i * ds, ds).ToArray(), gx, gy, gz);
        }
    }

    [Test]
    public void FramePathEqualsPerCenterPath()
    {
        var model = RandomAttentionModels.Create(22, new AttentionModelOptions { AtomExclude = [1] });
        var framed = model.WithDescriptor(new FramedSpec((SeAttenSpec)model.Descriptor));
        var rng = new Random(23);
        var box = RandomStructures.TriclinicBox(rng, 5.5, 6.5, tilt: 0.3);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 11, 3, minDist: 1.0);
        var a = ReferenceEvaluator.Evaluate(model, x, y, z, t, box);
        var b = ReferenceEvaluator.Evaluate(framed, x, y, z, t, box);
        Assert.That(b.Energy, Is.EqualTo(a.Energy).Within(1e-12));
        Assert.That(b.AtomEnergy, Is.EqualTo(a.AtomEnergy).Within(1e-12));
        Assert.That(b.Forces, Is.EqualTo(a.Forces).Within(1e-12));
        Assert.That(b.AtomVirial, Is.EqualTo(a.AtomVirial).Within(1e-12));
    }
}
