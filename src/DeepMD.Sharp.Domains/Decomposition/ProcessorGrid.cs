namespace DeepMD.Sharp.Domains.Decomposition;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// The Px × Py × Pz grid of subdomains over the lattice directions a, b, c (LAMMPS' <c>processors</c>), and where
/// each rank sits in it. Ranks are numbered as LAMMPS' default <c>map cart</c> numbers them (MPI_Cart_create, no
/// reordering): c fastest, then b, then a: rank = (i·Py + j)·Pz + k.
/// </summary>
public sealed record ProcessorGrid(int Px, int Py, int Pz)
{
    /// <summary>Number of ranks the grid holds.</summary>
    public int Count => Px * Py * Pz;

    /// <summary>Ranks along lattice direction <paramref name="d"/> (0 = a, 1 = b, 2 = c).</summary>
    public int this[int d] => d switch { 0 => Px, 1 => Py, 2 => Pz, _ => throw new ArgumentOutOfRangeException(nameof(d)) };

    /// <summary>Grid position (i, j, k) of <paramref name="rank"/>.</summary>
    public (int I, int J, int K) CoordinatesOf(int rank)
    {
        if ((uint)rank >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(rank));
        return (rank / (Py * Pz), rank / Pz % Py, rank % Pz);
    }

    /// <summary>The rank at grid position (i, j, k); positions outside the grid wrap around (periodic neighbours).</summary>
    public int RankAt(int i, int j, int k) =>
        (Mod(i, Px) * Py + Mod(j, Py)) * Pz + Mod(k, Pz);

    public override string ToString() => $"{Px} by {Py} by {Pz}";

    /// <summary>
    /// The grid for <paramref name="ranks"/> ranks: directions given (not null) are kept, the others (LAMMPS' <c>*</c>)
    /// are chosen so that the surface the subdomains communicate through is smallest for this box shape. The surface
    /// of a Px × Py × Pz split is Σ over the three face pairs of area/(P of its two directions), with the face areas
    /// |a×b|, |a×c|, |b×c| of the (possibly triclinic) cell; among equal surfaces the first in the order (Px, then Py,
    /// ascending) wins, as in LAMMPS. A 2d run (<paramref name="twoDimensional"/>) keeps Pz = 1.
    /// </summary>
    public static ProcessorGrid Choose(int ranks, Box box, int? px = null, int? py = null, int? pz = null, bool twoDimensional = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        foreach (var p in new[] { px, py, pz })
            if (p is < 1) throw new UserInputException($"processors: grid values must be positive integers or *, got {p}");
        if (twoDimensional)
        {
            if (pz is > 1) throw new UserInputException($"processors: a 2d simulation needs Pz = 1, got {pz}");
            pz = 1;
        }
        if (px is { } x && py is { } y && pz is { } z && x * y * z != ranks)
            throw new UserInputException($"processors {x} {y} {z} needs {x * y * z} MPI ranks, but the run has {ranks}");

        var h = box.Matrix;
        var ab = CrossNorm(h, 0, 1);
        var ac = CrossNorm(h, 0, 2);
        var bc = CrossNorm(h, 1, 2);
        ProcessorGrid? best = null;
        var bestSurface = double.PositiveInfinity;
        for (var i = 1; i <= ranks; i++)
        {
            if (ranks % i != 0 || (px is { } fx && fx != i)) continue;
            var rest = ranks / i;
            for (var j = 1; j <= rest; j++)
            {
                if (rest % j != 0 || (py is { } fy && fy != j)) continue;
                var k = rest / j;
                if (pz is { } fz && fz != k) continue;
                var surface = ab / (i * j) + ac / (i * k) + bc / (j * k);
                if (surface < bestSurface)
                {
                    bestSurface = surface;
                    best = new ProcessorGrid(i, j, k);
                }
            }
        }
        return best ?? throw new UserInputException(
            $"processors {Show(px)} {Show(py)} {Show(pz)}: no grid of {ranks} MPI ranks fits; choose values whose product can be {ranks}");
    }

    /// <summary>
    /// Parses the three values of LAMMPS' <c>processors Px Py Pz</c> (each a positive integer or <c>*</c>) and chooses
    /// the grid with <see cref="Choose"/>.
    /// </summary>
    public static ProcessorGrid Parse(string px, string py, string pz, int ranks, Box box, bool twoDimensional = false) =>
        Choose(ranks, box, Value(px), Value(py), Value(pz), twoDimensional);

    private static int? Value(string s)
    {
        if (s == "*") return null;
        if (int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 1)
            return v;
        throw new UserInputException($"processors: '{s}' is not a positive integer or *");
    }

    private static string Show(int? p) => p?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "*";

    private static double CrossNorm(ReadOnlySpan<double> h, int r, int s)
    {
        var cx = h[3 * r + 1] * h[3 * s + 2] - h[3 * r + 2] * h[3 * s + 1];
        var cy = h[3 * r + 2] * h[3 * s + 0] - h[3 * r + 0] * h[3 * s + 2];
        var cz = h[3 * r + 0] * h[3 * s + 1] - h[3 * r + 1] * h[3 * s + 0];
        return Math.Sqrt(cx * cx + cy * cy + cz * cz);
    }

    private static int Mod(int a, int n) => ((a % n) + n) % n;
}
