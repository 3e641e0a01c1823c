namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>Physics checks of the reference evaluator on random models: finite differences and invariances.</summary>
public class ReferenceEvaluatorPhysicsTests
{
    public static IEnumerable<TestCaseData> Models()
    {
        yield return new TestCaseData("se_e2_a", true, null, "tanh").SetName("se_e2_a one-side");
        yield return new TestCaseData("se_e2_a", false, null, "tanh").SetName("se_e2_a two-side");
        yield return new TestCaseData("se_e2_a", false, new[] { (0, 1) }, "gelu").SetName("se_e2_a two-side exclude(0,1) gelu");
        yield return new TestCaseData("se_e2_a", true, new[] { (1, 1) }, "silu").SetName("se_e2_a exclude(1,1) silu");
        yield return new TestCaseData("se_e2_r", true, null, "tanh").SetName("se_e2_r one-side");
        yield return new TestCaseData("se_e2_r", false, new[] { (0, 1) }, "softplus").SetName("se_e2_r two-side exclude(0,1)");
    }

    private static EvaluationResult Eval(DeepPotModel m, double[] x, double[] y, double[] z, int[] t, Box? box) =>
        ReferenceEvaluator.Evaluate(m, x, y, z, t, box);

    [TestCaseSource(nameof(Models))]
    public void ForcesMatchFiniteDifferences(string descriptor, bool oneSide, (int, int)[]? exclude, string act)
    {
        var rng = new Random(42);
        var model = RandomModels.Create(3, descriptor, ["O", "H", "C"], oneSide, exclude, act: act);
        var box = RandomStructures.TriclinicBox(rng, 5.5, 7.5, tilt: 0.35); // face distance below rcut 4 ×2: images matter
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 12, 3, minDist: 1.0);
        var r = Eval(model, x, y, z, t, box);
        const double h = 1e-5;
        var coords = new[] { x, y, z };
        double maxErr = 0, maxF = 0;
        for (var i = 0; i < x.Length; i++)
            for (var c = 0; c < 3; c++)
            {
                var keep = coords[c][i];
                coords[c][i] = keep + h;
                var ep = Eval(model, x, y, z, t, box).Energy;
                coords[c][i] = keep - h;
                var em = Eval(model, x, y, z, t, box).Energy;
                coords[c][i] = keep;
                var fd = -(ep - em) / (2 * h);
                maxErr = Math.Max(maxErr, Math.Abs(fd - r.Forces[3 * i + c]));
                maxF = Math.Max(maxF, Math.Abs(fd));
            }
        Assert.That(maxF, Is.GreaterThan(1e-3), "forces should not be trivially zero");
        Assert.That(maxErr, Is.LessThan(1e-7 * Math.Max(1, maxF)));
    }

    [TestCaseSource(nameof(Models))]
    public void VirialMatchesFiniteStrain(string descriptor, bool oneSide, (int, int)[]? exclude, string act)
    {
        var rng = new Random(5);
        var model = RandomModels.Create(4, descriptor, ["O", "H", "C"], oneSide, exclude, act: act);
        var box = RandomStructures.TriclinicBox(rng, 5.5, 7.5, tilt: 0.35);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 12, 3, minDist: 1.0);
        var r = Eval(model, x, y, z, t, box);
        const double h = 1e-6;
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
                double[] q = new double[3];
                for (var cc = 0; cc < 3; cc++)
                    for (var k = 0; k < 3; k++) q[cc] += p[k] * ((k == cc ? 1 : 0) + strain[3 * k + cc]);
                (xs[i], ys[i], zs[i]) = (q[0], q[1], q[2]);
            }
            return Eval(model, xs, ys, zs, t, nb).Energy;
        }
        for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                // x'_b = Σ_a x_a (δ_ab + ε_ab) ⇒ dE/dε_ab = −W[b][a]
                var dEde = (EnergyAt(a, b, h) - EnergyAt(a, b, -h)) / (2 * h);
                Assert.That(r.Virial[3 * b + a], Is.EqualTo(-dEde).Within(1e-6 * Math.Max(1, Math.Abs(dEde))), $"virial[{b}][{a}]");
            }
        var sum = new double[9];
        for (var i = 0; i < x.Length; i++)
            for (var q = 0; q < 9; q++) sum[q] += r.AtomVirial[9 * i + q];
        Assert.That(sum, Is.EqualTo(r.Virial).Within(1e-10));
        Assert.That(r.AtomEnergy.Sum(), Is.EqualTo(r.Energy).Within(1e-10));
    }

    [Test]
    public void TranslationAndPermutationInvariance()
    {
        var rng = new Random(8);
        var model = RandomModels.Create(5, "se_e2_a", ["O", "H"], false);
        var box = RandomStructures.TriclinicBox(rng, 7, 9);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 16, 2);
        var r0 = Eval(model, x, y, z, t, box);
        var r1 = Eval(model, x.Select(v => v + 3.7).ToArray(), y.Select(v => v - 11.2).ToArray(), z.Select(v => v + 0.4).ToArray(), t, box);
        Assert.That(r1.Energy, Is.EqualTo(r0.Energy).Within(1e-10));
        Assert.That(r1.Forces, Is.EqualTo(r0.Forces).Within(1e-10));
        Assert.That(r1.Virial, Is.EqualTo(r0.Virial).Within(1e-10));

        var perm = Enumerable.Range(0, x.Length).OrderBy(_ => rng.Next()).ToArray();
        var r2 = Eval(model, perm.Select(p => x[p]).ToArray(), perm.Select(p => y[p]).ToArray(), perm.Select(p => z[p]).ToArray(), perm.Select(p => t[p]).ToArray(), box);
        Assert.That(r2.Energy, Is.EqualTo(r0.Energy).Within(1e-10));
        for (var k = 0; k < perm.Length; k++)
            for (var c = 0; c < 3; c++)
                Assert.That(r2.Forces[3 * k + c], Is.EqualTo(r0.Forces[3 * perm[k] + c]).Within(1e-10));
    }

    [TestCase("se_e2_a")]
    [TestCase("se_e2_r")]
    public void RotationInvarianceOfCluster(string descriptor)
    {
        var rng = new Random(9);
        var model = RandomModels.Create(6, descriptor, ["O", "H"]);
        var n = 10;
        var x = RandomModels.Fill(rng, n, 2.5);
        var y = RandomModels.Fill(rng, n, 2.5);
        var z = RandomModels.Fill(rng, n, 2.5);
        var t = Enumerable.Range(0, n).Select(i => i % 2).ToArray();
        var r0 = Eval(model, x, y, z, t, null);
        // A rotation from a random unit quaternion.
        var q = RandomModels.Fill(rng, 4, 1);
        var norm = Math.Sqrt(q.Sum(v => v * v));
        double qw = q[0] / norm, qx = q[1] / norm, qy = q[2] / norm, qz = q[3] / norm;
        double[] rot =
        [
            1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw),
            2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw),
            2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy),
        ];
        double[] X = new double[n], Y = new double[n], Z = new double[n];
        for (var i = 0; i < n; i++)
        {
            X[i] = rot[0] * x[i] + rot[1] * y[i] + rot[2] * z[i];
            Y[i] = rot[3] * x[i] + rot[4] * y[i] + rot[5] * z[i];
            Z[i] = rot[6] * x[i] + rot[7] * y[i] + rot[8] * z[i];
        }
        var r1 = Eval(model, X, Y, Z, t, null);
        Assert.That(r1.Energy, Is.EqualTo(r0.Energy).Within(1e-10));
        for (var i = 0; i < n; i++)
            for (var a = 0; a < 3; a++)
            {
                var expected = rot[3 * a] * r0.Forces[3 * i] + rot[3 * a + 1] * r0.Forces[3 * i + 1] + rot[3 * a + 2] * r0.Forces[3 * i + 2];
                Assert.That(r1.Forces[3 * i + a], Is.EqualTo(expected).Within(1e-10));
            }
    }

    [TestCase("se_e2_a")]
    [TestCase("se_e2_r")]
    public void SupercellGivesExtensiveEnergyAndSameForces(string descriptor)
    {
        var rng = new Random(10);
        var model = RandomModels.Create(7, descriptor, ["O", "H"], sel: [60, 60]);
        var box = RandomStructures.TriclinicBox(rng, 4.5, 5.5, tilt: 0.2);
        var (x, y, z, t) = RandomStructures.Atoms(rng, box, 6, 2, minDist: 1.2);
        var r0 = Eval(model, x, y, z, t, box);
        var h = box.Matrix;
        var big = new Box([2 * h[0], 2 * h[1], 2 * h[2], 2 * h[3], 2 * h[4], 2 * h[5], 2 * h[6], 2 * h[7], 2 * h[8]]);
        var (X, Y, Z, T) = (new List<double>(), new List<double>(), new List<double>(), new List<int>());
        for (var a = 0; a < 2; a++)
            for (var b = 0; b < 2; b++)
                for (var c = 0; c < 2; c++)
                {
                    var (sx, sy, sz) = box.ToCartesian(a, b, c);
                    for (var i = 0; i < x.Length; i++) { X.Add(x[i] + sx); Y.Add(y[i] + sy); Z.Add(z[i] + sz); T.Add(t[i]); }
                }
        var r1 = Eval(model, X.ToArray(), Y.ToArray(), Z.ToArray(), T.ToArray(), big);
        Assert.That(r1.Energy, Is.EqualTo(8 * r0.Energy).Within(1e-9 * Math.Abs(r0.Energy)));
        for (var k = 0; k < X.Count; k++)
            for (var c = 0; c < 3; c++)
                Assert.That(r1.Forces[3 * k + c], Is.EqualTo(r0.Forces[3 * (k % x.Length) + c]).Within(1e-10));
        for (var q = 0; q < 9; q++) Assert.That(r1.Virial[q], Is.EqualTo(8 * r0.Virial[q]).Within(1e-9));
    }

    [TestCase("se_e2_a")]
    [TestCase("se_e2_r")]
    public void EnergyIsSmoothAsANeighborCrossesTheCutoff(string descriptor)
    {
        var model = RandomModels.Create(8, descriptor, ["O", "H"], rcut: 4.0, rcutSmooth: 1.0);
        double E(double r) => Eval(model, [0, r, -1.1], [0, 0, 0.3], [0, 0.2, 0], [0, 1, 1], null).Energy;
        double F(double r) => Eval(model, [0, r, -1.1], [0, 0, 0.3], [0, 0.2, 0], [0, 1, 1], null).Forces[3];
        var rc = Math.Sqrt(16 - 0.04);
        const double eps = 1e-4;
        // Inside and outside the cutoff the energy agrees to O(eps³) and the force to O(eps²).
        Assert.That(Math.Abs(E(rc - eps) - E(rc + eps)), Is.LessThan(1e-9));
        Assert.That(Math.Abs(F(rc - eps) - F(rc + eps)), Is.LessThan(1e-6));
        Assert.That(F(rc + eps), Is.EqualTo(0).Within(1e-15), "beyond rcut the pair does not interact");
        // And the energy does depend on the pair inside the smooth region.
        Assert.That(Math.Abs(E(2.0) - E(rc + eps)), Is.GreaterThan(1e-6));
    }

    [Test]
    public void SelOverflowIsAnErrorNamingTheAtomUnlessTruncationIsAsked()
    {
        var model = RandomModels.Create(9, "se_e2_a", ["O", "H"], sel: [2, 3]);
        var x = new double[] { 0, 1.5, -1.5, 0, 0, 0 };
        var y = new double[] { 0, 0, 0, 1.5, -1.5, 0 };
        var z = new double[] { 0, 0, 0, 0, 0, 1.5 };
        var t = new[] { 0, 0, 0, 0, 1, 1 };
        var ex = Assert.Throws<UserInputException>(() => Eval(model, x, y, z, t, null));
        Assert.That(ex!.Message, Does.Contain("atom 1").And.Contain("3 neighbors of type O").And.Contain("sel for that type is 2"));
        var r = ReferenceEvaluator.Evaluate(model, x, y, z, t, null, new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate });
        Assert.That(double.IsFinite(r.Energy));
    }

    [Test]
    public void OverlappingAtomsAreAUserError()
    {
        var model = RandomModels.Create(9, "se_e2_a", ["O", "H"]);
        var ex = Assert.Throws<UserInputException>(() => Eval(model, [0, 1, 1], [0, 0, 0], [0, 0, 0], [0, 1, 1], null));
        Assert.That(ex!.Message, Does.Contain("atoms 2 and 3").And.Contain("on top of each other"));
    }
}
