namespace DeepMD.Sharp.Input.Computes;

using System.Globalization;
using System.Text.RegularExpressions;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Computes;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Thermo;

/// <summary>
/// A reference to a compute, fix or variable as decks write it: <c>c_ID</c>, <c>c_ID[i]</c>, <c>c_ID[i][j]</c>,
/// <c>f_ID[i]</c>, <c>v_name</c>; indices are 1-based; <see cref="Wildcard"/> holds a <c>[*]</c>, <c>[m*]</c>,
/// <c>[*n]</c> or <c>[m*n]</c> range before expansion.
/// </summary>
public sealed record DeckReference(char Kind, string Id, int? I, int? J, string? Wildcard, string Text)
{
    private static readonly Regex Pattern = new(@"^([cfv])_([A-Za-z0-9_]+)(?:\[(\d+|\d*\*\d*)\])?(?:\[(\d+)\])?$", RegexOptions.CultureInvariant);

    /// <summary>Parses <paramref name="word"/>; false when it is not a c_/f_/v_ reference.</summary>
    public static bool TryParse(string word, out DeckReference reference)
    {
        reference = null!;
        var m = Pattern.Match(word);
        if (!m.Success) return false;
        var first = m.Groups[3].Success ? m.Groups[3].Value : null;
        string? wild = first is not null && first.Contains('*') ? first : null;
        int? i = first is not null && wild is null ? int.Parse(first, CultureInfo.InvariantCulture) : null;
        int? j = m.Groups[4].Success ? int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) : null;
        if (wild is not null && j is not null) return false;
        reference = new DeckReference(m.Groups[1].Value[0], m.Groups[2].Value, i, j, wild, word);
        return true;
    }
}

/// <summary>
/// How decks read computes and fixes: in formulas (equal-style variables, LAMMPS' rules: between runs a compute must
/// have been evaluated on the current step), in thermo columns (extensive values divided by the atom count when thermo
/// normalises), and the wildcard expansion of <c>c_ID[*]</c>.
/// </summary>
public static class ComputeReferences
{
    /// <summary>The ids LAMMPS defines itself: thermo's temperature, pressure and potential energy computes.</summary>
    public static readonly IReadOnlyList<string> BuiltInIds = ["thermo_temp", "thermo_press", "thermo_pe"];

    /// <summary>A compute by id (thermo_temp, thermo_press and thermo_pe exist unless the deck defined its own), or an error naming the ids that exist.</summary>
    public static Compute FindCompute(DeckContext context, string id, string usage)
    {
        var sim = context.Simulation;
        if (sim.FindCompute(id) is { } c) return c;
        Compute? builtIn = id switch
        {
            "thermo_temp" => new ComputeTemp(id, Dynamics.Groups.AtomGroup.All),
            "thermo_pe" => new ComputePe(id, Dynamics.Groups.AtomGroup.All),
            "thermo_press" => new ComputePressure(id, Dynamics.Groups.AtomGroup.All, (ComputeTemp)FindCompute(context, "thermo_temp", usage), true, true),
            _ => null,
        };
        if (builtIn is not null)
        {
            sim.Computes.Add(builtIn);
            return builtIn;
        }
        var known = sim.Computes.Select(k => k.Id).Concat(BuiltInIds).Distinct();
        throw new UserInputException($"Could not find {usage} compute ID '{id}' (defined: {string.Join(" ", known)})");
    }

    /// <summary>A fix that has global values (fix ave/time) by id.</summary>
    public static FixAveTime FindValueFix(DeckContext context, string id, string usage)
    {
        var fix = context.Simulation.FindFix(id) ?? throw new UserInputException($"Could not find {usage} fix ID '{id}'");
        return fix as FixAveTime ?? throw new UserInputException($"{usage}: fix {id} ({fix.Style}) does not calculate global values");
    }

