namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Input.Parsing;

/// <summary>
/// <c>variable NAME STYLE ...</c> with LAMMPS' styles index, loop, uloop (one partition: as loop), equal, string, atom
/// (a per-atom formula), atomfile (per-atom values by atom ID from a file), internal (a number), file (one line at a
/// time), getenv, format and delete: index, loop, uloop, file, atomfile and format keep their first definition (as in
/// LAMMPS, so a command-line value wins); equal, string, atom, internal and getenv are redefined (same style only).
/// </summary>
[DeckCommand("variable")]
public sealed class VariableCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(2, "NAME STYLE args");
        var name = args[0];
        var style = args[1];
        var vars = context.Variables;
        switch (style)
        {
            case "delete":
                vars.Remove(name);
                return;
            case "index":
                args.RequireAtLeast(3, "NAME index value1 [value2 ...]");
                if (vars.ContainsKey(name)) return;
                vars[name] = new DeckVariable { Name = name, Style = style, Values = args.Words.Skip(2).ToList() };
                return;
            case "loop":
            {
                args.RequireAtLeast(3, "NAME loop N | NAME loop N1 N2 [pad]");
                if (vars.ContainsKey(name)) return;
                int lo = 1, hi = args.Int(2, "loop count");
                if (args.Count >= 4 && args[3] != "pad")
                {
                    lo = hi;
                    hi = args.Int(3, "loop end");
                }
                var pad = args.Words.Contains("pad");
                var width = hi.ToString(CultureInfo.InvariantCulture).Length;
                var values = Enumerable.Range(lo, Math.Max(0, hi - lo + 1))
                    .Select(v => pad ? v.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0') : v.ToString(CultureInfo.InvariantCulture)).ToList();
                vars[name] = new DeckVariable { Name = name, Style = style, Values = values };
                return;
            }
            case "equal" or "string":
                args.RequireAtLeast(3, $"NAME {style} TEXT");
                if (vars.TryGetValue(name, out var existing) && existing.Style != style) throw new Core.Errors.UserInputException("Cannot redefine variable as a different style");
                vars[name] = new DeckVariable { Name = name, Style = style, Values = [string.Join(" ", args.Words.Skip(2))] };
                return;
            case "uloop":
            {
                // one partition: a uloop variable is a loop variable (LAMMPS shares its counter between partitions)
                args.RequireAtLeast(3, "NAME uloop N [pad]");
                if (vars.ContainsKey(name)) return;
                var n = args.Int(2, "uloop count");
                if (n <= 0) throw new Core.Errors.UserInputException("Illegal variable command");
                var width = n.ToString(CultureInfo.InvariantCulture).Length;
                var pad = args.Count > 3 && args[3] == "pad";
                vars[name] = new DeckVariable { Name = name, Style = style, Values = Enumerable.Range(1, n)
                    .Select(v => pad ? v.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0') : v.ToString(CultureInfo.InvariantCulture)).ToList() };
                return;
            }
            case "atom" or "internal" or "getenv":
            {
                if (args.Count != 3) throw new Core.Errors.UserInputException("Illegal variable command");
                if (vars.TryGetValue(name, out var old) && old.Style != style) throw new Core.Errors.UserInputException("Cannot redefine variable as a different style");
                if (style == "internal" && !double.TryParse(args[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                    throw new Core.Errors.UserInputException($"Expected floating point parameter instead of '{args[2]}' in input script or data file");
                vars[name] = new DeckVariable { Name = name, Style = style, Values = [args[2]] };
                return;
            }
            case "format":
                if (args.Count != 4) throw new Core.Errors.UserInputException("Illegal variable command");
                if (vars.ContainsKey(name)) return;
                if (!System.Text.RegularExpressions.Regex.IsMatch(args[3], @"%[0-9 ]*\.[0-9]+[efgEFG]"))
                    throw new Core.Errors.UserInputException("Incorrect conversion in format string");
                vars[name] = new DeckVariable { Name = name, Style = style, Values = [args[2], args[3]] };
                return;
            case "file":
            {
                if (args.Count != 3) throw new Core.Errors.UserInputException("Illegal variable command");
                if (vars.ContainsKey(name)) return;
                var lines = ReadLines(context, args[2]).Select(l => l.Trim()).ToList();
                if (lines.Count == 0) throw new Core.Errors.UserInputException("File variable could not read value");
                vars[name] = new DeckVariable { Name = name, Style = style, Values = lines };
                return;
            }
            case "atomfile":
            {
                if (args.Count != 3) throw new Core.Errors.UserInputException("Illegal variable command");
                if (vars.ContainsKey(name)) return;
                var v = new DeckVariable { Name = name, Style = style, Values = ReadLines(context, args[2]) };
                if (!AdvanceAtomFile(context, v)) throw new Core.Errors.UserInputException("Atomfile variable could not read values");
                vars[name] = v;
                return;
            }
            case "vector" or "python" or "timer" or "internal/vector" or "world" or "universe":
                throw new Core.Errors.UserInputException($"variable {name}: {style}-style variables are not supported yet (supported: index loop uloop equal string atom atomfile internal file getenv format delete)");
            default:
                throw new Core.Errors.UserInputException($"Illegal variable command: unknown style '{style}' (supported: index loop uloop equal string atom atomfile internal file getenv format delete)");
        }
    }

    /// <summary>The lines of a variable file that carry values: blank lines and '#' comments dropped (LAMMPS' VarReader).</summary>
    private static List<string> ReadLines(DeckContext context, string file)
    {
        var path = context.InputPath(file);
        if (!File.Exists(path)) throw new Core.Errors.UserInputException($"Cannot open file variable file {file}");
        return File.ReadLines(path).Select(l => { var h = l.IndexOf('#'); return h >= 0 ? l[..h] : l; })
            .Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
    }

    /// <summary>
    /// Reads the next set of an atomfile variable: a count line N, then N lines "ID value" (atoms not listed get 0);
    /// false when the file has no further set.
    /// </summary>
    public static bool AdvanceAtomFile(DeckContext context, DeckVariable v)
    {
        if (v.Position >= v.Values.Count) return false;
        var head = v.Values[v.Position].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (!int.TryParse(head[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0 || v.Position + n >= v.Values.Count + (n == 0 ? 1 : 0))
            throw new Core.Errors.UserInputException($"Invalid atomfile variable {v.Name}: set starting at value line {v.Position + 1} needs a count and that many 'ID value' lines");
        var values = new Dictionary<int, double>(n);
        for (var k = 1; k <= n; k++)
        {
            var w = v.Values[v.Position + k].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (w.Length < 2 || !int.TryParse(w[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)
                || !double.TryParse(w[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                throw new Core.Errors.UserInputException($"Invalid atomfile variable {v.Name}: line '{v.Values[v.Position + k]}' is not 'ID value'");
            if (id <= 0) throw new Core.Errors.UserInputException($"Invalid atom ID {id} in variable file");
            values[id] = x;
        }
        v.AtomValues = values;
        v.Position += n + 1;
        return true;
    }
}