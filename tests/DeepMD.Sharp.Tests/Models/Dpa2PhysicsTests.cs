namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// DPA-2 models with random weights and statistics, every repformer switch, against physics: forces and every virial
/// component equal finite differences of our own energy (at two step sizes that agree with each other, so no neighbor
/// list truncation sits in the way), translation/rotation/permutation/supercell invariance, continuity across every
/// cutoff, odd atom counts, triclinic cells whose face distance is below the cutoff, no PBC, a type subset.
/// </summary>
public class Dpa2PhysicsTests
{
    public static IEnumerable<Dpa2Options> Configurations()
    {
        yield return new Dpa2Options { Name = "like-deeppot_dpa" };
        yield return new Dpa2Options
        {
            Name = "all-attention-res_avg", G1Attn = true, G2G1G1 = true, G2Attn = true, H2 = true, UpdateStyle = "res_avg",
            SqrtNnei = false, G1OutConv = false, G1OutMlp = false, Layers = 3,
        };
        yield return new Dpa2Options
        {
            Name = "strip-one-side-res_incr", Strip = true, TypeOneSide = true, UpdateStyle = "res_incr", AddTebd = true,
            ConcatTebd = false, DirectDist = true, G2Attn = true, H2 = true, Gate = false,
        };
        yield return new Dpa2Options
        {
            Name = "strip-not-smooth", Strip = true, Smooth = false, G1Attn = true, G2G1G1 = true, G2Attn = true, H2 = true,
            UpdateStyle = "res_residual", G1OutConv = false,
        };
        yield return new Dpa2Options
        {
            Name = "three-types-excluded-pair", Types = 3, ThreeBody = false, ExcludeTypes = [[0, 2]], G1Attn = true, G2G1G1 = true,
        };
    }

    private static (double[] X, double[] Y, double[] Z, int[] Types, Box Box) Structure(int seed, int n, int ntypes)
    {
        var rng = new Random(seed);
        var box = RandomStructures.TriclinicBox(rng, 4.2, 4.6);
        var (x, y, z, types) = RandomStructures.Atoms(rng, box, n, ntypes, minDist: 1.0);
        if (ntypes == 3)
            for (var i = 0; i < n; i++) types[i] = i % 2 == 0 ? 0 : 2; // a subset of the model's types, and the excluded pair
        return (x, y, z, types, box);
    }

    private static EvaluationResult Eval(DeepPotModel m, double[] x, double[] y, double[] z, int[] t, Box? box, EvaluationOptions? o = null) =>
        ReferenceEvaluator.Evaluate(m, x, y, z, t, box, o ?? new EvaluationOptions());

    [TestCaseSource(nameof(Configurations))]
    public void ForcesAndEveryVirialComponentMatchFiniteDifferences(Dpa2Options o)
    {
        var model = RandomDpa2Models.Create(11, o);
        var (x, y, z, t, box) = Structure(5, 9, o.Types);
        Assert.That(Math.Min(box.FaceDistance(0), Math.Min(box.FaceDistance(1), box.FaceDistance(2))), Is.LessThan(RandomDpa2Models.RepinitRcut));
        var r = Eval(model, x, y, z, t, box);
        double Energy(double[] xx, double[] yy, double[] zz, Box b) => Eval(model, xx, yy, zz, t, b).Energy;

        var worst = 0.0;
        foreach (var atom in new[] { 0, 4, 8 })
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
                    // x' = x (I + ε): ∂E/∂ε_ab = Σ_k x_k,a ∂E/∂x_k,b = −W[b][a].
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
        TestContext.Out.WriteLine($"{o}: E = {r.Energy:F6}, largest |analytic − finite difference| = {worst:E2}");
    }

