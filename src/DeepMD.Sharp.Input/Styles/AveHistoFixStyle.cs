namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Computes;

/// <summary>
/// <c>fix ID group ave/histo Nevery Nrepeat Nfreq lo hi Nbin value1 value2 ... [file F] [kind global|peratom|local]
/// [ave one|running|window M] [start S] [mode scalar|vector] [beyond ignore|end|extra] [title1|title2|title3 T]</c>
/// (<see cref="FixAveHisto"/>): values x y z vx vy vz fx fy fz, c_ID, c_ID[i], f_ID, f_ID[i], v_name (equal- or
/// atom-style), wildcards expanded; the kind (global or per-atom) is found from the inputs as LAMMPS does, and every
/// refusal uses LAMMPS' text. Not: local inputs (no compute here has local values), vector-style variables,
/// <c>overwrite</c>.
/// </summary>
[FixStyle("ave/histo")]
public sealed class AveHistoFixStyle : IFixStyle
{
    private static readonly string[] AtomWords = ["x", "y", "z", "vx", "vy", "vz", "fx", "fy", "fz"];

    private enum Kind { Default, Global, PerAtom, Local }

    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix ave/histo command");
        if (args.Count < 7) throw Illegal();
        int nevery = args.Int(0, "Nevery"), nrepeat = args.Int(1, "Nrepeat"), nfreq = args.Int(2, "Nfreq");
        double lo = args.Double(3, "lo"), hi = args.Double(4, "hi");
        var nbins = args.Int(5, "Nbin");
        var end = 6;
        while (end < args.Count && (AtomWords.Contains(args[end]) || args[end].StartsWith("c_", StringComparison.Ordinal)
            || args[end].StartsWith("f_", StringComparison.Ordinal) || args[end].StartsWith("v_", StringComparison.Ordinal))) end++;
        if (end == 6) throw new UserInputException("No values in fix ave/histo command");

        string? file = null, title1 = null, title2 = null, title3 = null;
        var kind = Kind.Default;
        var average = AveTimeAverage.One;
        var window = 0;
        long start = 0;
        var vectorMode = false;
        var beyond = AveHistoBeyond.Ignore;
        var overwrite = false;
        for (var k = end; k < args.Count;)
        {
            string Value() => k + 1 < args.Count ? args[k + 1] : throw Illegal();
            switch (args[k])
            {
                case "file": file = Value(); k += 2; break;
                case "kind":
                    kind = Value() switch { "global" => Kind.Global, "peratom" => Kind.PerAtom, "local" => Kind.Local, _ => throw Illegal() };
                    k += 2;
                    break;
                case "ave":
                    switch (Value())
                    {
                        case "one": average = AveTimeAverage.One; k += 2; break;
                        case "running": average = AveTimeAverage.Running; k += 2; break;
                        case "window":
                            average = AveTimeAverage.Window;
                            if (k + 2 >= args.Count) throw Illegal();
                            window = args.Int(k + 2, "window M");
                            if (window <= 0) throw Illegal();
                            k += 3;
                            break;
                        default: throw Illegal();
                    }
                    break;
                case "start": start = args.Long(k + 1, "start"); k += 2; break;
                case "mode":
                    vectorMode = Value() switch { "scalar" => false, "vector" => true, _ => throw Illegal() };
                    k += 2;
                    break;
                case "beyond":
                    beyond = Value() switch { "ignore" => AveHistoBeyond.Ignore, "end" => AveHistoBeyond.End, "extra" => AveHistoBeyond.Extra, _ => throw Illegal() };
                    k += 2;
                    break;
                case "overwrite": overwrite = true; k++; break;
                case "title1": title1 = Value(); k += 2; break;
                case "title2": title2 = Value(); k += 2; break;
                case "title3": title3 = Value(); k += 2; break;
                default: throw Illegal();
            }
        }

