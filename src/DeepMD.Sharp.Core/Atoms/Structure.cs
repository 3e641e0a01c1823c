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
    /// Checks that every coordinate is finite; throws naming the first bad atom.
    /// </summary>
    public void ValidateFinite()
    {
        for (var i = 0; i < Count; i++)
        {
            if (!double.IsFinite(X[i]) || !double.IsFinite(Y[i]) || !double.IsFinite(Z[i]))
                throw new UserInputException(
                    $"atom {i + 1} ({Species[i]}) has a non-finite coordinate ({X[i]}, {Y[i]}, {Z[i]}); fix the structure", Source);
        }
    }
}