    /// <summary>The value of <c>c_</c>/<c>f_</c> reference in a formula, with LAMMPS' checks.</summary>
    public static double FormulaValue(DeckContext context, DeckReference r)
    {
        var sim = context.Simulation;
        if (r.Wildcard is not null) throw new UserInputException($"'{r.Text}': wildcards are not allowed in a formula");
        if (r.Kind == 'f' && sim.FindFix(r.Id) is FixAveHisto histo) return HistoValue(sim, histo, r, checkTime: true);
        if (r.Kind == 'f' && sim.FindFix(r.Id) is FixAveCorrelate correlate) return CorrelateValue(sim, correlate, r, checkTime: true);
        if (r.Kind == 'f' && sim.FindFix(r.Id) is FixAveChunk chunk) return ChunkValue(sim, chunk, r);
        if (r.Kind == 'f' && sim.FindFix(r.Id) is FixVector vector) return VectorFixValue(sim, vector, r, checkTime: true);
        if (r.Kind == 'f' && sim.FindFix(r.Id) is IFixGlobalValues values) return GlobalValue(values, sim, r);
        if (r.Kind == 'f') return FixValue(sim, FindValueFix(context, r.Id, "variable"), r, checkTime: true);
        var c = FindCompute(context, r.Id, "variable");
        if (r.I is null)
        {
            if (!c.HasScalar) throw new UserInputException($"Mismatched compute in variable formula: compute {c.Id} ({c.Style}) has no global scalar; use c_{c.Id}[i]{(c.ArrayRows > 0 ? "[j]" : "")}");
            if (!sim.Running && c.InvokedScalar != sim.Step) throw NotCurrent(c);
            return c.Scalar(sim);
        }
        if (r.J is null)
        {
            if (c.VectorLength == 0) throw new UserInputException($"Mismatched compute in variable formula: compute {c.Id} ({c.Style}) has no global vector{(c.HasPerAtom ? " (its values are per-atom: reduce them with compute reduce)" : "")}");
            if (r.I < 1 || r.I > c.VectorLength) throw new UserInputException($"Variable formula compute vector is accessed out-of-range: {r.Text} (compute {c.Id} has {c.VectorLength} values)");
            if (!sim.Running && c.InvokedVector != sim.Step) throw NotCurrent(c);
            return c.Vector(sim)[r.I.Value - 1];
        }
        if (c.ArrayRows == 0) throw new UserInputException($"Mismatched compute in variable formula: compute {c.Id} ({c.Style}) has no global array");
        if (r.I < 1 || r.I > c.ArrayRows || r.J < 1 || r.J > c.ArrayColumns)
            throw new UserInputException($"Variable formula compute array is accessed out-of-range: {r.Text} (compute {c.Id} is {c.ArrayRows} x {c.ArrayColumns})");
        if (!sim.Running && c.InvokedArray != sim.Step) throw NotCurrent(c);
        return c.Array(sim)[r.I.Value - 1][r.J.Value - 1];
    }

    private static UserInputException NotCurrent(Compute c) => new(
        $"Compute used in variable between runs is not current: compute {c.Id} ({c.Style}) was not evaluated on this step; " +
        "LAMMPS only lets a formula read a compute between runs when the last run's output evaluated it on its last step (put it in thermo_style, or use the variable during the run)");

    /// <summary>f_ID[i] (one input) or f_ID[i][j] (several) of a fix vector.</summary>
    private static double VectorFixValue(Simulation sim, FixVector fix, DeckReference r, bool checkTime)
    {
        if (checkTime && sim.Running && sim.Step % fix.Nevery != 0)
            throw new UserInputException($"Fix in variable not computed at a compatible time: fix {fix.Id} produces values every {fix.Nevery} steps, asked at step {sim.Step}");
        if (r.I is null) throw new UserInputException($"{r.Text}: fix {fix.Id} (vector) has no global scalar; use f_{fix.Id}[i]{(fix.Columns > 1 ? "[j]" : "")} or a function of the whole vector such as slope(f_{fix.Id})");
        if (fix.Columns == 1 && r.J is not null) throw new UserInputException($"{r.Text}: fix {fix.Id} (vector) has a global vector, not an array");
        if (fix.Columns > 1 && r.J is null) throw new UserInputException($"{r.Text}: fix {fix.Id} (vector) has a global array; use f_{fix.Id}[i][j]");
        var j = r.J ?? 1;
        if (r.I < 1 || r.I > fix.Count || j < 1 || j > fix.Columns)
            throw new UserInputException($"Variable formula fix vector is accessed out-of-range: {r.Text} (fix {fix.Id} holds {fix.Count} x {fix.Columns})");
        return fix.Value(r.I.Value - 1, j - 1);
    }

