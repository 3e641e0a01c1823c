namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>Turns <c>fix ID group STYLE args</c> into a <see cref="Fix"/>.</summary>
public interface IFixStyle
{
    /// <summary><paramref name="args"/> holds the words after the style name.</summary>
    Fix Create(DeckContext context, string id, DeckArguments args);
}
