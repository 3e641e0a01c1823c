namespace DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A full neighbor list in compressed-row form: the neighbors of center <c>i</c> are entries
/// <c>Offsets[i] .. Offsets[i+1]-1</c>. Each entry names the neighbor's owning atom (<see cref="Owner"/>)
/// and the displacement d = r_j(image) − r_i in Å. A periodic image of an atom, including an image of the
/// center itself, is a separate entry, so a cell smaller than the cutoff yields many entries per owner.
/// </summary>
public sealed class NeighborList
{
    public NeighborList(int[] offsets, int[] owner, double[] dx, double[] dy, double[] dz, double cutoff)
    {
        Offsets = offsets;
        Owner = owner;
        Dx = dx;
        Dy = dy;
        Dz = dz;
        Cutoff = cutoff;
    }

    /// <summary>Row starts; length = number of centers + 1.</summary>
    public int[] Offsets { get; }

    /// <summary>Index of the atom owning each neighbor entry (an image maps to its owner).</summary>
    public int[] Owner { get; }

    /// <summary>x component of r_j − r_i, Å.</summary>
    public double[] Dx { get; }

    /// <summary>y component of r_j − r_i, Å.</summary>
    public double[] Dy { get; }

    /// <summary>z component of r_j − r_i, Å.</summary>
    public double[] Dz { get; }

    /// <summary>The cutoff used to build the list (pairs with r ≤ cutoff are kept), Å.</summary>
    public double Cutoff { get; }

    /// <summary>Number of centers.</summary>
    public int CenterCount => Offsets.Length - 1;

    /// <summary>Number of neighbors of center <paramref name="i"/>.</summary>
    public int CountOf(int i) => Offsets[i + 1] - Offsets[i];

    /// <summary>Total number of entries.</summary>
    public int EntryCount => Offsets[^1];
}
