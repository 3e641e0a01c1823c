namespace DeepMD.Sharp.Core.Atoms;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;

/// <summary>
/// A set of atoms in structure-of-arrays layout: Cartesian positions (Å) in <see cref="X"/>, <see cref="Y"/>,
/// <see cref="Z"/>, species names, and an optional periodic <see cref="Box"/> (null means no periodic boundaries).
/// </summary>
public sealed class Structure
{
    public Structure(string[] species, double[] x, double[] y, double[] z, Box? box, string? source = null)
    {
        if (x.Length != species.Length || y.Length != species.Length || z.Length != species.Length)
            throw new ArgumentException("species and coordinate arrays must have the same length");
        Species = species;
        X = x;
        Y = y;
        Z = z;
        Box = box;
        Source = source;
    }

    /// <summary>Species (element) name per atom.</summary>
    public string[] Species { get; }

    /// <summary>x coordinates, Å, length <see cref="Count"/>.</summary>
    public double[] X { get; }

    /// <summary>y coordinates, Å.</summary>
    public double[] Y { get; }

    /// <summary>z coordinates, Å.</summary>
    public double[] Z { get; }

    /// <summary>Simulation cell, or null for an isolated cluster.</summary>
    public Box? Box { get; }

    /// <summary>Where this structure came from (file name), for error messages.</summary>
    public string? Source { get; }

    /// <summary>Number of atoms.</summary>
    public int Count => Species.Length;

    /// <summary>
    /// Maps species to type indices of <paramref name="typeMap"/>; throws a <see cref="UserInputException"/>
    /// naming the first atom whose species is not in the map.
    /// </summary>
    public int[] TypesFor(TypeMap typeMap)
    {
        var types = new int[Count];
        for (var i = 0; i < Count; i++)
        {
            var t = typeMap.IndexOf(Species[i]);
            if (t < 0)
                throw new UserInputException(
                    $"atom {i + 1} has species '{Species[i]}', which is not in the model's type map [{typeMap}]; " +
                    "rename the species or use a model trained for it", Source);
            types[i] = t;
        }
        return types;
    }

    /// <summary>
    /// Checks that every coordinate is finite and at most <see cref="Box.MaxBoxLengthsOutside"/> box lengths outside a periodic box; throws naming the first bad atom.
    /// </summary>
    public void ValidateFinite() => ValidateCoordinates(null);

    /// <summary>As <see cref="ValidateFinite"/> (finite, and at most <see cref="Box.MaxBoxLengthsOutside"/> box lengths outside a periodic box), naming the atom's line in the file.</summary>
    /// <param name="lineOfAtom">The file line of each atom (0-based index), where the reader knows it.</param>
    public void ValidateCoordinates(Func<int, int?>? lineOfAtom)
    {
        for (var i = 0; i < Count; i++)
        {
            if (!double.IsFinite(X[i]) || !double.IsFinite(Y[i]) || !double.IsFinite(Z[i]))
                throw new UserInputException(
                    $"atom {i + 1} ({Species[i]}) has a non-finite coordinate ({X[i]}, {Y[i]}, {Z[i]}); fix the structure", Source, lineOfAtom?.Invoke(i));
            // Wrapping a coordinate millions of box lengths out loses every digit (1e20 lands on 0): refuse it.
            if (Box is not null && Box.BoxLengthsOutside(X[i], Y[i], Z[i]) is var far && far > Geometry.Box.MaxBoxLengthsOutside)
                throw new UserInputException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"atom {i + 1} ({Species[i]}) at ({X[i]}, {Y[i]}, {Z[i]}) is {far:G3} box lengths outside the periodic box "
                    + $"(at most {Geometry.Box.MaxBoxLengthsOutside:G0} allowed); fix the structure"), Source, lineOfAtom?.Invoke(i));
        }
    }

    /// <summary>
    /// The periodic supercell of na × nb × nc copies of this structure (like LAMMPS <c>replicate</c>); copies are ordered
    /// with the c index fastest, atoms in their original order within each copy.
    /// </summary>
    public Structure Replicate(int na, int nb, int nc)
    {
        if (Box is null) throw new UserInputException("only a periodic structure can be replicated", Source);
        if (na < 1 || nb < 1 || nc < 1) throw new UserInputException($"replication counts must be positive, got {na}x{nb}x{nc}");
        var copies = na * nb * nc;
        var n = Count;
        var species = new string[n * copies];
        double[] x = new double[n * copies], y = new double[n * copies], z = new double[n * copies];
        var k = 0;
        for (var a = 0; a < na; a++)
            for (var b = 0; b < nb; b++)
                for (var c = 0; c < nc; c++)
                {
                    var (sx, sy, sz) = Box.ToCartesian(a, b, c);
                    for (var i = 0; i < n; i++, k++)
                    {
                        species[k] = Species[i];
                        x[k] = X[i] + sx;
                        y[k] = Y[i] + sy;
                        z[k] = Z[i] + sz;
                    }
                }
        var h = Box.Matrix;
        var big = new Box([na * h[0], na * h[1], na * h[2], nb * h[3], nb * h[4], nb * h[5], nc * h[6], nc * h[7], nc * h[8]],
            Box.IsPeriodic(0), Box.IsPeriodic(1), Box.IsPeriodic(2));
        return new Structure(species, x, y, z, big, Source);
    }
}
