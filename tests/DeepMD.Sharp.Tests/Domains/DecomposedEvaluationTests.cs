namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.MpiDriver;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The water model evaluated subdomain by subdomain on virtual ranks (<see cref="DecomposedEvaluation"/>: owned atoms
/// as centers over owned + ghosts, reverse communication of ghost forces, energy and virial summed over ranks) equals
/// the serial periodic evaluation to 1e-12. MpiRunTests runs the same on MPI ranks.
/// </summary>
[NonParallelizable]
public class DecomposedEvaluationTests
{
    private static readonly Lazy<DeepPotModel> Model = new(() => ModelLoader.Load(RepoPaths.TestModel("deeppot_sea.yaml")));

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var backend in new[] { "reference", "cpu-f64" })
            foreach (var triclinic in new[] { false, true })
                foreach (var (ranks, grid) in new (int, ProcessorGrid?)[]
                         {
                             (1, null), (2, new(2, 1, 1)), (3, new(3, 1, 1)), (3, new(1, 1, 3)), (4, new(1, 2, 2)), (6, new(6, 1, 1)),
                         })
                    yield return new TestCaseData(backend, triclinic, ranks, grid)
                        .SetName($"{{m}}({backend}, {(triclinic ? "triclinic" : "orthogonal")}, {ranks} ranks, grid {grid?.ToString() ?? "default"})");
    }

    [TestCaseSource(nameof(Cases))]
    public void WaterOnVirtualRanks_EqualsTheSerialEvaluation(string backend, bool triclinic, int ranks, ProcessorGrid? grid)
    {
        var model = Model.Value;
        var (x, y, z, types, box) = DecomposedEvaluation.Water(RepoPaths.Get("examples", "water", "water.lmp"), model, triclinic);
        var serial = DecomposedEvaluation.Serial(Create(backend, model), model.Cutoff, x, y, z, types, box);

        (double Energy, double[] Virial, double[] Forces, long[] Owned, long[] Ghosts) root = (0, [], [], [], []);
        LoopbackCommunicator.Run(ranks, comm =>
        {
            // One evaluator per rank, as separate processes would have.
            var r = DecomposedEvaluation.Run(comm, Create(backend, model), model.Cutoff, x, y, z, types, box, grid);
            if (comm.Rank == 0) root = r;
        });

        Assert.That(root.Owned.Sum(), Is.EqualTo(types.Length));
        if (ranks > 1) Assert.That(root.Owned.Max(), Is.LessThan(types.Length), "the atoms are shared between ranks");
        var (de, df, dv) = DecomposedEvaluation.Deviation(serial, root.Energy, root.Virial, root.Forces);
        TestContext.Out.WriteLine($"atoms per rank {string.Join(" ", root.Owned)}, ghosts {string.Join(" ", root.Ghosts)}; relative deviations: energy {de:E2}, forces {df:E2}, virial {dv:E2}");
        Assert.That(de, Is.LessThanOrEqualTo(1e-12), "energy");
        Assert.That(df, Is.LessThanOrEqualTo(1e-12), "forces");
        Assert.That(dv, Is.LessThanOrEqualTo(1e-12), "virial");
    }

    private static IModelEvaluator Create(string backend, DeepPotModel model) =>
        backend == "reference" ? new ReferenceBackend(model) : TestBackends.CreateCpu(model, float32: false);
}
