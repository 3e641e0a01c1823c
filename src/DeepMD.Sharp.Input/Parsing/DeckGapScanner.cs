namespace DeepMD.Sharp.Input.Parsing;

using DeepMD.Sharp.Core.Errors;

/// <summary>One command of a deck that this build cannot run: where it is and what is missing.</summary>
public sealed record DeckGap(string File, int Line, string What, string Text)
{
    public override string ToString() => $"{File}:{Line}: {What}  [{Text}]";
}

/// <summary>
/// Reads a whole deck without running it and lists every command, pair style and fix style that is not registered,
/// so a refused deck shows the size of its gap at once (<c>dpsharp run</c> prints the list after the first error).
/// Settings a registered command refuses (a <c>units</c> style without constants, lattice and region styles and lattice options) count too.
/// Lines whose command word comes from a variable are not judged; <c>include</c> files named literally are read too.
/// </summary>
public static class DeckGapScanner
{
    public static List<DeckGap> Scan(string deckPath, StyleRegistry? styles = null)
    {
        styles ??= StyleRegistry.Default;
        var gaps = new List<DeckGap>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ScanFile(deckPath, styles, gaps, seen, 0);
        return gaps;
    }

    private static void ScanFile(string path, StyleRegistry styles, List<DeckGap> gaps, HashSet<string> seen, int depth)
    {
        if (depth > 16 || !File.Exists(path) || !seen.Add(Path.GetFullPath(path))) return;
        var name = Path.GetFileName(path);
        foreach (var line in DeckLineReader.Split(name, File.ReadAllText(path)))
        {
            if (line.Text.Length == 0) continue;
            List<string> w;
            try { w = Tokenizer.Words(line.Text); }
            catch (UserInputException) { continue; }
            if (w.Count == 0 || w[0].Contains('$')) continue;
            void Gap(string what) => gaps.Add(new DeckGap(name, line.Line, what, line.Text.Length <= 120 ? line.Text : line.Text[..117] + "..."));
            if (styles.CreateCommand(w[0]) is null)
            {
                Gap($"command '{w[0]}'");
                continue;
            }
            switch (w[0])
            {
                case "pair_style" when w.Count > 1 && !w[1].Contains('$'):
                    if (styles.CreatePairStyle(w[1]) is null) Gap($"pair_style '{w[1]}'");
                    else if (w[1] is "hybrid" or "hybrid/overlay")
                        foreach (var sub in w.Skip(2))
                            if (LooksLikeStyle(sub) && styles.CreatePairStyle(sub) is null && !KnownPairKeywords.Contains(sub))
                                Gap($"pair_style '{sub}' (in {w[1]})");
                    break;
                case "fix" when w.Count > 3 && !w[3].Contains('$'):
                    if (styles.CreateFixStyle(w[3]) is null) Gap($"fix style '{w[3]}'");
                    break;
                case "compute" when w.Count > 3 && !w[3].Contains('$'):
                    if (!Computes.ComputeStyles.Names.Contains(w[3])) Gap($"compute style '{w[3]}'");
                    break;
                case "units" when w.Count > 1 && !w[1].Contains('$') && !DeepMD.Sharp.Dynamics.Units.UnitSystem.Names.Contains(w[1]):
                    Gap($"units {w[1]}");
                    break;
                case "lattice" when w.Count > 1 && !w[1].Contains('$'):
                    if (w[1] is not ("none" or "sc" or "bcc" or "fcc" or "hcp" or "diamond" or "sq" or "sq2" or "hex" or "custom")) Gap($"lattice {w[1]}");
                    else
                        foreach (var option in w.Skip(3).Where(o => char.IsLetter(o[0]) && o is not ("origin" or "orient" or "spacing" or "a1" or "a2" or "a3" or "basis" or "x" or "y" or "z")).Distinct())
                            Gap($"lattice option '{option}'");
                    break;
                case "region" when w.Count > 2 && !w[2].Contains('$') && w[2] is not ("block" or "prism" or "sphere" or "cylinder" or "plane" or "union" or "intersect" or "delete"):
                    Gap($"region {w[2]}");
                    break;
                case "include" when w.Count > 1 && !w[1].Contains('$'):
                    ScanFile(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", w[1]), styles, gaps, seen, depth + 1);
                    break;
            }
        }
    }

    // Words inside a hybrid pair_style line that are settings of a sub-style, not sub-style names.
    private static readonly HashSet<string> KnownPairKeywords = new(StringComparer.Ordinal)
    {
        "linear", "spline", "lookup", "bitmap", "ewald", "pppm", "msm", "dispersion", "out_file", "out_freq", "atomic",
        "relative", "fparam", "aparam", "ttm", "scale",
    };

    private static bool LooksLikeStyle(string s) =>
        s.Length > 0 && char.IsLetter(s[0]) && !s.Contains('.') && !s.Contains('$') && s.All(c => char.IsLetterOrDigit(c) || c is '/' or '_');
}