    [TestCaseSource(nameof(Configurations))]
    public void InvariantUnderTranslationRotationPermutationAndSupercell(Dpa2Options o)
    {
        var model = RandomDpa2Models.Create(23, o);
        var (x, y, z, t, box) = Structure(8, 9, o.Types);
        var n = x.Length;
        var r = Eval(model, x, y, z, t, box);

        // Translation.
        var rt = Eval(model, x.Select(v => v + 0.37).ToArray(), y.Select(v => v - 1.21).ToArray(), z.Select(v => v + 2.05).ToArray(), t, box);
        Assert.That(rt.Energy, Is.EqualTo(r.Energy).Within(1e-10), "translation: energy");
        Assert.That(rt.Forces, Is.EqualTo(r.Forces).Within(1e-10), "translation: forces");

        // Rotation of atoms and cell (row vectors: x' = x R).
        var rot = Rotation(0.7, -0.4, 1.3);
        double[] Rotate(double[] v) => [v[0] * rot[0] + v[1] * rot[3] + v[2] * rot[6], v[0] * rot[1] + v[1] * rot[4] + v[2] * rot[7], v[0] * rot[2] + v[1] * rot[5] + v[2] * rot[8]];
        var h = box.Matrix.ToArray();
        var hr = new double[9];
        for (var row = 0; row < 3; row++) Rotate(h[(3 * row)..(3 * row + 3)]).CopyTo(hr, 3 * row);
        double[] xr = new double[n], yr = new double[n], zr = new double[n];
        for (var i = 0; i < n; i++) (xr[i], yr[i], zr[i]) = Tuple(Rotate([x[i], y[i], z[i]]));
        var rr = Eval(model, xr, yr, zr, t, new Box(hr));
        Assert.That(rr.Energy, Is.EqualTo(r.Energy).Within(1e-10), "rotation: energy");
        for (var i = 0; i < n; i++)
            Assert.That(rr.Forces.AsSpan(3 * i, 3).ToArray(), Is.EqualTo(Rotate(r.Forces.AsSpan(3 * i, 3).ToArray())).Within(1e-10), $"rotation: force on atom {i}");

        // Permutation of atoms of the same type (types alternate, so i ↔ i+2).
        var perm = Enumerable.Range(0, n).ToArray();
        for (var i = 0; i + 2 < n; i += 4) (perm[i], perm[i + 2]) = (perm[i + 2], perm[i]);
        var rp = Eval(model, perm.Select(p => x[p]).ToArray(), perm.Select(p => y[p]).ToArray(), perm.Select(p => z[p]).ToArray(), perm.Select(p => t[p]).ToArray(), box);
        Assert.That(rp.Energy, Is.EqualTo(r.Energy).Within(1e-10), "permutation: energy");
        for (var i = 0; i < n; i++)
        {
            Assert.That(rp.AtomEnergy[i], Is.EqualTo(r.AtomEnergy[perm[i]]).Within(1e-10), $"permutation: energy of atom {i}");
            Assert.That(rp.Forces.AsSpan(3 * i, 3).ToArray(), Is.EqualTo(r.Forces.AsSpan(3 * perm[i], 3).ToArray()).Within(1e-10), $"permutation: force on atom {i}");
        }

        // A 2×1×1 supercell: twice the energy, the same per-atom energies and forces.
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

    private static (double, double, double) Tuple(double[] v) => (v[0], v[1], v[2]);

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

    /// <summary>An atom crossing each cutoff (repinit, three-body, repformer) of a smooth model: energy and forces continuous.</summary>
    /// <remarks>
    /// With set_davg_zero (DeePMD-kit's default for DPA-2). A non-zero radial davg makes DeePMD-kit's dense DPA-2 (and so
    /// ours) jump where a neighbor leaves repinit's cutoff: the emptied slot keeps the row −davg/dstd but takes the type
    /// embedding of atom 0 instead of the neighbor's.
    /// </remarks>
    [TestCase(RandomDpa2Models.RepinitRcut, true)]
    [TestCase(RandomDpa2Models.ThreeBodyRcut, true)]
    [TestCase(RandomDpa2Models.RepformerRcut, true)]
    [TestCase(RandomDpa2Models.ThreeBodyRcut, false)]
    [TestCase(RandomDpa2Models.RepformerRcut, false)]
    public void SmoothAcrossEachCutoff(double rc, bool davgZero)
    {
        var model = RandomDpa2Models.Create(31, new Dpa2Options { Name = "smooth", G1Attn = true, G2G1G1 = true, G2Attn = true, H2 = true, SetDavgZero = davgZero });
        double[] cx = [0, -1.1, -0.3, -0.5], cy = [0, 0.4, -1.0, 0.6], cz = [0, 0.2, 0.5, -1.0];
        int[] t = [0, 1, 1, 0, 1];
        EvaluationResult At(double d) => Eval(model, [.. cx, d], [.. cy, 0.05], [.. cz, -0.03], t, null);
        var at = Math.Sqrt(rc * rc - 0.05 * 0.05 - 0.03 * 0.03); // |r_4 − r_0| = rc here
        const double delta = 1e-8;
        var inside = At(at - delta);
        var outside = At(at + delta);
        Assert.That(inside.Energy, Is.EqualTo(outside.Energy).Within(1e-10), "energy across the cutoff");
        Assert.That(inside.Forces, Is.EqualTo(outside.Forces).Within(1e-7), "forces across the cutoff");
        Assert.That(Math.Abs(At(at - 0.7).Energy - inside.Energy), Is.GreaterThan(1e-10), "the moving atom matters inside the cutoff");
    }

    [Test]
    public void NoPbcOddClusterMatchesFiniteDifferences()
    {
        var model = RandomDpa2Models.Create(41, new Dpa2Options { Name = "cluster", G1Attn = true, G2Attn = true, H2 = true });
        var rng = new Random(3);
        var (x, y, z, t) = RandomStructures.Atoms(rng, Box.Orthorhombic(5, 5, 5), 7, 2, minDist: 1.0);
        var r = Eval(model, x, y, z, t, null);
        for (var i = 0; i < x.Length; i++)
        {
            var h = 1e-5;
            double[] xp = (double[])x.Clone(), xm = (double[])x.Clone();
            xp[i] += h;
            xm[i] -= h;
            var fd = -(Eval(model, xp, y, z, t, null).Energy - Eval(model, xm, y, z, t, null).Energy) / (2 * h);
            Assert.That(r.Forces[3 * i], Is.EqualTo(fd).Within(1e-7), $"force x on atom {i}");
        }
        var total = new double[3];
        for (var i = 0; i < x.Length; i++)
            for (var c = 0; c < 3; c++) total[c] += r.Forces[3 * i + c];
        Assert.That(total, Is.EqualTo(new double[3]).Within(1e-12), "no PBC: forces sum to zero");
    }

    [Test]
    public void SmallerBlockOverflowIsAnErrorUnlessTruncationIsAsked()
    {
        var model = RandomDpa2Models.Create(51, new Dpa2Options { Name = "small-sel", RepformerSel = 4 });
        var (x, y, z, t, box) = Structure(5, 11, 2);
        var ex = Assert.Throws<UserInputException>(() => Eval(model, x, y, z, t, box));
        Assert.That(ex!.Message, Does.Contain("3.5 Å").And.Contain("keeps 4").And.Contain("--allow-sel-truncation"));
        var r = Eval(model, x, y, z, t, box, new EvaluationOptions { SelOverflow = SelOverflowPolicy.Truncate });
        Assert.That(double.IsFinite(r.Energy), Is.True);
    }
}

/// <summary>DPA-2 on a neighbor list over ghost atoms (a LAMMPS rank): refused clearly, since message passing needs the ghosts' features.</summary>
public class Dpa2GhostListTests
{
    [Test]
    public void ListOverGhostAtomsIsRefusedClearly()
    {
        var model = RandomDpa2Models.Create(11, new Dpa2Options { Name = "ghosts" });
        // Two local atoms 1.5 Å apart and a ghost atom (index 2) 2 Å from the first.
        int[] types = [0, 1, 1];
        var list = new DeepMD.Sharp.Core.Neighbors.NeighborList([0, 2, 3], [1, 2, 0], [1.5, 0, -1.5], [0, 2, 0], [0, 0, 0], RandomDpa2Models.RepinitRcut);
        var ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => ReferenceEvaluator.Evaluate(model, types, list));
        Assert.That(ex!.Message, Does.Contain("ghost atom").And.Contain("periodic box"));
    }
}
