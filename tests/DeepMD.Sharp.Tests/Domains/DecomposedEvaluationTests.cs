namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// The water model evaluated subdomain by subdomain, as a decomposed MD step will: each (virtual) rank evaluates its
/// owned atoms as centers over owned + ghost atoms (the ghost-atom contract, an external list over the local centers),
/// ghost forces go back to their owners by reverse communication, energies and virials are summed over ranks in rank
/// order. The result equals the serial periodic evaluation to 1e-12.
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
                             (1, null), (2, new(2, 1, 1)), (3, new(3, 1, 1)), (3, new(1, 1, 3)), (4, new(1, 2, 2)), (4, null),
                         })
                    yield return new TestCaseData(backend, triclinic, ranks, grid)
                        .SetName($"{{m}}({backend}, {(triclinic ? "triclinic" : "orthogonal")}, {ranks} ranks, grid {grid?.ToString() ?? "default"})");
    }

    [TestCaseSource(nameof(Cases))]
    public void WaterOnVirtualRanks_EqualsTheSerialEvaluation(string backend, bool triclinic, int ranks, ProcessorGrid? grid)
    {
        var model = Model.Value;
        var data = LammpsDataReader.Read(RepoPaths.Get("examples", "water", "water.lmp"), ["O", "H"]);
        var s = data.Structure;
        var types = s.TypesFor(model.TypeMap);
        var n = s.Count;
        var box = s.Box!;
        double[] x = [.. s.X], y = [.. s.Y], z = [.. s.Z];
        if (triclinic)
        {
            // The same fractional positions in a sheared cell of the same volume.
            var l = box[0, 0];
            var sheared = new Box([l, 0, 0, 0.2 * l, l, 0, -0.1 * l, 0.15 * l, l]);
            for (var i = 0; i < n; i++)
            {
                var (a, b, c) = box.ToFractional(x[i], y[i], z[i]);
                (x[i], y[i], z[i]) = sheared.ToCartesian(a, b, c);
            }
            box = sheared;
        }
        var ids = Enumerable.Range(0, n).Select(i => (long)(i + 1)).ToArray();

        var serial = Create(backend, model).Evaluate(types, CellListNeighborSearch.Build(x, y, z, box, model.Cutoff), new EvaluationOptions());

        var rc = model.Cutoff;
        var forces = new double[3 * n];
        var owners = new int[n];
        double energy = 0;
        var virial = new double[9];
        var counted = new long[ranks];
        LoopbackCommunicator.Run(ranks, comm =>
        {
            var g = grid ?? ProcessorGrid.Choose(comm.Size, box);
            var dd = new DomainDecomposition(comm, g, box, rc + 1.0);
            dd.Distribute(ids, types, x, y, z);
            dd.Borders();
            var a = dd.Atoms;
            int nlocal = a.NLocal, nall = a.NAll;

            // A full list over the local centers, entries naming owned or ghost atoms (brute force over the shell).
            var ilist = Enumerable.Range(0, nlocal).ToArray();
            var numneigh = new int[nlocal];
            var flat = new List<int>();
            for (var i = 0; i < nlocal; i++)
                for (var j = 0; j < nall; j++)
                {
                    if (j == i) continue;
                    double dx = a.X[j] - a.X[i], dy = a.Y[j] - a.Y[i], dz = a.Z[j] - a.Z[i];
                    if (dx * dx + dy * dy + dz * dz > rc * rc) continue;
                    flat.Add(j);
                    numneigh[i]++;
                }
            var list = ExternalNeighborList.FromLammps(nall, ilist, numneigh, flat.ToArray(), a.X, a.Y, a.Z, rc);
            var result = new EvaluationResult();
            Create(backend, model).Evaluate(a.Type.AsSpan(0, nall).ToArray(), list, new EvaluationOptions(), result);

            var fx = new double[nall];
            var fy = new double[nall];
            var fz = new double[nall];
            for (var k = 0; k < nall; k++) (fx[k], fy[k], fz[k]) = (result.Forces[3 * k], result.Forces[3 * k + 1], result.Forces[3 * k + 2]);
            dd.ReverseForces(fx, fy, fz);

            Span<double> totals = [result.Energy, .. result.Virial];
            comm.AllReduce(totals, ReduceOp.Sum);
            lock (forces)
            {
                counted[comm.Rank] = nlocal;
                for (var i = 0; i < nlocal; i++)
                {
                    var gi = (int)a.Id[i] - 1;
                    (forces[3 * gi], forces[3 * gi + 1], forces[3 * gi + 2]) = (fx[i], fy[i], fz[i]);
                    owners[gi]++;
                }
                if (comm.Rank == 0)
                {
                    energy = totals[0];
                    totals[1..].CopyTo(virial);
                }
            }
        });

        Assert.That(owners, Is.All.EqualTo(1), "every atom owned by one rank");
        Assert.That(counted.Sum(), Is.EqualTo(n));
        var fscale = serial.Forces.Max(Math.Abs);
        var vscale = serial.Virial.Max(Math.Abs);
        Assert.That(energy, Is.EqualTo(serial.Energy).Within(1e-12 * Math.Abs(serial.Energy)), "energy");
        Assert.That(forces, Is.EqualTo(serial.Forces).Within(1e-12 * fscale), "forces");
        Assert.That(virial, Is.EqualTo(serial.Virial).Within(1e-12 * vscale), "virial");
        TestContext.Out.WriteLine($"atoms per rank: {string.Join(" ", counted)}; max |ΔF| {forces.Zip(serial.Forces, (p, q) => Math.Abs(p - q)).Max():E2} eV/Å, " +
                                  $"ΔE {Math.Abs(energy - serial.Energy):E2} eV");
    }

    private static IModelEvaluator Create(string backend, DeepPotModel model) =>
        backend == "reference" ? new ReferenceBackend(model) : TestBackends.CreateCpu(model, float32: false);
}
