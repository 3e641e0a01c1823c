namespace DeepMD.Sharp.Input.Parsing;

/// <summary>One logical deck line (continuations joined, comment removed) and where it came from.</summary>
public sealed record DeckLine(string File, int Line, string Text);
