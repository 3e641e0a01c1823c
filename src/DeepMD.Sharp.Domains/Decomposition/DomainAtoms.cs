namespace DeepMD.Sharp.Domains.Decomposition;

/// <summary>
/// The atoms one rank holds (structure of arrays): owned atoms <c>0 .. NLocal−1</c> first, then ghosts
/// <c>NLocal .. NAll−1</c> (copies of atoms owned elsewhere, or periodic images, at their own positions).
/// Arrays may be longer than <see cref="NAll"/>.
/// </summary>
public sealed class DomainAtoms
{
    public DomainAtoms(int extraWidth = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extraWidth);
        ExtraWidth = extraWidth;
    }

    /// <summary>Owned atoms (this rank integrates them).</summary>
    public int NLocal { get; internal set; }

    /// <summary>Ghost atoms after the owned ones.</summary>
    public int NGhost { get; internal set; }

    /// <summary>NLocal + NGhost.</summary>
    public int NAll => NLocal + NGhost;

    /// <summary>Global atom ids (ghosts carry their owner's id).</summary>
    public long[] Id { get; private set; } = [];

    /// <summary>Atom types (engine types).</summary>
    public int[] Type { get; private set; } = [];

    /// <summary>Cartesian positions, Å. Owned atoms lie in this rank's subdomain after each exchange.</summary>
    public double[] X { get; private set; } = [];

    /// <inheritdoc cref="X"/>
    public double[] Y { get; private set; } = [];

    /// <inheritdoc cref="X"/>
    public double[] Z { get; private set; } = [];

    /// <summary>
    /// Three integers per atom. Owned atoms: image counts (unwrapped position = x + image · H, as LAMMPS' image flags).
    /// Ghosts: the lattice shift from the owner's position (ghost x = owner x + shift · H).
    /// </summary>
    public int[] Image { get; private set; } = [];

    /// <summary>Numbers per owned atom that travel with it when it migrates (velocities, ...).</summary>
    public int ExtraWidth { get; }

    /// <summary><see cref="ExtraWidth"/> values per owned atom, atom after atom.</summary>
    public double[] Extra { get; private set; } = [];

    /// <summary>Makes the arrays hold at least <paramref name="n"/> atoms, keeping the first <see cref="NAll"/>.</summary>
    public void EnsureCapacity(int n)
    {
        if (Id.Length >= n) return;
        var size = Math.Max(n, Id.Length + Id.Length / 2 + 16);
        Id = Grow(Id, size, 1);
        Type = Grow(Type, size, 1);
        X = Grow(X, size, 1);
        Y = Grow(Y, size, 1);
        Z = Grow(Z, size, 1);
        Image = Grow(Image, size, 3);
        Extra = Grow(Extra, size, ExtraWidth);
    }

    private T[] Grow<T>(T[] a, int size, int width)
    {
        var b = new T[size * width];
        Array.Copy(a, b, Math.Min(a.Length, NAll * width));
        return b;
    }
}
