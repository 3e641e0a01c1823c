namespace DeepMD.Sharp.Tests.Models;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Descriptors;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// DPA-2 (<c>dpa2</c>) on the reference backend against DeePMD-kit's own DPA-2 test model and test vectors.
/// </summary>
public class Dpa2ReferenceTests
{
    // DeePMD-kit (deepmodeling/deepmd-kit, LGPL-3.0) at commit bc902daf747d93c5d7314338d287fd2dd0a7e32c:
    // source/tests/infer/deeppot_universal_data.h, deeppot_coord(), deeppot_atype(), deeppot_box(),
    // jax_dpa_deeppot_ref() (periodic box) and jax_dpa_deeppot_no_pbc_ref() (no box), the expected results of
    // source/tests/infer/deeppot_dpa.yaml (converted to JAX/TF savedmodels) used by source/api_cc/tests/test_deeppot_universal.cc.
    private static readonly double[] Coord =
    [
        12.83, 2.56, 2.18, 12.09, 2.87, 2.74, 00.25, 3.32, 1.68,
        3.36, 3.00, 1.81, 3.51, 2.51, 2.60, 4.27, 3.22, 1.56,
    ];

    private static readonly int[] Atype = [0, 1, 1, 0, 1, 1];

    private static readonly double[] BoxMatrix = [13.0, 0.0, 0.0, 0.0, 13.0, 0.0, 0.0, 0.0, 13.0];

    private static readonly double[] PbcAtomEnergy =
    [
        -94.24098099691867, -187.8049502787117, -187.80486052083617,
        -94.24059525229518, -187.80366985846246, -187.8042377490619,
    ];

    private static readonly double[] PbcForce =
    [
        -0.0020150115442053, -0.0133389255924977, -0.0014347177433057,
        -0.0140757358179293, 0.0031373814221557, 0.0098594354314677,
        0.004755683505073, 0.0099471082374397, -0.0080868184532793,
        -0.0086166721574536, 0.0037803939137322, -0.0075733131286482,
        0.0037437603038209, -0.008452527996008, 0.0134837461840424,
        0.0162079757106944, 0.0049265700151781, -0.0062483322902769,
    ];

    private static readonly double[] PbcAtomVirial =
    [
        0.0133534319524089, 0.0013445914938337, -0.0029370551651952,
        0.0002611806151294, 0.004662662211533, -0.0002717443796319,
        -0.0027779798869954, -0.0003277976466339, 0.0018284972283065,
        0.0085710118978246, 0.0003865036653608, -0.0057964032875089,
        -0.0014358330222619, 0.0002912625128908, 0.001212630641674,
        -0.0050582608957046, -0.0001087907763249, 0.0040068757134429,
        0.0116736349373084, 0.0007055477968445, -0.0019544933708784,
        0.0032997459258512, 0.0037887116116712, -0.0043140890650835,
        -0.0034418738401156, -0.0029420616852742, 0.0038219676716965,
        0.0147134944025738, 0.0005214313829998, -0.0006524136175906,
        0.0003656980996363, 0.0010046161607714, -0.0017279359476254,
        0.000111127036911, -0.0017063190420654, 0.0030174567965904,
        0.0104435705455107, -0.0008704394438241, 0.0012354202650812,
        0.0009397615830053, 0.0029105236407293, -0.0044188897903449,
        -0.0011461513500477, -0.0045759080125852, 0.0070310883421107,
        0.0089818851995049, 0.0038819466696704, -0.005443705549253,
        0.0025390283635246, 0.0012121502955869, -0.0016998728971157,
        -0.0032355117893925, -0.0015590242752438, 0.0021980725909838,
    ];

    private static readonly double[] NoPbcAtomEnergy =
    [
        -94.24457967995595, -187.81100287606412, -187.81417300904738,
        -94.24110552426328, -187.80431436838532, -187.80457222464983,
    ];

    private static readonly double[] NoPbcForce =
    [
        0.0051417559595313, -0.0021539788479118, -0.0038910585639696,
        -0.0051417559595313, 0.0021539788479118, 0.0038910585639696,
        -0.0035470615733886, 0.0003602503965239, -0.0001895679272905,
        -0.0117361352793328, 0.0034252835112125, -0.0071824017939095,
        0.0005398894945495, -0.0084330745423862, 0.013284532676939,
        0.0147433073581718, 0.0046475406346498, -0.005912562955739,
    ];

