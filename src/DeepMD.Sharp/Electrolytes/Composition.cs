namespace DeepMD.Sharp.Electrolytes;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>How solvent fractions are meant (EC:DMC 1:1 by weight, or by moles).</summary>
public enum SolventRatio
{
    Weight,
    Mole,
}

/// <summary>How many molecules of one template to pack.</summary>
public sealed record MoleculeCount(MoleculeTemplate Template, int Count);

/// <summary>
/// An electrolyte recipe: a lithium salt at a molar concentration (mol per litre of solution) in a solvent mixture,
/// with an estimated solution density that fixes the volume. <see cref="Counts"/> does the arithmetic:
/// for <c>n</c> salt pairs the solution volume is V = n / (N_A c), its mass m = ρ V, the solvent mass
/// m − n M_salt / N_A is shared by weight or mole fractions, and each solvent count is rounded to the nearest
/// integer (at least one molecule of each listed solvent).
/// </summary>
/// <param name="Salt">LiPF6, LiFSI, LiTFSI or LiBF4.</param>
/// <param name="Solvents">Solvent names and their relative amounts (normalised; e.g. EC 1, DMC 1).</param>
/// <param name="Ratio">Whether the amounts are weights or moles.</param>
/// <param name="Concentration">Salt concentration, mol/L.</param>
/// <param name="SaltPairs">Number of Li+/anion pairs in the box.</param>
/// <param name="Density">Estimated solution density, g/cm³ (sets the initial box; NPT then relaxes it).</param>
public sealed record ElectrolyteComposition(string Salt, IReadOnlyList<(string Name, double Amount)> Solvents, SolventRatio Ratio,
    double Concentration, int SaltPairs, double Density)
{
    public const double Avogadro = 6.02214076e23;

    /// <summary>A short label, e.g. <c>LiPF6 1.00M EC:DMC 1:1 (w)</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"{Salt} {Concentration:F2}M {string.Join(":", Solvents.Select(s => s.Name))} {string.Join(":", Solvents.Select(s => s.Amount.ToString("G4", CultureInfo.InvariantCulture)))} ({(Ratio == SolventRatio.Weight ? "w" : "mol")})");

    /// <summary>A file-name-safe key that identifies the composition.</summary>
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{Salt}_{Concentration:F3}M_{string.Join("-", Solvents.Select(s => $"{s.Name}{s.Amount:G4}"))}{(Ratio == SolventRatio.Weight ? "w" : "m")}_{SaltPairs}p_{Density:F3}").Replace('+', 'p');

    /// <summary>Molecule counts: Li+, the anion, then each solvent.</summary>
    public IReadOnlyList<MoleculeCount> Counts()
    {
        if (!(Concentration > 0)) throw new UserInputException($"the salt concentration must be positive, got {Concentration} mol/L");
        if (!(Density > 0)) throw new UserInputException($"the density must be positive, got {Density} g/cm³");
        if (SaltPairs < 1) throw new UserInputException($"at least one salt pair is needed, got {SaltPairs}");
        if (Solvents.Count == 0) throw new UserInputException("no solvent given");
        if (Solvents.Any(s => !(s.Amount > 0))) throw new UserInputException("every solvent amount must be positive");
        var (cation, anion) = MoleculeLibrary.Salt(Salt);
        var solvents = Solvents.Select(s => MoleculeLibrary.Get(s.Name)).ToArray();
        // Per salt pair: volume 1/(N_A c) L = 1000/(N_A c) cm³, so solution mass per pair in g/mol units: 1000 ρ / c.
        var solventMassPerMole = SaltPairs * (1000 * Density / Concentration - (cation.Mass + anion.Mass));
        if (!(solventMassPerMole > 0))
            throw new UserInputException($"{Label}: at {Concentration} mol/L and {Density} g/cm³ the salt alone is heavier than the solution; lower the concentration or raise the density");
        var total = Solvents.Sum(s => s.Amount);
        var counts = new List<MoleculeCount> { new(cation, SaltPairs), new(anion, SaltPairs) };
        if (Ratio == SolventRatio.Weight)
        {
            for (var k = 0; k < solvents.Length; k++)
                counts.Add(new(solvents[k], Math.Max(1, (int)Math.Round(Solvents[k].Amount / total * solventMassPerMole / solvents[k].Mass))));
        }
        else
        {
            var meanMass = Enumerable.Range(0, solvents.Length).Sum(k => Solvents[k].Amount / total * solvents[k].Mass);
            var n = solventMassPerMole / meanMass;
            for (var k = 0; k < solvents.Length; k++)
                counts.Add(new(solvents[k], Math.Max(1, (int)Math.Round(Solvents[k].Amount / total * n))));
        }
        return counts;
    }

    /// <summary>Parses <c>EC:1,DMC:1</c> (or <c>EC:DMC 1:1</c> style <c>EC,DMC</c> with equal amounts).</summary>
    public static IReadOnlyList<(string Name, double Amount)> ParseSolvents(string text)
    {
        var list = new List<(string, double)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bits = part.Split(':');
            var amount = 1.0;
            if (bits.Length > 2 || (bits.Length == 2 && !double.TryParse(bits[1], NumberStyles.Float, CultureInfo.InvariantCulture, out amount)))
                throw new UserInputException($"cannot read solvent '{part}'; write NAME or NAME:AMOUNT, e.g. EC:1,DMC:1");
            if (MoleculeLibrary.Canonical(bits[0]) is null) throw new UserInputException($"unknown solvent '{bits[0]}'; known: {string.Join(", ", MoleculeLibrary.Names)}");
            list.Add((MoleculeLibrary.Canonical(bits[0])!, amount));
        }
        return list;
    }
}

/// <summary>Sizes of a packed box.</summary>
public static class BoxArithmetic
{
    /// <summary>Total mass of the molecules, g/mol.</summary>
    public static double Mass(IEnumerable<MoleculeCount> counts) => counts.Sum(c => c.Count * c.Template.Mass);

    /// <summary>Volume (Å³) of <paramref name="counts"/> at <paramref name="density"/> g/cm³: V = m / (N_A ρ) · 10²⁴.</summary>
    public static double Volume(IEnumerable<MoleculeCount> counts, double density) => Mass(counts) / (ElectrolyteComposition.Avogadro * density) * 1e24;

    /// <summary>Molar concentration (mol/L) of <paramref name="pairs"/> salt pairs in <paramref name="volume"/> Å³.</summary>
    public static double Molarity(int pairs, double volume) => pairs / ElectrolyteComposition.Avogadro / (volume * 1e-27);

    /// <summary>Density (g/cm³) of <paramref name="mass"/> g/mol of atoms in <paramref name="volume"/> Å³.</summary>
    public static double Density(double mass, double volume) => mass / ElectrolyteComposition.Avogadro / (volume * 1e-24);
}
