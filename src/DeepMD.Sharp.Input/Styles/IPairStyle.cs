namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Potentials;

/// <summary>
/// A pair style as a deck sees it: created by <c>pair_style NAME args</c> (<see cref="Configure"/>), given
/// coefficients by <c>pair_coeff</c> (<see cref="Coeff"/>), and turned into the engine's <see cref="IPotential"/>.
/// </summary>
public interface IPairStyle
{
    void Configure(DeckContext context, DeckArguments args);

    void Coeff(DeckContext context, DeckArguments args);

    /// <summary>The potential to run with (errors if coefficients are missing).</summary>
    IPotential Build(DeckContext context);
}
