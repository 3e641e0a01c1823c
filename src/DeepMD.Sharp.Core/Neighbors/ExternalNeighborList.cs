namespace DeepMD.Sharp.Core.Neighbors;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// A <see cref="NeighborList"/> from a list someone else built over local + ghost atoms, in LAMMPS' shape
/// (<c>inum</c>, <c>ilist</c>, <c>numneigh</c>, <c>firstneigh</c>): what a LAMMPS rank or a domain of a decomposed run hands
/// the potential. Displacements are taken from the positions (d = r_j − r_i, ghosts at their own positions), so the
/// list needs no box: every periodic image is an explicit ghost atom.
/// </summary>
public static class ExternalNeighborList
{
    /// <summary>LAMMPS keeps special-bond flags in the top bits of a neighbor index (<c>NEIGHMASK</c>); they are masked off.</summary>
    public const int LammpsNeighborMask = 0x1FFFFFFF;

    /// <summary>
    /// Builds the full list of <paramref name="ilist"/>'s centers. Row <c>ii</c> (center <c>ilist[ii]</c>) has
    /// <c>numneigh[ii]</c> neighbors, stored one row after the other in <paramref name="neighbors"/> (LAMMPS'
    /// <c>firstneigh[ilist[ii]]</c> arrays concatenated in <c>ilist</c> order). The centers must be the local atoms
    /// 0 .. inum − 1 in any order; neighbor indices name any of the <paramref name="atomCount"/> atoms (local or ghost).
    /// </summary>
    /// <param name="atomCount">nall = nlocal + nghost; positions hold at least this many atoms.</param>
    /// <param name="ilist">The centers, in the order their rows are given (LAMMPS' <c>ilist</c>, <c>inum</c> = its length).</param>
    /// <param name="numneigh">Neighbors of each row, in <paramref name="ilist"/> order.</param>
    /// <param name="neighbors">The rows' neighbor indices, concatenated; LAMMPS' special-bond bits are masked off.</param>
    /// <param name="x">x of every atom, local then ghost, Å.</param>
    /// <param name="y">y of every atom, Å.</param>
    /// <param name="z">z of every atom, Å.</param>
    /// <param name="cutoff">The distance the list covers (cutoff + skin), Å; entries beyond a potential's cutoff are ignored by it.</param>
    public static NeighborList FromLammps(int atomCount, ReadOnlySpan<int> ilist, ReadOnlySpan<int> numneigh, ReadOnlySpan<int> neighbors,
        ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, double cutoff)
    {
        var inum = ilist.Length;
        if (numneigh.Length != inum) throw new UserInputException($"neighbor list: numneigh has {numneigh.Length} entries for {inum} centers (inum)");
        if (inum > atomCount) throw new UserInputException($"neighbor list: {inum} centers (inum) but only {atomCount} atoms (nlocal + nghost)");
        if (x.Length < atomCount || y.Length < atomCount || z.Length < atomCount)
            throw new UserInputException($"neighbor list: positions hold {Math.Min(x.Length, Math.Min(y.Length, z.Length))} atoms, need {atomCount}");
        // Row start of each center, by atom index.
        var rowOf = new int[inum];
        Array.Fill(rowOf, -1);
        var start = new int[inum];
        long total = 0;
        for (var ii = 0; ii < inum; ii++)
        {
            var i = ilist[ii];
            if ((uint)i >= (uint)inum)
                throw new UserInputException($"neighbor list: ilist[{ii}] = {i} is not a local atom (0 .. {inum - 1}); centers must be the local atoms");
            if (rowOf[i] >= 0) throw new UserInputException($"neighbor list: atom {i} is listed twice in ilist (at {rowOf[i]} and {ii})");
            if (numneigh[ii] < 0) throw new UserInputException($"neighbor list: numneigh[{ii}] = {numneigh[ii]} is negative");
            rowOf[i] = ii;
            start[ii] = (int)total;
            total += numneigh[ii];
        }
        if (total != neighbors.Length) throw new UserInputException($"neighbor list: numneigh sums to {total} but {neighbors.Length} neighbor indices were given");

        var offsets = new int[inum + 1];
        for (var i = 0; i < inum; i++) offsets[i + 1] = offsets[i] + numneigh[rowOf[i]];
        var entries = (int)total;
        var owner = new int[entries];
        var dx = new double[entries];
        var dy = new double[entries];
        var dz = new double[entries];
        for (var i = 0; i < inum; i++)
        {
            var ii = rowOf[i];
            var e = offsets[i];
            for (var k = start[ii]; k < start[ii] + numneigh[ii]; k++, e++)
            {
                var j = neighbors[k] & LammpsNeighborMask;
                if ((uint)j >= (uint)atomCount)
                    throw new UserInputException($"neighbor list: neighbor {k - start[ii]} of atom {i} is atom {j}, outside 0 .. {atomCount - 1}");
                if (j == i) throw new UserInputException($"neighbor list: atom {i} lists itself as a neighbor; periodic images must be ghost atoms");
                owner[e] = j;
                dx[e] = x[j] - x[i];
                dy[e] = y[j] - y[i];
                dz[e] = z[j] - z[i];
            }
        }
        return new NeighborList(offsets, owner, dx, dy, dz, cutoff);
    }
}
