namespace DeepMD.Sharp.Input.Parsing;

/// <summary>A deck variable: its style and values (index/loop: a list walked by <c>next</c>; equal: a formula; string: text).</summary>
public sealed class DeckVariable
{
    public required string Name { get; init; }

    /// <summary>index, loop, uloop, equal, string, atom, atomfile, internal, file, getenv or format.</summary>
    public required string Style { get; init; }

    /// <summary>The values (one for equal/string).</summary>
    public required List<string> Values { get; init; }

    /// <summary>Position in <see cref="Values"/> for index and loop variables.</summary>
    public int Position { get; set; }

    /// <summary>An atomfile variable's current values by atom ID (atoms not listed: 0).</summary>
    public Dictionary<int, double>? AtomValues { get; set; }

    /// <summary>Whether the variable has a value per atom (atom, atomfile).</summary>
    public bool IsPerAtom => Style is "atom" or "atomfile";

    /// <summary>Current value as text (the formula for equal-style).</summary>
    public string Current => Values[Position];
}
