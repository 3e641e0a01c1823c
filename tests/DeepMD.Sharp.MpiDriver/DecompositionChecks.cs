namespace DeepMD.Sharp.MpiDriver;

using System.Text;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;

/// <summary>
/// Checks a <see cref="DomainDecomposition"/> against the serial neighbor list (<see cref="CellListNeighborSearch"/>
/// over the whole system), on whatever communicator it is given: virtual ranks in one process or MPI ranks.
/// </summary>
public static class DecompositionChecks
{
    /// <summary>
    /// A random periodic (or partly periodic) system and a decomposition of it. Atoms are placed only at fractional a
    /// below <c>Occupied</c> (so high-a subdomains may own none). <c>Grid</c> null: the grid
    /// <see cref="ProcessorGrid.Choose"/> picks; else (Px, Py, Pz) with 0 meaning "the number of ranks".
    /// </summary>
    public sealed record Case(string Name, double[] H, bool[] Periodic, int Atoms, double Cutoff, double Skin, int Seed,
        double Occupied = 1.0, (int, int, int)? Grid = null)
    {
        public override string ToString() => Name;
    }

    /// <summary>The cases every rank count runs.</summary>
    public static Case[] Cases() =>
    [
        new("orthogonal", [12, 0, 0, 0, 11, 0, 0, 0, 10], [true, true, true], 180, 4.0, 1.0, 1),
        new("triclinic", [11, 0, 0, 3, 10, 0, -2, 2.5, 9], [true, true, true], 170, 4.5, 0.5, 2),
        // Subdomains along a far thinner than the cutoff: several swaps per side.
        new("thin subdomains", [7, 0, 0, 1.5, 9, 0, 0.5, -1, 8], [true, true, true], 120, 4.0, 1.0, 3, Grid: (0, 1, 1)),
        // A box thinner than the cutoff along c: an atom sees images of itself, also through a single rank.
        new("box thinner than the cutoff", [9, 0, 0, 2, 8, 0, 1, 1, 3.5], [true, true, true], 60, 4.0, 0.5, 4),
        // Atoms only in the lower half along a: with a grid along a, the upper ranks own no atoms.
        new("empty subdomains", [13, 0, 0, 1, 9, 0, 0, 2, 9], [true, true, true], 100, 4.0, 1.0, 5, Occupied: 0.45, Grid: (0, 1, 1)),
        new("non-periodic c", [11, 0, 0, 2, 10, 0, 1, -1, 10], [true, true, false], 150, 4.0, 1.0, 6, Grid: (1, 1, 0)),
    ];

    /// <summary>
    /// Runs one case on <paramref name="comm"/> (collective). Returns the number of failures over all ranks, and this
    /// rank's failure messages.
    /// </summary>
    public static (long Failures, string Messages, long FewestOwned) Run(ICommunicator comm, Case c)
    {
        var log = new StringBuilder();
        var failures = 0L;
        void Fail(string message)
        {
            if (failures++ < 8) log.AppendLine($"[{c.Name}, rank {comm.Rank}] {message}");
        }

        var box = new Box(c.H, c.Periodic[0], c.Periodic[1], c.Periodic[2]);
        var grid = c.Grid is var (gx, gy, gz)
            ? new ProcessorGrid(gx == 0 ? comm.Size : gx, gy == 0 ? comm.Size : gy, gz == 0 ? comm.Size : gz)
            : ProcessorGrid.Choose(comm.Size, box);
        var rng = new Random(c.Seed);
        var n = c.Atoms;
        var id = new long[n];
        var type = new int[n];
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        var index = new Dictionary<long, int>();
        for (var i = 0; i < n; i++)
        {
            id[i] = 1000 + 7L * (n - i); // ids unrelated to the order
            index[id[i]] = i;
            type[i] = rng.Next(3);
            var fa = rng.NextDouble() * c.Occupied;
            var fb = rng.NextDouble();
            var fc = rng.NextDouble();
            // Some atoms start outside a periodic box (wrapped by Distribute).
            if (i % 9 == 0 && c.Periodic[1]) fb += rng.Next(2) == 0 ? -1 : 1;
            (x[i], y[i], z[i]) = box.ToCartesian(fa, fb, fc);
        }

        var dd = new DomainDecomposition(comm, grid, box, c.Cutoff + c.Skin, extraWidth: 1);
        dd.Distribute(id, type, x, y, z, extra: id.Select(v => (double)v).ToArray());
        dd.Borders();
        Span<long> fewest = [dd.Atoms.NLocal];
        comm.AllReduce(fewest, ReduceOp.Min);
        CheckValues(comm, dd, Fail);
        Compare("initial exchange", comm, dd, c, box, id, type, x, y, z, index, Fail);

        for (var round = 0; round < 3; round++)
        {
            // Small moves (under half the skin): ghosts follow by forward communication, the shell stays valid.
            var small = 0.45 * c.Skin / Math.Sqrt(3);
            Move(dd, x, y, z, index, (i, k) => small * (2 * Noise(id[i], round, k) - 1));
            var sentBefore = dd.DoublesSent[1];
            dd.ForwardPositions();
            // Every ghost receives its 3 coordinates once: the doubles sent over all ranks are 3 per ghost.
            Span<long> volume = [dd.DoublesSent[1] - sentBefore, 3L * dd.Atoms.NGhost];
            comm.AllReduce(volume, ReduceOp.Sum);
            if (volume[0] != volume[1]) Fail($"forward communication sent {volume[0]} doubles for {volume[1] / 3} ghosts");
            Compare($"round {round}, after forward communication", comm, dd, c, box, id, type, x, y, z, index, Fail);

            // Large moves (up to 0.8 of a subdomain along each lattice direction): migration and a new shell.
            Move(dd, x, y, z, index, (i, k) => 0, (i, k) => 0.8 / grid[k] * (2 * Noise(id[i], round + 10, k) - 1), box);
            dd.Exchange();
            dd.Borders();
            CheckValues(comm, dd, Fail);
            Compare($"round {round}, after exchange", comm, dd, c, box, id, type, x, y, z, index, Fail);
            // The extra per-atom value travelled with its atom.
            for (var i = 0; i < dd.Atoms.NLocal; i++)
                if (dd.Atoms.Extra[i] != dd.Atoms.Id[i]) Fail($"atom {dd.Atoms.Id[i]} carries extra value {dd.Atoms.Extra[i]}");
        }

        Span<long> total = [failures];
        comm.AllReduce(total, ReduceOp.Sum);
        return (total[0], log.ToString(), fewest[0]);
    }

