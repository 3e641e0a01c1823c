namespace DeepMD.Sharp.MpiDriver;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// A DeePMD model evaluated subdomain by subdomain, as a decomposed MD step will do it: each rank evaluates its owned
/// atoms as centers over owned + ghost atoms (the ghost-atom contract: an external list over the local centers),
/// ghost forces go back to their owners by reverse communication, energy and virial are summed over ranks in rank
/// order, and the forces are gathered to rank 0 by atom id.
/// </summary>
public static class DecomposedEvaluation
{
    /// <summary>The shipped water configuration, optionally in a sheared (triclinic) cell of the same volume.</summary>
    public static (double[] X, double[] Y, double[] Z, int[] Types, Box Box) Water(string dataPath, DeepPotModel model, bool triclinic)
    {
        var s = LammpsDataReader.Read(dataPath, ["O", "H"]).Structure;
        var types = s.TypesFor(model.TypeMap);
        var box = s.Box!;
        double[] x = [.. s.X], y = [.. s.Y], z = [.. s.Z];
        if (triclinic)
        {
            var l = box[0, 0];
            var sheared = new Box([l, 0, 0, 0.2 * l, l, 0, -0.1 * l, 0.15 * l, l]);
            for (var i = 0; i < x.Length; i++)
            {
                var (a, b, c) = box.ToFractional(x[i], y[i], z[i]);
                (x[i], y[i], z[i]) = sheared.ToCartesian(a, b, c);
            }
            box = sheared;
        }
        return (x, y, z, types, box);
    }

    /// <summary>
    /// Evaluates on <paramref name="comm"/> (collective). Every rank gets the total energy and virial; rank 0 gets the
    /// forces of all atoms in input order (others: empty), and the owned and ghost atom counts of every rank.
    /// </summary>
    public static (double Energy, double[] Virial, double[] Forces, long[] OwnedPerRank, long[] GhostsPerRank) Run(ICommunicator comm, IModelEvaluator evaluator,
        double cutoff, double[] x, double[] y, double[] z, int[] types, Box box, ProcessorGrid? grid = null)
    {
        var n = x.Length;
        var ids = Enumerable.Range(1, n).Select(i => (long)i).ToArray();
        var dd = new DomainDecomposition(comm, grid ?? ProcessorGrid.Choose(comm.Size, box), box, cutoff + 1.0);
        dd.Distribute(ids, types, x, y, z);
        dd.Borders();
        var a = dd.Atoms;
        int nlocal = a.NLocal, nall = a.NAll;

        // A full list over the local centers whose entries name owned or ghost atoms (brute force over the shell).
        var ilist = Enumerable.Range(0, nlocal).ToArray();
        var numneigh = new int[nlocal];
        var flat = new List<int>();
        for (var i = 0; i < nlocal; i++)
            for (var j = 0; j < nall; j++)
            {
                if (j == i) continue;
                double dx = a.X[j] - a.X[i], dy = a.Y[j] - a.Y[i], dz = a.Z[j] - a.Z[i];
                if (dx * dx + dy * dy + dz * dz > cutoff * cutoff) continue;
                flat.Add(j);
                numneigh[i]++;
            }
        var list = ExternalNeighborList.FromLammps(nall, ilist, numneigh, flat.ToArray(), a.X, a.Y, a.Z, cutoff);
        var result = new EvaluationResult();
        evaluator.Evaluate(a.Type.AsSpan(0, nall).ToArray(), list, new EvaluationOptions(), result);

        var fx = new double[nall];
        var fy = new double[nall];
        var fz = new double[nall];
        for (var k = 0; k < nall; k++) (fx[k], fy[k], fz[k]) = (result.Forces[3 * k], result.Forces[3 * k + 1], result.Forces[3 * k + 2]);
        dd.ReverseForces(fx, fy, fz);

        Span<double> totals = [result.Energy, .. result.Virial];
        comm.AllReduce(totals, ReduceOp.Sum);

        var mine = new double[3 * nlocal];
        for (var i = 0; i < nlocal; i++) (mine[3 * i], mine[3 * i + 1], mine[3 * i + 2]) = (fx[i], fy[i], fz[i]);
        var allIds = comm.GatherV<long>(a.Id.AsSpan(0, nlocal), 0);
        var allForces = comm.GatherV<double>(mine, 0);
        var counts = comm.GatherV<long>([nlocal], 0);
        var ghosts = comm.GatherV<long>([a.NGhost], 0);
        var forces = comm.Rank == 0 ? new double[3 * n] : [];
        for (var k = 0; k < allIds.Length; k++)
        {
            var g = (int)allIds[k] - 1;
            (forces[3 * g], forces[3 * g + 1], forces[3 * g + 2]) = (allForces[3 * k], allForces[3 * k + 1], allForces[3 * k + 2]);
        }
        return (totals[0], totals[1..].ToArray(), forces, counts, ghosts);
    }

    /// <summary>Largest deviations from the serial periodic evaluation: energy (relative), forces and virial (relative to their largest component).</summary>
    public static (double Energy, double Forces, double Virial) Deviation(EvaluationResult serial, double energy, double[] virial, double[] forces)
    {
        var fscale = serial.Forces.Max(Math.Abs);
        var vscale = serial.Virial.Max(Math.Abs);
        var df = forces.Zip(serial.Forces, (p, q) => Math.Abs(p - q)).Max() / fscale;
        var dv = virial.Zip(serial.Virial, (p, q) => Math.Abs(p - q)).Max() / vscale;
        return (Math.Abs(energy - serial.Energy) / Math.Abs(serial.Energy), df, dv);
    }

    /// <summary>The serial periodic evaluation (every periodic image an entry naming its owner).</summary>
    public static EvaluationResult Serial(IModelEvaluator evaluator, double cutoff, double[] x, double[] y, double[] z, int[] types, Box box) =>
        evaluator.Evaluate(types, CellListNeighborSearch.Build(x, y, z, box, cutoff), new EvaluationOptions());
}