        var names = ComputeReferences.Expand(context, args.Words.Take(end).Skip(6), vectorMode);
        if (nevery <= 0 || nrepeat <= 0 || nfreq <= 0 || nfreq % nevery != 0 || (long)nrepeat * nevery > nfreq || lo >= hi || nbins <= 0) throw Illegal();
        if (average != AveTimeAverage.Running && overwrite) throw Illegal();
        if (overwrite) throw args.Error("the overwrite keyword is not supported yet; leave it out (every histogram is then appended to the file)");

        // the kind of the inputs, as LAMMPS decides it: all global, all per-atom or all local
        foreach (var name in names)
        {
            bool global = false, perAtom = false, local = false;
            if (AtomWords.Contains(name)) perAtom = true;
            else if (!DeckReference.TryParse(name, out var r) || r.J is not null) throw new UserInputException("Invalid fix ave/histo command");
            else if (r.Kind == 'c')
            {
                var c = context.Simulation.FindCompute(r.Id) ?? (ComputeReferences.BuiltInIds.Contains(r.Id) ? ComputeReferences.FindCompute(context, r.Id, "fix ave/histo")
                    : throw new UserInputException("Fix ave/histo input is invalid compute"));
                global = c.HasScalar || c.VectorLength > 0 || c.ArrayRows > 0;
                perAtom = c.HasPerAtom;
            }
            else if (r.Kind == 'f')
            {
                var f = context.Simulation.FindFix(r.Id) ?? throw new UserInputException("Fix ave/histo input is invalid fix");
                global = f is IFixGlobalValues or FixAveTime or FixAveCorrelate or FixVector or FixAveChunk;
            }
            else
            {
                if (!context.Variables.TryGetValue(r.Id, out var v)) throw new UserInputException("Fix ave/histo input is invalid variable");
                if (v.Style == "equal") global = true;
                else if (v.Style == "atom") perAtom = true;
                else throw new UserInputException("Fix ave/histo input is invalid kind of variable");
            }
            if (kind == Kind.Default)
            {
                if ((global ? 1 : 0) + (perAtom ? 1 : 0) + (local ? 1 : 0) > 1) throw new UserInputException("Fix ave/histo input kind is ambiguous");
                if (global) kind = Kind.Global;
                if (perAtom) kind = Kind.PerAtom;
                if (local) kind = Kind.Local;
            }
            else if ((kind == Kind.Global && !global) || (kind == Kind.PerAtom && !perAtom) || (kind == Kind.Local && !local))
                throw new UserInputException("Fix ave/histo input kind is invalid");
        }
        if (kind == Kind.PerAtom && !vectorMode) throw new UserInputException("Fix ave/histo cannot input per-atom values in scalar mode");
        if (kind == Kind.Local && !vectorMode) throw new UserInputException("Fix ave/histo cannot input local values in scalar mode");
        if (kind == Kind.Local) throw args.Error("local inputs are not supported (no compute or fix here has local values)");

