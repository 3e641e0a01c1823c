namespace DeepMD.Sharp.Tests.Input;

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Input.Parsing;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Runs every example deck that ships with LAMMPS (Debian's lammps-examples, /usr/share/lammps/examples) whose pair
/// styles dpsharp has, in <c>lmp</c> and in dpsharp, with run lengths capped, and compares every thermo value at the
/// precision LAMMPS prints. docs/lammps-examples.md lists each deck with its state; a deck listed as matching that
/// stops matching fails the test, and a deck that starts matching fails it too until the list is regenerated
/// (DPSHARP_REGENERATE_EXAMPLES=1), so the list stays true and only shrinks.
/// </summary>
[TestFixture]
public sealed partial class LammpsExampleDeckTests
{
    public const string ExamplesRoot = "/usr/share/lammps/examples";

    /// <summary>Longest run (steps) and minimizer iteration count a deck keeps; longer ones are cut to this.</summary>
    public const int RunCap = 1000;

    private const string DocName = "lammps-examples.md";

    public enum Outcome { Matches, Differs, Refused, LammpsFails }

    public sealed record Result(string Deck, Outcome Outcome, string Reason, string Blocker = "");

    [Test]
    [CancelAfter(900_000)]
    public void ExampleDecksMatchLammpsAsListed()
    {
        var lmp = LammpsHarness.FindLammps();
        Requirement.That(lmp is not null && Directory.Exists(ExamplesRoot), Requirement.Lammps,
            $"LAMMPS (lmp) and its example decks ({ExamplesRoot}, Debian package lammps-examples) are needed for this comparison");

        var results = Candidates().Select(d => RunOne(lmp!, d)).ToList();
        var doc = RepoPaths.Get("docs", DocName);
        var text = Render(results);
        if (Environment.GetEnvironmentVariable("DPSHARP_REGENERATE_EXAMPLES") == "1")
        {
            File.WriteAllText(doc, text);
            TestContext.Out.WriteLine($"wrote {doc}");
        }
        var listed = File.Exists(doc) ? ListedMatching(File.ReadAllText(doc)) : [];
        var now = results.Where(r => r.Outcome == Outcome.Matches).Select(r => r.Deck).ToHashSet();
        var lost = results.Where(r => listed.Contains(r.Deck) && r.Outcome != Outcome.Matches).ToList();
        var gained = now.Where(d => !listed.Contains(d)).Order().ToList();
        TestContext.Out.WriteLine($"{now.Count} of {results.Count} candidate decks match LAMMPS");
        Assert.Multiple(() =>
        {
            Assert.That(lost, Is.Empty, "decks listed as matching LAMMPS in docs/" + DocName + " no longer match:\n"
                + string.Join("\n", lost.Select(r => $"  {r.Deck}: {r.Outcome}: {r.Reason}")));
            Assert.That(gained, Is.Empty, "decks now match LAMMPS but docs/" + DocName + " does not list them; regenerate it: "
                + "DPSHARP_REGENERATE_EXAMPLES=1 dotnet test tests/DeepMD.Sharp.Tests -c Release --filter FullyQualifiedName~LammpsExampleDeckTests\n  "
                + string.Join("\n  ", gained));
        });
    }

    /// <summary>Example decks (in.* files) whose every pair style, hybrid sub-styles included, is registered.</summary>
    public static List<string> Candidates()
    {
        var styles = StyleRegistry.Default;
        var list = new List<string>();
        foreach (var f in Directory.EnumerateFiles(ExamplesRoot, "in.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var pairs = File.ReadLines(f).Select(l => l.Trim()).Where(l => l.StartsWith("pair_style", StringComparison.Ordinal)).ToList();
            if (pairs.Count == 0) continue;
            var ok = true;
            foreach (var p in pairs)
            {
                var w = p.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (w.Length < 2 || w[1].Contains('$') || styles.CreatePairStyle(w[1]) is null) ok = false;
            }
            if (ok && DeckGapScanner.Scan(f).All(g => !g.What.StartsWith("pair_style", StringComparison.Ordinal)))
                list.Add(Path.GetRelativePath(ExamplesRoot, f));
        }
        return list;
    }

    /// <summary>
    /// Decks that read a file another deck of their folder writes (LAMMPS' rerun examples read the dump of
    /// <c>in.first</c> or <c>in.rdf.first</c>), with that deck. It runs first in <c>lmp</c> in the same folder, so
    /// LAMMPS and dpsharp read the same file.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Producers = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["rerun/in.rerun"] = "in.first",
        ["rerun/in.read_dump"] = "in.first",
        ["rerun/in.rdf.rerun"] = "in.rdf.first",
    };

    [GeneratedRegex(@"^(\s*run\s+)(\d+)", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    [GeneratedRegex(@"^(\s*minimize\s+\S+\s+\S+\s+)(\d+)(\s+)(\d+)", RegexOptions.Multiline)]
    private static partial Regex MinimizeLine();

    /// <summary>The deck with every literal <c>run N</c> and minimizer iteration count cut to <see cref="RunCap"/>.</summary>
    public static string Capped(string deck)
    {
        static string Cap(string n) => Math.Min(long.Parse(n, CultureInfo.InvariantCulture), RunCap).ToString(CultureInfo.InvariantCulture);
        deck = RunLine().Replace(deck, m => m.Groups[1].Value + Cap(m.Groups[2].Value));
        return MinimizeLine().Replace(deck, m => m.Groups[1].Value + Cap(m.Groups[2].Value) + m.Groups[3].Value + Cap(m.Groups[4].Value));
    }

    internal static Result RunOne(string lmp, string deck)
    {
        var source = Path.Combine(ExamplesRoot, deck);
        var root = RepoPaths.TempDir();
        try
        {
            // The deck's folder at the same depth as in the examples tree, so ../../potentials still resolves.
            var dir = Path.Combine(root, "examples", Path.GetDirectoryName(deck)!);
            CopyFolder(Path.GetDirectoryName(source)!, dir);
            var shared = Path.Combine(Path.GetDirectoryName(ExamplesRoot)!, "potentials");
            if (Directory.Exists(shared)) Directory.CreateSymbolicLink(Path.Combine(root, "potentials"), shared);
            var name = Path.GetFileName(deck);
            File.WriteAllText(Path.Combine(dir, name), Capped(File.ReadAllText(source)));
            if (Producers.TryGetValue(deck, out var producer))
            {
                var capped = "capped." + producer;
                File.WriteAllText(Path.Combine(dir, capped), Capped(File.ReadAllText(Path.Combine(dir, producer))));
                var (pcode, pout) = RunLammps(lmp, capped, dir);
                if (pcode != 0) return new Result(deck, Outcome.LammpsFails, $"{producer} (which writes its input): " + OneLine(LastError(pout)));
            }

            string ours;
            var screen = new StringWriter { NewLine = "\n" };
            try
            {
                using (var session = new DeckSession(screen, dir, logFile: "log.dpsharp"))
                    session.RunFile(Path.Combine(dir, name));
                ours = screen.ToString();
            }
            catch (Exception ex)
            {
                var gaps = DeckGapScanner.Scan(Path.Combine(dir, name));
                if (gaps.Count == 0 && BothStop(lmp, deck, name, dir, screen.ToString(), ex) is { } both) return both;
                var message = ex.Message.Replace(dir + Path.DirectorySeparatorChar, "");
                var cut = message.IndexOf(" [in: ", StringComparison.Ordinal);
                if (cut > 0) message = message[..cut];
                var user = ex as DeepMD.Sharp.Core.Errors.UserInputException;
                var first = user is null ? $"internal error ({ex.GetType().Name}): {OneLine(message)}"
                    : gaps.FirstOrDefault(g => g.Line == user.Line && g.File == Path.GetFileName(user.File ?? ""))?.What ?? OneLine(message);
                var all = gaps.Count == 0 ? "" : $" ({gaps.Count} unsupported in the deck: {string.Join(", ", gaps.Select(g => g.What).Distinct())})";
                return new Result(deck, Outcome.Refused, first + all, Regex.Replace(first, @"^\S+:\d+: ", ""));
            }

            var (code, theirs) = RunLammps(lmp, name, dir);
            if (code != 0) return new Result(deck, Outcome.LammpsFails, OneLine(LastError(theirs)));
            var diff = FirstDifference(theirs, ours);
            return diff is null ? new Result(deck, Outcome.Matches, "") : new Result(deck, Outcome.Differs, diff);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// A deck dpsharp stopped on although it has no unsupported command: the capped deck may be invalid in LAMMPS too
    /// (a run cut shorter than an averaging fix's output interval that a variable reads: "not computed at compatible
    /// time"). Then LAMMPS' behaviour with the capped deck is the reference: the deck matches when LAMMPS stops too,
    /// after the same thermo rows (at least one); null when LAMMPS runs it.
    /// </summary>
    private static Result? BothStop(string lmp, string deck, string name, string dir, string ours, Exception ex)
    {
        var (code, theirs) = RunLammps(lmp, name, dir);
        if (code == 0) return null;
        var diff = FirstDifference(theirs, ours);
        // Only a deck that ran (thermo rows compared) and was then stopped alike counts; one both refuse at once does not.
        if (diff is null && Tables(theirs).Sum(t => t.Rows.Count) == 0) diff = "LAMMPS printed no thermo row";
        return diff is null ? new Result(deck, Outcome.Matches, "")
            : new Result(deck, Outcome.LammpsFails, $"{OneLine(LastError(theirs))} (dpsharp stops too: {OneLine(ex.Message.Replace(dir + Path.DirectorySeparatorChar, ""))}; {diff})");
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from))
            if (new FileInfo(f).Length < 64 << 20) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }

    private static (int Code, string Output) RunLammps(string lmp, string deck, string dir)
    {
        var psi = new ProcessStartInfo(lmp, ["-in", deck, "-log", "none", "-echo", "none"])
        {
            WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "ERROR: LAMMPS ran longer than 600 s");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string LastError(string output) =>
        output.Split('\n').LastOrDefault(l => l.StartsWith("ERROR", StringComparison.Ordinal)) ?? $"exit code != 0";

    private static string OneLine(string s)
    {
        s = s.Replace('\n', ' ').Replace('|', '/');
        return s.Length <= 200 ? s : s[..197] + "...";
    }

    /// <summary>Thermo tables (header and rows of printed words) of a LAMMPS-style screen output.</summary>
    public static List<(string[] Header, List<string[]> Rows)> Tables(string output)
    {
        var tables = new List<(string[], List<string[]>)>();
        var lines = output.Replace("\r", "").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var h = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (h.Length == 0 || h[0] != "Step") continue;
            var rows = new List<string[]>();
            for (i++; i < lines.Length && !lines[i].StartsWith("Loop time", StringComparison.Ordinal); i++)
            {
                var w = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (w.Length == h.Length && w.All(x => double.TryParse(x, NumberStyles.Float, CultureInfo.InvariantCulture, out _))) rows.Add(w);
            }
            tables.Add((h, rows));
        }
        return tables;
    }

    /// <summary>
    /// Null when every thermo value agrees at the precision LAMMPS printed it (the two numbers differ by at most one
    /// unit in LAMMPS' last printed digit: the same value rounded on either side of a boundary); else where they differ.
    /// </summary>
    public static string? FirstDifference(string lammps, string dpsharp)
    {
        var a = Tables(lammps);
        var b = Tables(dpsharp);
        if (a.Count == 0) return "LAMMPS printed no thermo table";
        if (a.Count != b.Count) return $"{b.Count} thermo tables (runs) instead of LAMMPS' {a.Count}";
        for (var t = 0; t < a.Count; t++)
        {
            if (!a[t].Header.SequenceEqual(b[t].Header)) return $"run {t + 1}: thermo header '{string.Join(' ', b[t].Header)}' instead of '{string.Join(' ', a[t].Header)}'";
            if (a[t].Rows.Count != b[t].Rows.Count) return $"run {t + 1}: {b[t].Rows.Count} thermo rows instead of LAMMPS' {a[t].Rows.Count}";
            for (var r = 0; r < a[t].Rows.Count; r++)
                for (var c = 0; c < a[t].Header.Length; c++)
                    if (!SameAtPrintedPrecision(a[t].Rows[r][c], b[t].Rows[r][c]))
                        return $"run {t + 1}, step {a[t].Rows[r][0]}, {a[t].Header[c]}: LAMMPS {a[t].Rows[r][c]}, dpsharp {b[t].Rows[r][c]}";
        }
        return null;
    }

    public static bool SameAtPrintedPrecision(string lammps, string ours)
    {
        if (lammps == ours) return true;
        var x = double.Parse(lammps, NumberStyles.Float, CultureInfo.InvariantCulture);
        var y = double.Parse(ours, NumberStyles.Float, CultureInfo.InvariantCulture);
        return Math.Abs(x - y) <= LastDigitUnit(lammps) * (1 + 1e-6);
    }

    /// <summary>The value of one unit in the last printed digit of a number as written ("1.25e-05" → 1e-7).</summary>
    public static double LastDigitUnit(string s)
    {
        var e = s.IndexOfAny(['e', 'E']);
        var exp = e < 0 ? 0 : int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mant = e < 0 ? s : s[..e];
        var dot = mant.IndexOf('.');
        var decimals = dot < 0 ? 0 : mant.Length - dot - 1;
        return Math.Pow(10, exp - decimals);
    }

    public static string Render(List<Result> results)
    {
        var sb = new StringBuilder();
        var matching = results.Count(r => r.Outcome == Outcome.Matches);
        var lmpFails = results.Count(r => r.Outcome == Outcome.LammpsFails);
        sb.Append("# LAMMPS' example decks in dpsharp\n\n");
        sb.Append("Generated by `LammpsExampleDeckTests` (regenerate: `DPSHARP_REGENERATE_EXAMPLES=1 dotnet test tests/DeepMD.Sharp.Tests -c Release ")
          .Append("--filter FullyQualifiedName~LammpsExampleDeckTests`). Every deck under `/usr/share/lammps/examples` (Debian's `lammps-examples`, ")
          .Append("LAMMPS 20220106) whose pair styles dpsharp registers runs in `lmp` and in `dpsharp run`, with every `run N` and minimizer ")
          .Append($"iteration count cut to at most {RunCap}; a deck matches when every thermo value of every run equals LAMMPS' at the ")
          .Append("precision LAMMPS prints (at most one unit apart in the last printed digit); a deck that the cap makes invalid (LAMMPS ")
          .Append("itself stops on the capped deck, e.g. a variable reading an averaging fix between its outputs) matches when dpsharp stops ")
          .Append("too after the same thermo rows. The test fails when a deck listed as matching ")
          .Append("stops matching, or a deck starts matching without being listed.\n\n");
        sb.Append($"{matching} of {results.Count} candidate decks match; {results.Count(r => r.Outcome == Outcome.Refused)} are refused, ")
          .Append($"{results.Count(r => r.Outcome == Outcome.Differs)} run but differ, {lmpFails} fail in LAMMPS itself.\n\n");
        sb.Append("## Matching\n\n");
        foreach (var r in results.Where(r => r.Outcome == Outcome.Matches)) sb.Append($"- `{r.Deck}`\n");
        sb.Append("\n## Not matching yet\n\n| Deck | State | Reason (first unsupported command; all of them) |\n|---|---|---|\n");
        foreach (var r in results.Where(r => r.Outcome != Outcome.Matches))
            sb.Append($"| `{r.Deck}` | {r.Outcome switch { Outcome.Refused => "refused", Outcome.Differs => "differs", _ => "LAMMPS fails" }} | {r.Reason} |\n");
        var blockers = results.Where(r => r.Outcome == Outcome.Refused).GroupBy(r => r.Blocker).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
        sb.Append("\n## First blockers of the refused decks\n\n| Blocker | Decks |\n|---|---|\n");
        foreach (var g in blockers) sb.Append($"| {g.Key} | {g.Count()} |\n");
        return sb.ToString();
    }

    /// <summary>The decks listed under "## Matching" in the doc.</summary>
    public static HashSet<string> ListedMatching(string doc)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var inSection = false;
        foreach (var line in doc.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal)) inSection = line.Trim() == "## Matching";
            else if (inSection && line.StartsWith("- `", StringComparison.Ordinal)) set.Add(line[3..line.IndexOf('`', 3)]);
        }
        return set;
    }

    [TestCase("VISCOSITY/in.einstein.2d")]
    [TestCase("VISCOSITY/in.gk.2d")]
    public void CappedDeckThatLammpsStopsOnToMatchesWhenDpsharpStopsAlike(string deck)
    {
        // Capped at 1000 steps, the decks' variables read fix ave/time or ave/correlate (every 2000 steps) at a step it
        // produces nothing, and LAMMPS stops with "not computed at compatible time" after the first thermo row.
        var lmp = LammpsHarness.FindLammps();
        Requirement.That(lmp is not null && File.Exists(Path.Combine(ExamplesRoot, deck)), Requirement.Lammps,
            $"LAMMPS (lmp) and its example decks ({ExamplesRoot}, Debian package lammps-examples) are needed for this comparison");
        var result = RunOne(lmp!, deck);
        Assert.That(result.Outcome, Is.EqualTo(Outcome.Matches), result.Reason);
    }

    [Test]
    public void PrintedPrecisionComparisonAllowsOneLastDigitOnly()
    {
        Assert.That(LastDigitUnit("1.25e-05"), Is.EqualTo(1e-7).Within(1e-20));
        Assert.That(SameAtPrintedPrecision("-6.7733681", "-6.7733682"), Is.True);
        Assert.That(SameAtPrintedPrecision("-6.7733681", "-6.7733683"), Is.False);
        Assert.That(SameAtPrintedPrecision("100", "101"), Is.True);
        Assert.That(SameAtPrintedPrecision("100", "102"), Is.False);
    }

    [Test]
    public void RunLengthsAndMinimizerIterationsAreCapped()
    {
        var d = Capped("run 100000\n  run 50 every 10 NULL\nminimize 1e-4 1e-6 1000 10000\nrun ${n}\n");
        Assert.That(d, Is.EqualTo($"run {RunCap}\n  run 50 every 10 NULL\nminimize 1e-4 1e-6 {RunCap} {RunCap}\nrun ${{n}}\n"));
    }
}
