namespace DeepMD.Sharp.Dynamics.Analysis;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;

/// <summary>The closest pair of atoms of two types in one configuration.</summary>
/// <param name="Distance">The distance, Å (+∞ when no such pair is within the search cutoff).</param>
/// <param name="AtomI">Index of the first atom (of the lower type), −1 when none.</param>
/// <param name="AtomJ">Index of the second atom, −1 when none.</param>
public readonly record struct PairMinimum(double Distance, int AtomI, int AtomJ);

/// <summary>
/// The smallest interatomic distance per pair of atom types, every periodic image included (an atom and its own
/// image count as a pair of its type with itself). Types are 0-based indices below the type count.
/// </summary>
public static class MinimumDistances
{
    /// <summary>Per type pair (a, b), symmetric, searched up to <paramref name="cutoff"/> Å.</summary>
    public static PairMinimum[,] PerTypePair(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z,
        ReadOnlySpan<int> types, int typeCount, Box? box, double cutoff) =>
        PerTypePair(types, typeCount, CellListNeighborSearch.Build(x, y, z, box, cutoff));

    /// <summary>Per type pair (a, b), symmetric, from a full neighbor list (its cutoff is the search's).</summary>
    public static PairMinimum[,] PerTypePair(ReadOnlySpan<int> types, int typeCount, NeighborList list)
    {
        var best2 = new double[typeCount, typeCount];
        var atoms = new (int I, int J)[typeCount, typeCount];
        for (var a = 0; a < typeCount; a++)
        for (var b = 0; b < typeCount; b++)
        {
            best2[a, b] = double.PositiveInfinity;
            atoms[a, b] = (-1, -1);
        }

        for (var i = 0; i < types.Length; i++)
        {
            var ti = types[i];
            for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
            {
                var j = list.Owner[e];
                var tj = types[j];
                if (ti > tj) continue; // the (lower, higher) ordering sees every pair once from each side it needs
                var r2 = list.Dx[e] * list.Dx[e] + list.Dy[e] * list.Dy[e] + list.Dz[e] * list.Dz[e];
                if (r2 < best2[ti, tj]) (best2[ti, tj], atoms[ti, tj]) = (r2, (i, j));
            }
        }

        var result = new PairMinimum[typeCount, typeCount];
        for (var a = 0; a < typeCount; a++)
        for (var b = a; b < typeCount; b++)
        {
            var m = new PairMinimum(Math.Sqrt(best2[a, b]), atoms[a, b].I, atoms[a, b].J);
            result[a, b] = m;
            result[b, a] = m;
        }

        return result;
    }
}