    /// <summary>
    /// LAMMPS' special functions of a global vector in a formula: <c>sum</c>, <c>min</c>, <c>max</c>, <c>ave</c>,
    /// <c>trap</c> (trapezoid rule: the sum less half the first and last), <c>slope</c> (least-squares slope against the
    /// index 0, 1, 2, ...; 1e20 when undefined) of a compute's global vector (<c>c_ID</c>) or array column
    /// (<c>c_ID[j]</c>), a fix's global vector (<c>f_ID</c>) or array column (<c>f_ID[j]</c>).
    /// </summary>
    public static double VectorFunction(DeckContext context, string function, string argument)
    {
        var sim = context.Simulation;
        if (!DeckReference.TryParse(argument, out var r) || r.J is not null || r.Wildcard is not null)
            throw new UserInputException("Invalid special function in variable formula");
        var index = r.I ?? 0;
        double[] vec;
        if (r.Kind == 'c')
        {
            var c = sim.FindCompute(r.Id) ?? (BuiltInIds.Contains(r.Id) ? FindCompute(context, r.Id, "variable") : throw new UserInputException($"Invalid compute ID '{r.Id}' in variable formula"));
            if (index == 0 && c.VectorLength > 0)
            {
                if (!sim.Running && c.InvokedVector != sim.Step) throw NotCurrent(c);
                vec = c.Vector(sim)[..c.VectorLength];
            }
            else if (index > 0 && c.ArrayRows > 0)
            {
                if (index > c.ArrayColumns) throw new UserInputException("Variable formula compute array is accessed out-of-range");
                if (!sim.Running && c.InvokedArray != sim.Step) throw NotCurrent(c);
                var a = c.Array(sim);
                vec = Enumerable.Range(0, c.ArrayRows).Select(i => a[i][index - 1]).ToArray();
            }
            else throw new UserInputException("Mismatched compute in variable formula");
        }
        else if (r.Kind == 'f')
        {
            var fix = sim.FindFix(r.Id) ?? throw new UserInputException($"Invalid fix ID '{r.Id}' in variable formula");
            int nevery;
            switch (fix)
            {
                case FixVector fv when index == 0 && fv.Columns == 1:
                    nevery = fv.Nevery;
                    vec = Enumerable.Range(0, fv.Count).Select(i => fv.Value(i, 0)).ToArray();
                    break;
                case FixVector fv when index > 0 && fv.Columns > 1:
                    if (index > fv.Columns) throw new UserInputException("Variable formula fix array is accessed out-of-range");
                    nevery = fv.Nevery;
                    vec = Enumerable.Range(0, fv.Count).Select(i => fv.Value(i, index - 1)).ToArray();
                    break;
                case FixAveTime t when index == 0 && t.VectorLength > 0:
                    nevery = t.Nfreq;
                    vec = Enumerable.Range(0, t.VectorLength).Select(t.VectorValue).ToArray();
                    break;
                case FixAveTime t when index > 0 && t.ArrayShape.Rows > 0:
                    if (index > t.ArrayShape.Columns) throw new UserInputException("Variable formula fix array is accessed out-of-range");
                    nevery = t.Nfreq;
                    vec = Enumerable.Range(0, t.ArrayShape.Rows).Select(i => t.ArrayValue(i, index - 1)).ToArray();
                    break;
                case FixAveCorrelate fc when index > 0:
                    // the global array: Nrepeat rows of (time delta, count, correlations…); trap(f_ID[3]) integrates one
                    if (index > fc.ArrayColumns) throw new UserInputException("Variable formula fix array is accessed out-of-range");
                    nevery = fc.Nfreq;
                    vec = Enumerable.Range(0, fc.Nrepeat).Select(i => fc.ArrayValue(i, index - 1)).ToArray();
                    break;
                case FixAveHisto h:
                    if (index > 3) throw new UserInputException("Variable formula fix array is accessed out-of-range");
                    nevery = h.Nfreq;
                    vec = index == 0 ? Enumerable.Range(0, h.VectorLength).Select(i => h.Vector(sim, i)).ToArray()
                        : Enumerable.Range(0, h.Bins).Select(i => h.ArrayValue(i, index - 1)).ToArray();
                    break;
                case IFixGlobalValues g when index == 0 && g.VectorLength > 0:
                    nevery = 1;
                    vec = Enumerable.Range(0, g.VectorLength).Select(i => g.Vector(sim, i)).ToArray();
                    break;
                default:
                    throw new UserInputException("Mismatched fix in variable formula");
            }
            if (sim.Running && sim.Step % nevery != 0)
                throw new UserInputException($"Fix with ID '{r.Id}' in variable formula not computed at compatible time");
        }
        else throw new UserInputException("Mis-matched special function variable in variable formula (vector-style variables are not supported yet)");
        return VectorReduction(function, vec);
    }