        var inputs = names.Select(n => WithCheck(context, n, Input(context, n, kind == Kind.PerAtom, vectorMode, nevery))).ToList();
        TextWriter? writer = null;
        if (file is not null)
        {
            var w = context.IsRootRank
                ? Core.Files.OutputLock.OpenWriter(context.OutputPath(file), false, $"fix {id} ave/histo file", new System.Text.UTF8Encoding(false))
                : StreamWriter.Null;
            w.NewLine = "\n";
            writer = w;
        }
        try
        {
            return new FixAveHisto(id, nevery, nrepeat, nfreq, lo, hi, nbins, inputs, average, window, start, beyond, context.Simulation.Step, writer, (title1, title2, title3));
        }
        catch
        {
            writer?.Dispose();
            throw;
        }
    }

    /// <summary>The input with LAMMPS' init check that what it reads still exists.</summary>
    private static AveHistoInput WithCheck(DeckContext context, string name, AveHistoInput input)
    {
        if (!DeckReference.TryParse(name, out var r)) return input;
        Action<Simulation> check = r.Kind switch
        {
            'c' => sim =>
            {
                if (sim.FindCompute(r.Id) is null && !ComputeReferences.BuiltInIds.Contains(r.Id)) throw new UserInputException("Compute ID for fix ave/histo does not exist");
            },
            'f' => sim =>
            {
                if (sim.FindFix(r.Id) is null) throw new UserInputException("Fix ID for fix ave/histo does not exist");
            },
            _ => _ =>
            {
                if (!context.Variables.ContainsKey(r.Id)) throw new UserInputException("Variable name for fix ave/histo does not exist");
            },
        };
        return new AveHistoInput { Name = input.Name, Scalar = input.Scalar, Values = input.Values, PerAtom = input.PerAtom, Validate = check };
    }

    /// <summary>One input, checked against the kind and mode with LAMMPS' texts.</summary>
    private static AveHistoInput Input(DeckContext context, string name, bool perAtom, bool vectorMode, int nevery)
    {
        var sim = context.Simulation;
        var atomIndex = Array.IndexOf(AtomWords, name);
        if (atomIndex >= 0)
        {
            Func<int, double> Read(Simulation s)
            {
                var a = s.Atoms;
                return atomIndex switch
                {
                    0 => i => a.X[i], 1 => i => a.Y[i], 2 => i => a.Z[i],
                    3 => i => a.Vx[i], 4 => i => a.Vy[i], 5 => i => a.Vz[i],
                    6 => i => a.Fx[i], 7 => i => a.Fy[i], _ => i => a.Fz[i],
                };
            }
            return new AveHistoInput { Name = name, PerAtom = Read };
        }
        DeckReference.TryParse(name, out var r);
        var j = r.I ?? 0;
        switch (r.Kind)
        {
            case 'c':
            {
                var c = ComputeReferences.FindCompute(context, r.Id, "fix ave/histo");
                Compute Find() => ComputeReferences.FindCompute(context, r.Id, "fix ave/histo");
                if (perAtom)
                {
                    if (!c.HasPerAtom) throw new UserInputException("Fix ave/histo compute does not calculate per-atom values");
                    if (j == 0 && c.PerAtomColumns != 0) throw new UserInputException("Fix ave/histo compute does not calculate a per-atom vector");
                    if (j > 0 && c.PerAtomColumns == 0) throw new UserInputException("Fix ave/histo compute does not calculate a per-atom array");
                    if (j > c.PerAtomColumns) throw new UserInputException("Fix ave/histo compute array is accessed out-of-range");
                    var stride = Math.Max(1, c.PerAtomColumns);
                    var column = Math.Max(0, j - 1);
                    return new AveHistoInput
                    {
                        Name = name,
                        PerAtom = s =>
                        {
                            var values = Find().PerAtom(s);
                            return i => values[i * stride + column];
                        },
                    };
                }
                if (!vectorMode)
                {
                    if (j == 0 && !c.HasScalar) throw new UserInputException("Fix ave/histo compute does not calculate a global scalar");
                    if (j > 0 && c.VectorLength == 0) throw new UserInputException("Fix ave/histo compute does not calculate a global vector");
                    if (j > c.VectorLength && j > 0) throw new UserInputException("Fix ave/histo compute vector is accessed out-of-range");
                    return j == 0 ? new AveHistoInput { Name = name, Scalar = s => Find().Scalar(s) }
                        : new AveHistoInput { Name = name, Scalar = s => Find().Vector(s)[j - 1] };
                }
                if (j == 0 && c.VectorLength == 0) throw new UserInputException("Fix ave/histo compute does not calculate a global vector");
                if (j > 0 && c.ArrayRows == 0) throw new UserInputException("Fix ave/histo compute does not calculate a global array");
                if (j > c.ArrayColumns && j > 0) throw new UserInputException("Fix ave/histo compute array is accessed out-of-range");
                return j == 0 ? new AveHistoInput { Name = name, Values = s => Find().Vector(s) }
                    : new AveHistoInput { Name = name, Values = s => Find().Array(s).Select(row => row[j - 1]).ToArray() };
            }
            case 'f':
            {
                var f = sim.FindFix(r.Id) ?? throw new UserInputException("Fix ID for fix ave/histo does not exist");
                if (perAtom) throw new UserInputException("Fix ave/histo fix does not calculate per-atom values");
                var (scalar, vectorLength, arrayColumns, freq) = Shape(f);
                Fix Find() => sim.FindFix(r.Id) ?? throw new UserInputException("Fix ID for fix ave/histo does not exist");
                if (!vectorMode)
                {
                    if (j == 0 && !scalar) throw new UserInputException("Fix ave/histo fix does not calculate a global scalar");
                    if (j > 0 && vectorLength == 0) throw new UserInputException("Fix ave/histo fix does not calculate a global vector");
                    if (j > vectorLength && j > 0) throw new UserInputException("Fix ave/histo fix vector is accessed out-of-range");
                }
                else
                {
                    if (j == 0 && vectorLength == 0) throw new UserInputException("Fix ave/histo fix does not calculate a global vector");
                    if (j > 0 && arrayColumns == 0) throw new UserInputException("Fix ave/histo fix does not calculate a global array");
                    if (j > arrayColumns && j > 0) throw new UserInputException("Fix ave/histo fix array is accessed out-of-range");
                }
                if (nevery % freq != 0) throw new UserInputException("Fix for fix ave/histo not computed at compatible time");
                if (!vectorMode)
                    return new AveHistoInput { Name = name, Scalar = s => j == 0 ? FixScalar(Find(), s) : FixVectorValue(Find(), s, j - 1) };
                // LAMMPS bins as many rows as the fix's global vector is long, for a vector and for an array column alike
                return new AveHistoInput
                {
                    Name = name,
                    Values = s =>
                    {
                        var fix = Find();
                        return Enumerable.Range(0, vectorLength).Select(i => j == 0 ? FixVectorValue(fix, s, i) : FixArrayValue(fix, i, j - 1)).ToArray();
                    },
                };
            }
            default:
            {
                if (!context.Variables.TryGetValue(r.Id, out var v)) throw new UserInputException("Variable name for fix ave/histo does not exist");
                if (perAtom)
                {
                    if (j > 0) throw new UserInputException("Fix ave/histo variable cannot be indexed");
                    if (v.Style != "atom") throw new UserInputException("Fix ave/histo variable is not atom-style variable");
                    return new AveHistoInput
                    {
                        Name = name,
                        PerAtom = _ =>
                        {
                            var values = context.Runner.AtomVariable(r.Id, "fix ave/histo");
                            return i => values[i];
                        },
                    };
                }
                if (vectorMode || j > 0) throw new UserInputException("Fix ave/histo variable is not vector-style variable");
                if (v.Style != "equal") throw new UserInputException("Fix ave/histo variable is not equal-style variable");
                return new AveHistoInput { Name = name, Scalar = _ => context.Runner.Evaluate("v_" + r.Id) };
            }
        }
    }

    /// <summary>Whether a fix has a global scalar, its vector length, its array columns and how often it produces them.</summary>
    private static (bool Scalar, int VectorLength, int ArrayColumns, int Frequency) Shape(Fix f) => f switch
    {
        FixAveHisto h => (false, 4, 3, h.Nfreq),
        FixAveTime t => (t.HasScalar, t.VectorLength, t.ArrayShape.Columns, t.Nfreq),
        IFixGlobalValues g => (g.HasScalar, g.VectorLength, 0, 1),
        _ => throw new UserInputException($"fix {f.Id} ({f.Style}) as an input of fix ave/histo is not supported; use fix ave/time, ave/histo or a fix with global values per step"),
    };

    private static double FixScalar(Fix f, Simulation sim) => f switch
    {
        FixAveTime t => t.ScalarValue,
        IFixGlobalValues g => g.Scalar(sim),
        _ => 0.0,
    };

    private static double FixVectorValue(Fix f, Simulation sim, int i) => f switch
    {
        FixAveTime t => t.VectorValue(i),
        IFixGlobalValues g => g.Vector(sim, i),
        _ => 0.0,
    };

    private static double FixArrayValue(Fix f, int i, int j) => f switch
    {
        FixAveHisto h => h.ArrayValue(i, j),
        FixAveTime t => t.ArrayValue(i, j),
        _ => 0.0,
    };
}
