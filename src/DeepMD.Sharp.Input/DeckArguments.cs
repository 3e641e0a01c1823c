namespace DeepMD.Sharp.Input;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>The words of one deck command after its name, with parsing helpers whose errors name the command.</summary>
public sealed class DeckArguments
{
    public DeckArguments(string command, IReadOnlyList<string> words)
    {
        Command = command;
        Words = words;
    }

    public string Command { get; }

    public IReadOnlyList<string> Words { get; }

    public int Count => Words.Count;

    public string this[int i] => i < Words.Count ? Words[i] : throw Error($"needs at least {i + 1} argument(s)");

    /// <summary>The words from index <paramref name="start"/> on, as a new argument list.</summary>
    public DeckArguments From(int start) => new(Command, Words.Skip(start).ToList());

    public void RequireAtLeast(int n, string usage)
    {
        if (Words.Count < n) throw Error($"needs at least {n} argument(s): {Command} {usage}");
    }

    public void RequireExactly(int n, string usage)
    {
        if (Words.Count != n) throw Error($"needs {n} argument(s): {Command} {usage}");
    }

    public double Double(int i, string what)
    {
        var w = this[i];
        return double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v : throw Error($"{what} must be a number, got '{w}'");
    }

    public int Int(int i, string what)
    {
        var w = this[i];
        return int.TryParse(w, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw Error($"{what} must be an integer, got '{w}'");
    }

    public long Long(int i, string what)
    {
        var w = this[i];
        return long.TryParse(w, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw Error($"{what} must be an integer, got '{w}'");
    }

    public bool YesNo(int i, string what) => this[i] switch
    {
        "yes" => true,
        "no" => false,
        var w => throw Error($"{what} must be yes or no, got '{w}'"),
    };

    /// <summary>An error for this command (the runner adds file, line and the command text).</summary>
    public UserInputException Error(string message) => new($"{Command}: {message}");

    /// <summary>An unknown keyword error naming the closest valid one.</summary>
    public UserInputException UnknownKeyword(string word, IEnumerable<string> valid)
    {
        var list = valid.ToList();
        var close = Dynamics.Text.EditDistance.Closest(word, list);
        return Error($"unknown keyword '{word}'{(close is null ? "" : $"; did you mean '{close}'?")} (valid: {string.Join(" ", list)})");
    }
}