    /// <summary>
    /// Per-atom values: forwarded, every ghost holds its owner's (two numbers per atom); reverse-communicated ones
    /// from every ghost, each owner holds the number of ghost copies of it over all ranks (counted from the gathered ghost ids).
    /// </summary>
    private static void CheckValues(ICommunicator comm, DomainDecomposition dd, Action<string> fail)
    {
        var a = dd.Atoms;
        var v = new double[2 * a.NAll];
        for (var i = 0; i < a.NAll; i++)
            (v[2 * i], v[2 * i + 1]) = i < a.NLocal ? (1.5 * a.Id[i], -a.Id[i]) : (double.NaN, double.NaN);
        dd.ForwardValues(v, 2);
        for (var i = a.NLocal; i < a.NAll; i++)
            if (v[2 * i] != 1.5 * a.Id[i] || v[2 * i + 1] != -a.Id[i]) fail($"ghost {i} of atom {a.Id[i]} got values {v[2 * i]}, {v[2 * i + 1]}");

        var c = new double[a.NAll];
        for (var i = a.NLocal; i < a.NAll; i++) c[i] = 1;
        dd.ReverseValues(c);
        var ghostIds = comm.GatherV<long>(a.Id.AsSpan(a.NLocal, a.NGhost), 0);
        var ownedIds = comm.GatherV<long>(a.Id.AsSpan(0, a.NLocal), 0);
        var counts = comm.GatherV<double>(c.AsSpan(0, a.NLocal), 0);
        Span<long> bad = [0];
        if (comm.Rank == 0)
        {
            var copies = ghostIds.GroupBy(g => g).ToDictionary(g => g.Key, g => g.Count());
            for (var k = 0; k < ownedIds.Length; k++)
                if (counts[k] != copies.GetValueOrDefault(ownedIds[k])) bad[0]++;
        }
        comm.Broadcast(bad, 0);
        if (bad[0] != 0) fail($"reverse communication: {bad[0]} atoms do not hold the number of their ghost copies");
    }

