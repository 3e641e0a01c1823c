namespace DeepMD.Sharp.IO;

/// <summary>
/// Symbols and standard atomic masses (amu) of the elements H (Z = 1) to Bi (Z = 83), used to name species
/// from atomic numbers or masses when a file does not spell them out.
/// </summary>
public static class ChemicalElements
{
    private static readonly string[] Symbols =
    [
        "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne",
        "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca",
        "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
        "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr",
        "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn",
        "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd",
        "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb",
        "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg",
        "Tl", "Pb", "Bi",
    ];

    private static readonly double[] Masses =
    [
        1.008, 4.0026, 6.94, 9.0122, 10.81, 12.011, 14.007, 15.999, 18.998, 20.180,
        22.990, 24.305, 26.982, 28.085, 30.974, 32.06, 35.45, 39.948, 39.098, 40.078,
        44.956, 47.867, 50.942, 51.996, 54.938, 55.845, 58.933, 58.693, 63.546, 65.38,
        69.723, 72.630, 74.922, 78.971, 79.904, 83.798, 85.468, 87.62, 88.906, 91.224,
        92.906, 95.95, 98.0, 101.07, 102.91, 106.42, 107.87, 112.41, 114.82, 118.71,
        121.76, 127.60, 126.90, 131.29, 132.91, 137.33, 138.91, 140.12, 140.91, 144.24,
        145.0, 150.36, 151.96, 157.25, 158.93, 162.50, 164.93, 167.26, 168.93, 173.05,
        174.97, 178.49, 180.95, 183.84, 186.21, 190.23, 192.22, 195.08, 196.97, 200.59,
        204.38, 207.2, 208.98,
    ];

    /// <summary>Largest atomic number in the table.</summary>
    public static int MaxAtomicNumber => Symbols.Length;

    /// <summary>The symbol of atomic number <paramref name="z"/>, or null when it is outside 1..<see cref="MaxAtomicNumber"/>.</summary>
    public static string? Symbol(int z) => z >= 1 && z <= Symbols.Length ? Symbols[z - 1] : null;

    /// <summary>The atomic number of <paramref name="symbol"/> (exact spelling, e.g. "Fe"), or 0 if it is not in the table.</summary>
    public static int AtomicNumber(string symbol)
    {
        var i = Array.IndexOf(Symbols, symbol);
        return i + 1;
    }

    /// <summary>True when <paramref name="symbol"/> is an element symbol in the table (exact spelling).</summary>
    public static bool IsSymbol(string symbol) => AtomicNumber(symbol) > 0;

    /// <summary>The standard atomic mass (amu) of <paramref name="symbol"/>, or null if it is not in the table.</summary>
    public static double? Mass(string symbol)
    {
        var z = AtomicNumber(symbol);
        return z > 0 ? Masses[z - 1] : null;
    }

    /// <summary>
    /// The element whose standard atomic mass is nearest to <paramref name="mass"/>, if it is within
    /// <paramref name="tolerance"/> amu; otherwise null.
    /// </summary>
    public static string? GuessFromMass(double mass, double tolerance = 0.1)
    {
        if (!double.IsFinite(mass)) return null;
        var best = -1;
        var bestDiff = double.PositiveInfinity;
        for (var i = 0; i < Masses.Length; i++)
        {
            var d = Math.Abs(Masses[i] - mass);
            if (d < bestDiff)
            {
                bestDiff = d;
                best = i;
            }
        }
        return bestDiff <= tolerance ? Symbols[best] : null;
    }
}