    private static readonly double[] NoPbcAtomVirial =
    [
        1.8756488030620411e-03, -7.8574476885035112e-04, -1.4194099050199721e-03,
        -7.8574476885031816e-04, 3.2916334911298369e-04, 5.9461766291377029e-04,
        -1.4194099050199305e-03, 5.9461766291377637e-04, 1.0741480362313257e-03,
        1.9292506069911106e-03, -8.0819957860435269e-04, -1.4599734323175548e-03,
        -8.0819957860438912e-04, 3.3857009373966171e-04, 6.1161049191681572e-04,
        -1.4599734323175878e-03, 6.1161049191681138e-04, 1.1048447595916697e-03,
        7.6085550162737362e-03, -9.6772620145935649e-04, 8.3466357433496438e-04,
        -6.0870001592646837e-04, 7.8216372819095133e-05, -6.6454748650881927e-05,
        1.6484218595781155e-04, -1.4860654308892986e-05, 9.1346879754941710e-06,
        7.3496442591020616e-03, -4.4351638231197171e-04, 1.0048648094020743e-03,
        -6.7678341212752506e-04, 1.0347359647873023e-03, -1.6645682233463639e-03,
        1.4376416549492857e-03, -1.7116654329527997e-03, 2.8516307661164836e-03,
        1.7683913600324828e-03, -2.6945055858769765e-04, 3.0381043714224000e-04,
        9.9317892494769217e-04, 2.9343081937224687e-03, -4.4381349285303948e-03,
        -1.6684804850477311e-03, -4.5760063242183471e-03, 6.9407432349694147e-03,
        7.8021639779489171e-03, 3.5246152053432442e-03, -4.9415349551876243e-03,
        2.1362265660905197e-03, 1.2226850609509659e-03, -1.7016886981679963e-03,
        -2.7321994901677166e-03, -1.5683141872155984e-03, 2.1960566952029213e-03,
    ];

    /// <summary>DeePMD-kit's test case on the reference backend, or on the evaluator <paramref name="backend"/> makes (the CPU backend's tests).</summary>
    internal static EvaluationResult EvaluateCase(bool pbc, Func<DeepPotModel, IModelEvaluator>? backend = null)
    {
        var model = ModelLoader.Load(RepoPaths.TestModel("deeppot_dpa.yaml"));
        var n = Atype.Length;
        var x = Enumerable.Range(0, n).Select(i => Coord[3 * i]).ToArray();
        var y = Enumerable.Range(0, n).Select(i => Coord[3 * i + 1]).ToArray();
        var z = Enumerable.Range(0, n).Select(i => Coord[3 * i + 2]).ToArray();
        var box = pbc ? new Box(BoxMatrix) : null;
        if (backend is null) return ReferenceEvaluator.Evaluate(model, x, y, z, Atype, box, new EvaluationOptions());
        var nl = DeepMD.Sharp.Core.Neighbors.CellListNeighborSearch.Build(x, y, z, box, model.Cutoff);
        var options = new EvaluationOptions { AtomPositions = ReferenceEvaluator.WrappedPositions(x, y, z, box) };
        return backend(model).Evaluate(Atype, nl, options);
    }

    [Test]
    public void DeePMDKitTestModelLoads()
    {
        var model = ModelLoader.Load(RepoPaths.TestModel("deeppot_dpa.yaml"));
        Assert.That(model.Descriptor, Is.InstanceOf<Dpa2Spec>());
        var d = (Dpa2Spec)model.Descriptor;
        Assert.That(d.OutputSize, Is.EqualTo(13));
        Assert.That(d.Rcut, Is.EqualTo(6.0));
        Assert.That(d.ThreeBody, Is.Not.Null);
        Assert.That(d.Repformer.Layers, Has.Length.EqualTo(3));
        Assert.That(d.Repformer.Layers[2].UpdateChannel2, Is.False);
    }

    [TestCase(true, TestName = "DPA-2 test model equals DeePMD-kit (periodic box)")]
    [TestCase(false, TestName = "DPA-2 test model equals DeePMD-kit (no PBC)")]
    public void MatchesDeePMDKit(bool pbc) => AssertMatchesDeePMDKit(EvaluateCase(pbc), pbc, 1e-10);

    /// <summary>DeePMD-kit's numbers for the case within <paramref name="tolerance"/> (absolute; energy and virial: per atom).</summary>
    internal static void AssertMatchesDeePMDKit(EvaluationResult r, bool pbc, double tolerance)
    {
        var ae = pbc ? PbcAtomEnergy : NoPbcAtomEnergy;
        var f = pbc ? PbcForce : NoPbcForce;
        var av = pbc ? PbcAtomVirial : NoPbcAtomVirial;
        var n = Atype.Length;
        var virial = new double[9];
        for (var i = 0; i < n; i++)
            for (var q = 0; q < 9; q++) virial[q] += av[9 * i + q];
        TestContext.Out.WriteLine($"max |Δe_i| = {ae.Zip(r.AtomEnergy).Max(p => Math.Abs(p.First - p.Second)):E2}, "
            + $"max |ΔF| = {f.Zip(r.Forces).Max(p => Math.Abs(p.First - p.Second)):E2}, "
            + $"max |ΔW| = {virial.Zip(r.Virial).Max(p => Math.Abs(p.First - p.Second)):E2}, "
            + $"max |Δw_i| = {av.Zip(r.AtomVirial).Max(p => Math.Abs(p.First - p.Second)):E2}");
        Assert.That(r.AtomEnergy, Is.EqualTo(ae).Within(tolerance), "atomic energy");
        Assert.That(r.Energy, Is.EqualTo(ae.Sum()).Within(tolerance * n), "energy");
        Assert.That(r.Forces, Is.EqualTo(f).Within(tolerance), "force");
        Assert.That(r.Virial, Is.EqualTo(virial).Within(tolerance * n), "virial");
        Assert.That(r.AtomVirial, Is.EqualTo(av).Within(tolerance), "per-atom virial (DeePMD-kit's convention, from the positions)");
    }
}
