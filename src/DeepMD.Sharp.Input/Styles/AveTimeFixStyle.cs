namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Computes;

/// <summary>
/// <c>fix ID group ave/time Nevery Nrepeat Nfreq value1 value2 ... [mode scalar|vector] [ave one|running|window M]
/// [start S] [off M] [file F] [format F] [title1 T] [title2 T] [title3 T]</c>, values c_ID, c_ID[i], c_ID[*], f_ID,
/// f_ID[i], v_name (equal-style), as LAMMPS' fix ave/time (see <see cref="FixAveTime"/>).
/// </summary>
[FixStyle("ave/time")]
public sealed class AveTimeFixStyle : IFixStyle
{
    private static readonly string[] Keywords = ["mode", "ave", "start", "off", "file", "append", "overwrite", "format", "title1", "title2", "title3"];

    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        args.RequireAtLeast(4, "Nevery Nrepeat Nfreq value1 [value2 ...] [keyword value ...]");
        int nevery = args.Int(0, "Nevery"), nrepeat = args.Int(1, "Nrepeat"), nfreq = args.Int(2, "Nfreq");
        var end = 3;
        while (end < args.Count && !Keywords.Contains(args[end])) end++;
        if (end == 3) throw args.Error("needs at least one value (c_ID, c_ID[i], f_ID, v_name) before the keywords");
        var vectorMode = false;
        var average = AveTimeAverage.One;
        int window = 0;
        long start = 0;
        var off = new HashSet<int>();
        string? file = null, format = null, title1 = null, title2 = null, title3 = null;
        for (var k = end; k < args.Count; k += 2)
        {
            string Value() => k + 1 < args.Count ? args[k + 1] : throw args.Error($"keyword '{args[k]}' needs a value");
            switch (args[k])
            {
                case "mode":
                    vectorMode = Value() switch
                    {
                        "scalar" => false,
                        "vector" => true,
                        var w => throw args.Error($"mode must be scalar or vector, got '{w}'"),
                    };
                    break;
                case "ave":
                    switch (Value())
                    {
                        case "one": average = AveTimeAverage.One; break;
                        case "running": average = AveTimeAverage.Running; break;
                        case "window":
                            average = AveTimeAverage.Window;
                            window = args.Int(k + 2, "window M");
                            if (window <= 0) throw args.Error($"ave window needs M > 0, got {window}");
                            k++;
                            break;
                        default: throw args.Error($"ave must be one, running or window M, got '{args[k + 1]}'");
                    }
                    break;
                case "start": start = args.Long(k + 1, "start"); break;
                case "off": off.Add(args.Int(k + 1, "off column") - 1); break;
                case "file": file = Value(); break;
                case "append": throw args.Error("the append keyword is not supported yet (LAMMPS 29Sep2021 has only file)");
                case "overwrite": throw args.Error("the overwrite keyword is not supported yet");
                case "format": format = Value(); break;
                case "title1": title1 = Value(); break;
                case "title2": title2 = Value(); break;
                case "title3": title3 = Value(); break;
            }
        }
        var names = ComputeReferences.Expand(context, args.Words.Take(end).Skip(3), vectorMode);
        var values = names.Select(n => Value(context, args, n, vectorMode)).ToList();
        var sim = context.Simulation;
        TextWriter? writer = null;
        if (file is not null)
        {
            var w = context.IsRootRank
                ? Core.Files.OutputLock.OpenWriter(context.OutputPath(file), false, $"fix {id} ave/time file", new System.Text.UTF8Encoding(false))
                : StreamWriter.Null;
            w.NewLine = "\n";
            writer = w;
        }
        try
        {
            return new FixAveTime(id, nevery, nrepeat, nfreq, values, vectorMode, average, window, start, off, sim.Step, writer, format, (title1, title2, title3));
        }
        catch
        {
            writer?.Dispose();
            throw;
        }
    }

    /// <summary>One value: how to read it now, checked against the mode as LAMMPS does.</summary>
    internal static AveTimeValue Value(DeckContext context, DeckArguments args, string name, bool vectorMode)
    {
        if (!DeckReference.TryParse(name, out var r))
            throw args.Error($"'{name}' is not a value; use c_ID, c_ID[i], f_ID, f_ID[i] or v_name");
        if (r.J is not null) throw args.Error($"'{name}': a value names a compute, a vector element or an array column, not an array element");
        var sim = context.Simulation;
        switch (r.Kind)
        {
            case 'v':
            {
                if (r.I is not null) throw args.Error($"'{name}': vector-style variables are not supported");
                if (!context.Variables.TryGetValue(r.Id, out var v)) throw args.Error($"Variable name for fix ave/time does not exist: {r.Id}");
                if (vectorMode) throw args.Error($"'{name}': vector mode needs vector-style variables, which are not supported; use mode scalar");
                if (v.Style != "equal") throw args.Error($"Fix ave/time variable is not equal-style variable: {r.Id}");
                return new AveTimeValue { Name = name, Scalar = _ => context.Runner.Evaluate("v_" + r.Id) };
            }
            case 'c':
            {
                var c = ComputeReferences.FindCompute(context, r.Id, "fix ave/time");
                string Id() => r.Id;
                Dynamics.Computes.Compute Find() => ComputeReferences.FindCompute(context, Id(), "fix ave/time");
                if (!vectorMode)
                {
                    if (r.I is null)
                    {
                        if (!c.HasScalar) throw args.Error($"Fix ave/time compute does not calculate a scalar: {name} ({c.Style})");
                        return new AveTimeValue { Name = name, Scalar = s => Find().Scalar(s), Extensive = c.ExtensiveScalar };
                    }
                    if (c.VectorLength == 0) throw args.Error($"Fix ave/time compute does not calculate a vector: {name} ({c.Style})");
                    if (r.I > c.VectorLength) throw args.Error($"Fix ave/time compute vector is accessed out-of-range: {name} ({c.VectorLength} values)");
                    var k = r.I.Value - 1;
                    return new AveTimeValue { Name = name, Scalar = s => Find().Vector(s)[k], Extensive = c.ExtensiveVectorElement(k) };
                }
                if (r.I is null)
                {
                    if (c.VectorLength == 0) throw args.Error($"Fix ave/time compute does not calculate a vector: {name} ({c.Style})");
                    return new AveTimeValue { Name = name, Rows = c.VectorLength, Column = (s, col) => Find().Vector(s).AsSpan().CopyTo(col), Extensive = c.ExtensiveVectorElement(0) };
                }
                if (c.ArrayRows == 0) throw args.Error($"Fix ave/time compute does not calculate an array: {name} ({c.Style})");
                if (r.I > c.ArrayColumns) throw args.Error($"Fix ave/time compute array is accessed out-of-range: {name} ({c.ArrayColumns} columns)");
                var j = r.I.Value - 1;
                return new AveTimeValue
                {
                    Name = name,
                    Rows = c.ArrayRows,
                    Column = (s, col) =>
                    {
                        var a = Find().Array(s);
                        for (var row = 0; row < col.Length; row++) col[row] = a[row][j];
                    },
                };
            }
            default:
            {
                var f = ComputeReferences.FindValueFix(context, r.Id, "fix ave/time");
                FixAveTime Find() => ComputeReferences.FindValueFix(context, r.Id, "fix ave/time");
                if (!vectorMode)
                {
                    if (r.I is null)
                    {
                        if (!f.HasScalar) throw args.Error($"Fix ave/time fix does not calculate a scalar: {name}");
                        return new AveTimeValue { Name = name, Scalar = _ => Find().ScalarValue, Extensive = f.Extensive(0) };
                    }
                    if (f.VectorLength == 0 || r.I > f.VectorLength) throw args.Error($"Fix ave/time fix vector is accessed out-of-range: {name}");
                    var k = r.I.Value - 1;
                    return new AveTimeValue { Name = name, Scalar = _ => Find().VectorValue(k), Extensive = f.Extensive(k) };
                }
                if (r.I is null)
                {
                    if (f.VectorLength == 0) throw args.Error($"Fix ave/time fix does not calculate a vector: {name}");
                    return new AveTimeValue
                    {
                        Name = name,
                        Rows = f.VectorLength,
                        Column = (_, col) =>
                        {
                            var fx = Find();
                            for (var row = 0; row < col.Length; row++) col[row] = fx.VectorValue(row);
                        },
                    };
                }
                var (rows, cols) = f.ArrayShape;
                if (rows == 0 || r.I > cols) throw args.Error($"Fix ave/time fix array is accessed out-of-range: {name}");
                var jj = r.I.Value - 1;
                return new AveTimeValue
                {
                    Name = name,
                    Rows = rows,
                    Column = (_, col) =>
                    {
                        var fx = Find();
                        for (var row = 0; row < col.Length; row++) col[row] = fx.ArrayValue(row, jj);
                    },
                };
            }
        }
    }
}