    /// <summary>The special function <paramref name="function"/> of <paramref name="vec"/>, summed in LAMMPS' order.</summary>
    public static double VectorReduction(string function, IReadOnlyList<double> vec)
    {
        const double Big = 1.0e20;
        var n = vec.Count;
        double value = function switch { "min" => Big, "max" => -Big, _ => 0.0 };
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            var one = vec[i];
            switch (function)
            {
                case "sum" or "ave" or "trap": value += one; break;
                case "min": value = Math.Min(value, one); break;
                case "max": value = Math.Max(value, one); break;
                case "slope":
                    sx += i;
                    sy += one;
                    sxx += (double)i * i;
                    sxy += i * one;
                    break;
            }
        }
        if (function == "trap" && n > 0) value -= 0.5 * vec[0] + 0.5 * vec[n - 1];
        if (function == "ave")
        {
            if (n == 0) throw new UserInputException("Cannot compute average of empty vector");
            value /= n;
        }
        if (function == "slope")
        {
            var numerator = n * sxy - sx * sy;
            var denominator = n * sxx - sx * sx;
            value = denominator != 0.0 ? numerator / denominator : Big;
        }
        return value;
    }

    /// <summary>f_ID or f_ID[i] of a fix with per-step global values (<see cref="IFixGlobalValues"/>).</summary>
    private static double GlobalValue(IFixGlobalValues values, Simulation sim, DeckReference r)
    {
        var fix = (Fix)values;
        if (r.I is null)
            return values.HasScalar ? values.Scalar(sim) : throw new UserInputException($"{r.Text}: fix {fix.Id} ({fix.Style}) has no global scalar; use f_{fix.Id}[i]");
        if (r.J is not null) throw new UserInputException($"{r.Text}: fix {fix.Id} ({fix.Style}) has no global array");
        if (values.VectorLength == 0) throw new UserInputException($"{r.Text}: fix {fix.Id} ({fix.Style}) has no global vector");
        if (r.I < 1 || r.I > values.VectorLength) throw new UserInputException($"{r.Text}: index out of range 1..{values.VectorLength}");
        return values.Vector(sim, r.I.Value - 1);
    }

    /// <summary>f_ID[i][j] of a fix ave/chunk (its global array; 0 past the chunks, as LAMMPS).</summary>
    private static double ChunkValue(Simulation sim, FixAveChunk fix, DeckReference r)
    {
        if (sim.Running && sim.Step % fix.Nfreq != 0)
            throw new UserInputException($"Fix in variable not computed at a compatible time: fix {fix.Id} produces values every {fix.Nfreq} steps, asked at step {sim.Step}");
        if (r.I is null || r.J is null) throw new UserInputException($"{r.Text}: fix {fix.Id} (ave/chunk) has a global array only; use f_{fix.Id}[i][j]");
        if (r.I < 1 || r.J < 1 || r.J > fix.Columns) throw new UserInputException($"Variable formula fix array is accessed out-of-range: {r.Text} ({fix.Columns} columns)");
        return fix.ArrayValue(r.I.Value - 1, r.J.Value - 1);
    }

    /// <summary>f_ID[i] (its global vector of 4) and f_ID[i][j] (its global array, Nbin x 3) of a fix ave/histo.</summary>
    private static double HistoValue(Simulation sim, FixAveHisto fix, DeckReference r, bool checkTime)
    {
        if (checkTime && sim.Running && sim.Step % fix.Nfreq != 0)
            throw new UserInputException($"Fix in variable not computed at a compatible time: fix {fix.Id} produces values every {fix.Nfreq} steps, asked at step {sim.Step}");
        if (r.I is null) throw new UserInputException($"{r.Text}: fix {fix.Id} (ave/histo) has no global scalar; use f_{fix.Id}[i] or f_{fix.Id}[i][j]");
        if (r.J is null)
        {
            if (r.I < 1 || r.I > fix.VectorLength) throw new UserInputException($"Variable formula fix vector is accessed out-of-range: {r.Text} (fix {fix.Id} has {fix.VectorLength} values)");
            return fix.Vector(sim, r.I.Value - 1);
        }
        if (r.I < 1 || r.I > fix.Bins || r.J < 1 || r.J > 3)
            throw new UserInputException($"Variable formula fix array is accessed out-of-range: {r.Text} (fix {fix.Id} is {fix.Bins} x 3)");
        return fix.ArrayValue(r.I.Value - 1, r.J.Value - 1);
    }

    /// <summary>f_ID[i][j] of a fix ave/correlate (its only global values).</summary>
    private static double CorrelateValue(Simulation sim, FixAveCorrelate fix, DeckReference r, bool checkTime)
    {
        if (checkTime && sim.Running && sim.Step % fix.Nfreq != 0)
            throw new UserInputException($"Fix in variable not computed at a compatible time: fix {fix.Id} produces values every {fix.Nfreq} steps, asked at step {sim.Step}");
        if (r.I is null || r.J is null) throw new UserInputException($"{r.Text}: fix {fix.Id} (ave/correlate) has a global array only; use f_{fix.Id}[i][j]");
        if (r.I < 1 || r.I > fix.Nrepeat || r.J < 1 || r.J > fix.ArrayColumns)
            throw new UserInputException($"{r.Text}: index out of range ({fix.Nrepeat} x {fix.ArrayColumns})");
        return fix.ArrayValue(r.I.Value - 1, r.J.Value - 1);
    }

    /// <summary>f_ID, f_ID[i], f_ID[i][j] of a fix ave/time.</summary>
    private static double FixValue(Simulation sim, FixAveTime fix, DeckReference r, bool checkTime)
    {
        if (checkTime && sim.Running && sim.Step % fix.Nfreq != 0)
            throw new UserInputException($"Fix in variable not computed at a compatible time: fix {fix.Id} produces values every {fix.Nfreq} steps, asked at step {sim.Step}");
        if (r.I is null)
            return fix.HasScalar ? fix.ScalarValue : throw new UserInputException($"{r.Text}: fix {fix.Id} has no global scalar; use f_{fix.Id}[i]");
        if (r.J is null)
        {
            if (fix.VectorLength == 0) throw new UserInputException($"{r.Text}: fix {fix.Id} has no global vector; use f_{fix.Id}[i][j]");
            if (r.I < 1 || r.I > fix.VectorLength) throw new UserInputException($"{r.Text}: index out of range 1..{fix.VectorLength}");
            return fix.VectorValue(r.I.Value - 1);
        }
        var (rows, cols) = fix.ArrayShape;
        if (rows == 0) throw new UserInputException($"{r.Text}: fix {fix.Id} has no global array");
        if (r.I < 1 || r.I > rows || r.J < 1 || r.J > cols) throw new UserInputException($"{r.Text}: index out of range ({rows} x {cols})");
        return fix.ArrayValue(r.I.Value - 1, r.J.Value - 1);
    }

    /// <summary>A thermo column for a c_/f_ reference (checked now; the compute or fix is looked up again at each output).</summary>
    public static ThermoKeyword ThermoColumn(DeckContext context, DeckReference r)
    {
        if (r.Wildcard is not null) throw new UserInputException($"thermo column '{r.Text}' still holds a wildcard");
        if (r.Kind == 'f' && context.Simulation.FindFix(r.Id) is { } anyFix && anyFix is FixAveTime or FixAveCorrelate)
        {
            var freq = anyFix is FixAveTime t ? t.Nfreq : ((FixAveCorrelate)anyFix).Nfreq;
            if (context.Thermo.Every % freq != 0)
                throw new UserInputException($"Thermo and fix not computed at compatible times: thermo every {context.Thermo.Every} steps, fix {anyFix.Id} every {freq}");
        }
        if (r.Kind == 'f' && context.Simulation.FindFix(r.Id) is FixAveHisto histoFix)
        {
            if (context.Thermo.Every % histoFix.Nfreq != 0)
                throw new UserInputException($"Thermo and fix not computed at compatible times: thermo every {context.Thermo.Every} steps, fix {histoFix.Id} every {histoFix.Nfreq}");
            if (r.I is null) throw new UserInputException($"Thermo fix does not compute scalar: {r.Text} (ave/histo)");
            HistoValue(context.Simulation, histoFix, r, checkTime: false);
            return new ThermoKeyword(r.Text, r.Text, false, s => s.Simulation.FindFix(r.Id) is FixAveHisto h ? HistoValue(s.Simulation, h, r, checkTime: false)
                : throw new UserInputException($"Could not find thermo custom fix ID '{r.Id}'"));
        }
        if (r.Kind == 'f' && context.Simulation.FindFix(r.Id) is FixAveCorrelate correlate)
        {
            CorrelateValue(context.Simulation, correlate, r, checkTime: false);
            return new ThermoKeyword(r.Text, r.Text, false, s => s.Simulation.FindFix(r.Id) is FixAveCorrelate c ? CorrelateValue(s.Simulation, c, r, checkTime: false)
                : throw new UserInputException($"Could not find thermo custom fix ID '{r.Id}'"));
        }
        if (r.Kind == 'f' && context.Simulation.FindFix(r.Id) is FixVector vf)
        {
            if (r.I is null) throw new UserInputException($"Thermo fix does not compute scalar: {r.Text} (vector)");
            var extensive = vf.Extensive && r.J is null;
            return new ThermoKeyword(r.Text, r.Text, false, s =>
            {
                var v = s.Simulation.FindFix(r.Id) is FixVector f ? VectorFixValue(s.Simulation, f, r, checkTime: false)
                    : throw new UserInputException($"Could not find thermo custom fix ID '{r.Id}'");
                return extensive ? s.Extensive(v) : v;
            });
        }
        if (r.Kind == 'f' && context.Simulation.FindFix(r.Id) is IFixGlobalValues global)
        {
            GlobalValue(global, context.Simulation, r);
            var extensive = r.I is null ? global.ExtensiveScalar : global.ExtensiveVector(r.I.Value - 1);
            return new ThermoKeyword(r.Text, r.Text, false, s =>
            {
                var v = s.Simulation.FindFix(r.Id) is IFixGlobalValues g ? GlobalValue(g, s.Simulation, r)
                    : throw new UserInputException($"Could not find thermo custom fix ID '{r.Id}'");
                return extensive ? s.Extensive(v) : v;
            });
        }
        if (r.Kind == 'f')
        {
            var fix = FindValueFix(context, r.Id, "thermo custom");
            var index = r.I is null ? 0 : r.I.Value - 1;
            var extensive = r.J is null && fix.Extensive(index);
            FixValue(context.Simulation, fix, r, checkTime: false);
            return new ThermoKeyword(r.Text, r.Text, false, s =>
            {
                var v = FixValue(s.Simulation, FindValueFix(context, r.Id, "thermo custom"), r, checkTime: false);
                return extensive ? s.Extensive(v) : v;
            });
        }
        var c = FindCompute(context, r.Id, "thermo custom");
        if (r.I is null && !c.HasScalar) throw new UserInputException($"Thermo compute does not compute scalar: {r.Text} ({c.Style}); use {r.Text}[i]");
        if (r.I is not null && r.J is null && (c.VectorLength == 0 || r.I > c.VectorLength))
            throw new UserInputException(c.VectorLength == 0 ? $"Thermo compute does not compute vector: {r.Text} ({c.Style})" : $"Thermo compute vector is accessed out-of-range: {r.Text} ({c.VectorLength} values)");
        if (r.J is not null && (c.ArrayRows == 0 || r.I > c.ArrayRows || r.J > c.ArrayColumns))
            throw new UserInputException(c.ArrayRows == 0 ? $"Thermo compute does not compute array: {r.Text} ({c.Style})" : $"Thermo compute array is accessed out-of-range: {r.Text} ({c.ArrayRows} x {c.ArrayColumns})");
        return new ThermoKeyword(r.Text, r.Text, false, s =>
        {
            var k = FindCompute(context, r.Id, "thermo custom");
            if (r.I is null) return k.ExtensiveScalar ? s.Extensive(k.Scalar(s.Simulation)) : k.Scalar(s.Simulation);
            if (r.J is null)
            {
                var v = k.Vector(s.Simulation)[r.I.Value - 1];
                return k.ExtensiveVectorElement(r.I.Value - 1) ? s.Extensive(v) : v;
            }
            return k.Array(s.Simulation)[r.I.Value - 1][r.J.Value - 1];
        });
    }

    /// <summary>
    /// Expands <c>c_ID[*]</c>-style words as LAMMPS does: in scalar context over the compute's (or fix's) global vector,
    /// in vector context over the columns of its global array; other words are kept.
    /// </summary>
    public static List<string> Expand(DeckContext context, IEnumerable<string> words, bool vectorMode)
    {
        var list = new List<string>();
        foreach (var w in words)
        {
            if (!DeckReference.TryParse(w, out var r) || r.Wildcard is null || r.Kind == 'v')
            {
                list.Add(w);
                continue;
            }
            int count;
            if (r.Kind == 'c')
            {
                var c = FindCompute(context, r.Id, "wildcard");
                count = !vectorMode ? c.VectorLength : c.ArrayColumns;
            }
            else if (context.Simulation.FindFix(r.Id) is FixAveHisto histo) count = !vectorMode ? histo.VectorLength : 3;
            else if (context.Simulation.FindFix(r.Id) is IFixGlobalValues global) count = !vectorMode ? global.VectorLength : 0;
            else
            {
                var f = FindValueFix(context, r.Id, "wildcard");
                count = !vectorMode ? f.VectorLength : f.ArrayShape.Columns;
            }
            if (count == 0) throw new UserInputException($"'{w}': {(r.Kind == 'c' ? "compute" : "fix")} {r.Id} has no global {(vectorMode ? "array" : "vector")} to expand");
            var star = r.Wildcard.IndexOf('*');
            var lo = star > 0 ? int.Parse(r.Wildcard[..star], CultureInfo.InvariantCulture) : 1;
            var hi = star < r.Wildcard.Length - 1 ? int.Parse(r.Wildcard[(star + 1)..], CultureInfo.InvariantCulture) : count;
            if (lo < 1 || hi > count || lo > hi) throw new UserInputException($"'{w}': the range {lo}..{hi} is outside 1..{count}");
            var stem = w[..w.IndexOf('[')];
            for (var k = lo; k <= hi; k++) list.Add($"{stem}[{k}]");
        }
        return list;
    }
}