    /// <summary>A number in [0, 1) from (id, round, component), the same on every rank.</summary>
    private static double Noise(long id, int round, int k)
    {
        var h = (ulong)id * 0x9E3779B97F4A7C15UL ^ (ulong)(round * 3 + k + 1) * 0xC2B2AE3D27D4EB4FUL;
        h ^= h >> 31;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 29;
        return (h >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Moves every atom (global copy and owned copy alike) by a Cartesian and a fractional displacement.</summary>
    private static void Move(DomainDecomposition dd, double[] x, double[] y, double[] z, Dictionary<long, int> index,
        Func<int, int, double> cartesian, Func<int, int, double>? fractional = null, Box? box = null)
    {
        (double, double, double) Delta(int g)
        {
            double dx = cartesian(g, 0), dy = cartesian(g, 1), dz = cartesian(g, 2);
            if (fractional is not null)
            {
                var (cx, cy, cz) = box!.ToCartesian(fractional(g, 0), fractional(g, 1), fractional(g, 2));
                (dx, dy, dz) = (dx + cx, dy + cy, dz + cz);
            }
            return (dx, dy, dz);
        }
        for (var g = 0; g < x.Length; g++)
        {
            var (dx, dy, dz) = Delta(g);
            (x[g], y[g], z[g]) = (x[g] + dx, y[g] + dy, z[g] + dz);
        }
        var a = dd.Atoms;
        for (var i = 0; i < a.NLocal; i++)
        {
            var (dx, dy, dz) = Delta(index[a.Id[i]]);
            (a.X[i], a.Y[i], a.Z[i]) = (a.X[i] + dx, a.Y[i] + dy, a.Z[i] + dz);
        }
    }

    /// <summary>
    /// Every atom owned once; owned positions equal the global ones (through their image counts); for every owned atom
    /// the neighbours within the cutoff among owned + ghost atoms equal the serial list's entries (id and displacement
    /// to 1e-12 Å); a pair-force sum over the local list, reverse-communicated, equals the serial fold.
    /// </summary>
    private static void Compare(string stage, ICommunicator comm, DomainDecomposition dd, Case c, Box box, long[] id, int[] type,
        double[] x, double[] y, double[] z, Dictionary<long, int> index, Action<string> fail)
    {
        var a = dd.Atoms;
        const double tol = 1e-12;

        // Ownership: the owned atoms gathered by id are every id once, with the unwrapped positions of the global copy.
        var h0 = box.Matrix;
        var unwrapped = new double[3 * a.NLocal];
        for (var i = 0; i < a.NLocal; i++)
            for (var k = 0; k < 3; k++)
            {
                var p = k == 0 ? a.X[i] : k == 1 ? a.Y[i] : a.Z[i];
                unwrapped[3 * i + k] = p + a.Image[3 * i] * h0[k] + a.Image[3 * i + 1] * h0[3 + k] + a.Image[3 * i + 2] * h0[6 + k];
            }
        var (gatheredIds, gathered) = dd.GatherByIdAtRoot(unwrapped, 3);
        Span<long> bad = [0];
        if (comm.Rank == 0)
        {
            if (!gatheredIds.SequenceEqual(id.Order())) bad[0] = 1;
            else
                for (var k = 0; k < gatheredIds.Length; k++)
                {
                    var g = index[gatheredIds[k]];
                    if (Math.Abs(gathered[3 * k] - x[g]) > tol || Math.Abs(gathered[3 * k + 1] - y[g]) > tol || Math.Abs(gathered[3 * k + 2] - z[g]) > tol)
                        bad[0] = 2;
                }
        }
        comm.Broadcast(bad, 0);
        if (bad[0] == 1) fail($"{stage}: the owned atoms are not every atom exactly once");
        if (bad[0] == 2) fail($"{stage}: the owned atoms gathered by id are not at their positions");

        var h = box.Matrix;
        for (var i = 0; i < a.NLocal; i++)
        {
            var g = index[a.Id[i]];
            int ia = a.Image[3 * i], ib = a.Image[3 * i + 1], ic = a.Image[3 * i + 2];
            var ux = a.X[i] + ia * h[0] + ib * h[3] + ic * h[6];
            var uy = a.Y[i] + ia * h[1] + ib * h[4] + ic * h[7];
            var uz = a.Z[i] + ia * h[2] + ib * h[5] + ic * h[8];
            if (Math.Abs(ux - x[g]) > tol || Math.Abs(uy - y[g]) > tol || Math.Abs(uz - z[g]) > tol)
                fail($"{stage}: atom {a.Id[i]} at ({a.X[i]}, {a.Y[i]}, {a.Z[i]}) image ({ia}, {ib}, {ic}) is not at ({x[g]}, {y[g]}, {z[g]})");
            // Between exchanges owned atoms may drift out of their subdomain; right after one they lie in it.
            for (var d = 0; d < 3 && stage.EndsWith("exchange", StringComparison.Ordinal); d++)
            {
                var f = dd.Fractional(d, i);
                if (box.IsPeriodic(d)) f = Box.WrapUnit(f);
                var lowOpen = !box.IsPeriodic(d) && dd.Lower(d) == 0;
                var highOpen = !box.IsPeriodic(d) && dd.Upper(d) == 1;
                if ((!lowOpen && f < dd.Lower(d)) || (!highOpen && f >= dd.Upper(d)))
                    fail($"{stage}: atom {a.Id[i]} at fractional {f} along {d} lies outside [{dd.Lower(d)}, {dd.Upper(d)})");
            }
        }

        var serial = CellListNeighborSearch.Build(x, y, z, box, c.Cutoff);
        var rc2 = c.Cutoff * c.Cutoff;
        var fx = new double[a.NAll];
        var fy = new double[a.NAll];
        var fz = new double[a.NAll];
        var local = new List<(long Id, double X, double Y, double Z)>();
        for (var i = 0; i < a.NLocal; i++)
        {
            var g = index[a.Id[i]];
            local.Clear();
            for (var j = 0; j < a.NAll; j++)
            {
                if (j == i) continue;
                double dx = a.X[j] - a.X[i], dy = a.Y[j] - a.Y[i], dz = a.Z[j] - a.Z[i];
                if (dx * dx + dy * dy + dz * dz > rc2) continue;
                local.Add((a.Id[j], dx, dy, dz));
                var (px, py, pz) = Pair(dx, dy, dz, a.Type[i], a.Type[j]);
                fx[i] += px; fy[i] += py; fz[i] += pz;
                fx[j] -= 0.7 * px; fy[j] -= 0.7 * py; fz[j] -= 0.7 * pz;
            }
            var expected = new List<(long Id, double X, double Y, double Z)>();
            for (var e = serial.Offsets[g]; e < serial.Offsets[g + 1]; e++)
            {
                var o = serial.Owner[e];
                double dx = serial.Dx[e], dy = serial.Dy[e], dz = serial.Dz[e];
                // The serial list includes r = cutoff; leave out entries within round-off of the cutoff, where the two
                // sides may legitimately differ.
                if (Math.Abs(Math.Sqrt(dx * dx + dy * dy + dz * dz) - c.Cutoff) < 1e-9) continue;
                expected.Add((id[o], dx, dy, dz));
            }
            local.RemoveAll(t => Math.Abs(Math.Sqrt(t.X * t.X + t.Y * t.Y + t.Z * t.Z) - c.Cutoff) < 1e-9);
            if (!SameEntries(local, expected, tol, out var why))
                fail($"{stage}: atom {a.Id[i]}: {why}");
        }

        dd.ReverseForces(fx, fy, fz);
        var sx = new double[x.Length];
        var sy = new double[x.Length];
        var sz = new double[x.Length];
        for (var g = 0; g < x.Length; g++)
            for (var e = serial.Offsets[g]; e < serial.Offsets[g + 1]; e++)
            {
                var o = serial.Owner[e];
                var (px, py, pz) = Pair(serial.Dx[e], serial.Dy[e], serial.Dz[e], type[g], type[o]);
                sx[g] += px; sy[g] += py; sz[g] += pz;
                sx[o] -= 0.7 * px; sy[o] -= 0.7 * py; sz[o] -= 0.7 * pz;
            }
        for (var i = 0; i < a.NLocal; i++)
        {
            var g = index[a.Id[i]];
            var err = Math.Max(Math.Abs(fx[i] - sx[g]), Math.Max(Math.Abs(fy[i] - sy[g]), Math.Abs(fz[i] - sz[g])));
            if (err > 1e-12) fail($"{stage}: atom {a.Id[i]}: folded force ({fx[i]}, {fy[i]}, {fz[i]}) vs serial ({sx[g]}, {sy[g]}, {sz[g]})");
        }
    }

    /// <summary>A made-up pair term, not symmetric in its types, so misplaced or doubled terms show.</summary>
    private static (double, double, double) Pair(double dx, double dy, double dz, int ti, int tj)
    {
        var s = Math.Exp(-(dx * dx + dy * dy + dz * dz) / 8) * (1 + ti + 2.5 * tj);
        return (s * dx, s * dy, s * dz);
    }

    private static bool SameEntries(List<(long Id, double X, double Y, double Z)> local, List<(long Id, double X, double Y, double Z)> expected,
        double tol, out string why)
    {
        why = "";
        if (local.Count != expected.Count)
        {
            why = $"{local.Count} neighbours within the cutoff among owned + ghost atoms, the serial list has {expected.Count}";
            return false;
        }
        var used = new bool[local.Count];
        foreach (var e in expected)
        {
            var found = false;
            for (var k = 0; k < local.Count && !found; k++)
            {
                var l = local[k];
                if (used[k] || l.Id != e.Id) continue;
                if (Math.Abs(l.X - e.X) <= tol && Math.Abs(l.Y - e.Y) <= tol && Math.Abs(l.Z - e.Z) <= tol) used[k] = found = true;
            }
            if (!found)
            {
                why = $"the serial neighbour {e.Id} at ({e.X}, {e.Y}, {e.Z}) is missing";
                return false;
            }
        }
        return true;
    }
}
