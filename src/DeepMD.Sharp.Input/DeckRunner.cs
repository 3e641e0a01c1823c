namespace DeepMD.Sharp.Input;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Text;
using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Input.Parsing;

/// <summary>
/// Reads a deck and executes it command by command: joins continuation lines, strips comments, substitutes
/// variables (<c>$x</c>, <c>${name}</c>, <c>$(formula)</c>), looks the command up in the <see cref="StyleRegistry"/> and
/// runs it. Handles the control flow commands (<c>include</c>, <c>label</c>, <c>jump</c>, <c>next</c>) itself.
/// Every error names the file, the line and the command text.
/// </summary>
public sealed class DeckRunner
{
    private sealed class Frame
    {
        public required string File { get; init; }
        public required List<DeckLine> Lines { get; init; }
        public int Next { get; set; }
        public bool SkipNext { get; set; }
    }

    private readonly Stack<Frame> _frames = new();

    /// <summary>Equal-style variables being evaluated, outermost first (to report a circular dependency).</summary>
    private readonly List<string> _evaluating = [];

    /// <summary>How deep <c>include</c> may nest files (an input that includes itself stops here).</summary>
    public const int MaxIncludeDepth = 64;

    /// <summary>How deep equal-style variables may refer to one another.</summary>
    public const int MaxVariableDepth = 256;

    public DeckRunner(DeckContext context)
    {
        Context = context;
        context.Runner = this;
        context.Thermo.Variable = ThermoVariable;
        context.Thermo.Reference = name => Computes.DeckReference.TryParse(name, out var r) ? Computes.ComputeReferences.ThermoColumn(context, r)
            : throw new UserInputException($"unknown thermo keyword '{name}'");
    }

    /// <summary>The value of a thermo column <c>v_NAME</c>: an equal-style (or internal) variable, as LAMMPS requires (its equalstyle).</summary>
    private double ThermoVariable(string name)
    {
        if (!Context.Variables.TryGetValue(name, out var v)) throw new UserInputException($"Could not find thermo custom variable name: {name}");
        if (v.Style is not ("equal" or "internal")) throw new UserInputException($"Thermo custom variable is not equal-style variable: {name}");
        return EvaluateVariable(v);
    }

    public DeckContext Context { get; }

    /// <summary>Executes a deck file.</summary>
    public void RunFile(string path)
    {
        if (!File.Exists(path)) throw new UserInputException($"deck file '{path}' does not exist");
        var full = Path.GetFullPath(path);
        Context.DeckName ??= Path.GetFileName(full);
        var outerDir = Context.DeckDirectory;
        Context.DeckDirectory = Path.GetDirectoryName(full) ?? ".";
        try
        {
            RunText(path, File.ReadAllText(full));
        }
        finally
        {
            Context.DeckDirectory = outerDir;
        }
    }

    /// <summary>Executes deck text (<paramref name="name"/> is used in error messages).</summary>
    public void RunText(string name, string text)
    {
        if (_frames.Count >= MaxIncludeDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new UserInputException($"include: files nested more than {_frames.Count} deep ({(_frames.TryPeek(out var outer) ? outer.File : "?")} includes {name}); "
                + "does a file include itself, directly or through another? Remove the loop (use label/jump to repeat commands)");
        var frame = new Frame { File = name, Lines = DeckLineReader.Split(name, text) };
        _frames.Push(frame);
        try
        {
            while (frame.Next < frame.Lines.Count)
            {
                var line = frame.Lines[frame.Next++];
                if (line.Text.Length == 0) continue;
                if (frame.SkipNext)
                {
                    frame.SkipNext = false;
                    continue;
                }
                Execute(line);
            }
        }
        finally
        {
            _frames.Pop();
        }
    }

    /// <summary>Executes one logical line.</summary>
    public void Execute(DeckLine line)
    {
        CurrentLine = line;
        string text = line.Text;
        try
        {
            text = Substitute(line.Text);
            Context.Log?.WriteLine(text);
            var words = Tokenizer.Words(text);
            if (words.Count == 0) return;
            var name = words[0];
            var command = Context.Styles.CreateCommand(name);
            if (command is null)
            {
                var close = EditDistance.Closest(name, Context.Styles.CommandNames);
                throw new UserInputException($"unknown command '{name}'{(close is null ? "" : $"; did you mean '{close}'?")}");
            }
            if (Context.Communicator is { Size: > 1 } ranks) Dynamics.Domains.DecomposedCommands.Check(name, words, ranks.Size);
            command.Execute(Context, new DeckArguments(name, words.Skip(1).ToList()));
        }
        catch (UserInputException ex) when (ex.File is null)
        {
            throw new UserInputException($"{ex.Message} [in: {(text.Length <= 200 ? text : text[..150] + " ... " + text[^40..])}]", line.File, line.Line, ex);
        }
    }

    /// <summary>The line being executed (commands that run other commands, like <c>if</c>, report errors at it).</summary>
    public DeckLine? CurrentLine { get; private set; }

    /// <summary>Continues after the line <c>label NAME</c> of the current file (<c>jump SELF NAME</c>).</summary>
    public void JumpToLabel(string label)
    {
        var frame = _frames.Peek();
        for (var k = 0; k < frame.Lines.Count; k++)
        {
            var w = Tokenizer.Words(frame.Lines[k].Text);
            if (w.Count >= 2 && w[0] == "label" && w[1] == label)
            {
                frame.Next = k + 1;
                return;
            }
        }
        throw new UserInputException($"jump: label '{label}' not found in {frame.File}");
    }

    /// <summary>Restarts the current file from its first line (<c>jump SELF</c>).</summary>
    public void JumpToStart() => _frames.Peek().Next = 0;

    /// <summary>Skips the next command of the current file (what <c>next</c> does when a variable is exhausted).</summary>
    public void SkipNextCommand() => _frames.Peek().SkipNext = true;

    /// <summary>LAMMPS variable substitution outside quotes.</summary>
    public string Substitute(string s)
    {
        if (!s.Contains('$')) return s;
        var sb = new StringBuilder(s.Length + 16);
        char quote = '\0';
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                sb.Append(c);
                continue;
            }
            if (c is '"' or '\'')
            {
                quote = c;
                sb.Append(c);
                continue;
            }
            if (c != '$' || i + 1 >= s.Length)
            {
                sb.Append(c);
                continue;
            }
            var n = s[i + 1];
            if (n == '{')
            {
                var end = s.IndexOf('}', i + 2);
                if (end < 0) throw new UserInputException("unterminated ${...}");
                sb.Append(VariableText(s[(i + 2)..end]));
                i = end;
            }
            else if (n == '(')
            {
                var depth = 0;
                var end = -1;
                for (var k = i + 1; k < s.Length; k++)
                {
                    if (s[k] == '(') depth++;
                    else if (s[k] == ')' && --depth == 0)
                    {
                        end = k;
                        break;
                    }
                }
                if (end < 0) throw new UserInputException("unterminated $(...)");
                var formula = s[(i + 2)..end];
                var fmtAt = formula.LastIndexOf(':');
                var fmt = "%.20g";
                if (fmtAt > 0 && formula[(fmtAt + 1)..].StartsWith('%'))
                {
                    fmt = formula[(fmtAt + 1)..];
                    formula = formula[..fmtAt];
                }
                sb.Append(FormatNumber(Evaluate(formula), fmt));
                i = end;
            }
            else
            {
                sb.Append(VariableText(n.ToString()));
                i++;
            }
        }
        return sb.ToString();
    }

    private string VariableText(string name)
    {
        if (!Context.Variables.TryGetValue(name, out var v))
        {
            var close = EditDistance.Closest(name, Context.Variables.Keys);
            throw new UserInputException($"variable '{name}' is not defined{(close is null ? "" : $"; did you mean '{close}'?")}");
        }
        return v.Style switch
        {
            "equal" => FormatNumber(EvaluateVariable(v), "%.15g"),
            "internal" => FormatNumber(NumberOf(v), "%.15g"),
            "getenv" => Environment.GetEnvironmentVariable(v.Current) ?? "",
            "format" => FormatOf(v),
            "atom" or "atomfile" => throw new UserInputException($"Substitution for illegal variable {name}: it is {v.Style}-style (one value per atom)"),
            _ => v.Current,
        };
    }

    /// <summary>A format-style variable's text: its equal-style (or internal) variable printed with its format.</summary>
    private string FormatOf(DeckVariable v)
    {
        if (!Context.Variables.TryGetValue(v.Values[0], out var inner) || inner.Style is not ("equal" or "internal"))
            throw new UserInputException($"Variable {v.Name}: format variable {v.Values[0]} does not exist or is not equal-style");
        return CFormat.Printf(v.Values[1], inner.Style == "equal" ? EvaluateVariable(inner) : NumberOf(inner));
    }

    private static double NumberOf(DeckVariable v) =>
        double.TryParse(v.Current, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : throw new UserInputException($"variable '{v.Name}' = '{v.Current}' is not a number");

    /// <summary>
    /// The values of an atom-style (per-atom formula) or atomfile variable, one per atom in storage order, as LAMMPS
    /// evaluates them: per-atom names (x y z vx vy vz fx fy fz mass type id q), per-atom computes c_ID and c_ID[i],
    /// other atom-style variables v_name, and everything an equal-style formula may hold (thermo keywords, equal
    /// variables, math functions); <c>x[N]</c> and the like read the value of atom ID N.
    /// </summary>
    public double[] EvaluateAtomVariable(DeckVariable v)
    {
        var sim = Context.Simulation;
        var a = sim.Atoms;
        var result = new double[a.Count];
        if (v.Style == "atomfile")
        {
            for (var i = 0; i < a.Count; i++) result[i] = v.AtomValues!.TryGetValue(a.Id[i], out var x) ? x : 0.0;
            return result;
        }
        if (v.Style != "atom") throw new UserInputException($"Variable {v.Name} is not atom-style (it is {v.Style}-style)");
        var at = _evaluating.IndexOf(v.Name);
        if (at >= 0)
            throw new UserInputException($"variable '{v.Name}' has a circular dependency ({string.Join(" -> ", _evaluating.Skip(at).Append(v.Name))}); "
                + "a variable cannot refer to itself, directly or through other variables");
        _evaluating.Add(v.Name);
        var perAtom = new Dictionary<string, double[]>(StringComparer.Ordinal);
        try
        {
            // In LAMMPS' storage order, so that random() draws reach the atoms LAMMPS' draws reach.
            if (sim.StorageOrder.Order.Length != a.Count) sim.StorageOrder.EnsureSize(a.Count);
            var order = sim.StorageOrder.ToArray();
            foreach (var i in order)
            {
                var atom = i;
                result[i] = ExpressionEvaluator.Evaluate(v.Current, name => ResolveAtom(name, atom, perAtom), RandomAtom);
            }
        }
        finally
        {
            _evaluating.RemoveAt(_evaluating.Count - 1);
        }
        return result;
    }

    /// <summary>
    /// The per-atom values of the atom-style or atomfile variable NAME (storage order), with LAMMPS' texts when it is
    /// missing or not per-atom (<paramref name="usage"/> names the command, e.g. "dump custom").
    /// </summary>
    public double[] AtomVariable(string name, string usage)
    {
        var title = char.ToUpperInvariant(usage[0]) + usage[1..];
        if (!Context.Variables.TryGetValue(name, out var v)) throw new UserInputException($"Could not find {usage} variable name {name}");
        if (!v.IsPerAtom) throw new UserInputException($"{title} variable {name} is not atom-style variable");
        return EvaluateAtomVariable(v);
    }

    /// <summary>A name in an atom-style formula for the atom at storage index <paramref name="i"/>.</summary>
    private double ResolveAtom(string name, int i, Dictionary<string, double[]> perAtom)
    {
        var sim = Context.Simulation;
        var a = sim.Atoms;
        if (AtomValue(name, i) is { } own) return own;
        var bracket = name.IndexOf('[');
        if (bracket > 0 && name.EndsWith(']') && !name.StartsWith("c_", StringComparison.Ordinal) && !name.StartsWith("f_", StringComparison.Ordinal)
            && !name.StartsWith("v_", StringComparison.Ordinal))
        {
            return IndexedAtomValue(name, bracket);
        }
        if (perAtom.TryGetValue(name, out var cached)) return cached[i];
        if (name.StartsWith("v_", StringComparison.Ordinal) && Context.Variables.TryGetValue(name[2..], out var v) && v.IsPerAtom)
        {
            var values = EvaluateAtomVariable(v);
            perAtom[name] = values;
            return values[i];
        }
        if (name.StartsWith("c_", StringComparison.Ordinal) && Computes.DeckReference.TryParse(name, out var r) && r.J is null
            && Context.Simulation.FindCompute(r.Id) is { HasPerAtom: true } c)
        {
            var columns = c.PerAtomColumns;
            if (r.I is null && columns > 0) throw new UserInputException($"Compute {c.Id} in variable formula is a per-atom array; use c_{c.Id}[i]");
            if (r.I is { } col && (columns == 0 || col < 1 || col > columns))
                throw new UserInputException($"Variable formula compute array is accessed out-of-range: {name}");
            var all = c.PerAtom(sim);
            var stride = Math.Max(1, columns);
            var offset = r.I is { } k ? k - 1 : 0;
            var values = new double[a.Count];
            for (var n = 0; n < a.Count; n++) values[n] = all[n * stride + offset];
            perAtom[name] = values;
            return values[i];
        }
        return Resolve(name);
    }

    /// <summary>The per-atom keywords of a formula for the atom at storage index <paramref name="i"/>, or null.</summary>
    private double? AtomValue(string name, int i)
    {
        var sim = Context.Simulation;
        var a = sim.Atoms;
        return name switch
        {
            "x" => a.X[i],
            "y" => a.Y[i],
            "z" => a.Z[i],
            "vx" => a.Vx[i],
            "vy" => a.Vy[i],
            "vz" => a.Vz[i],
            "fx" => a.Fx[i],
            "fy" => a.Fy[i],
            "fz" => a.Fz[i],
            "mass" => sim.Masses[a.Type[i]],
            "type" => a.Type[i] + 1,
            "id" => a.Id[i],
            "q" => a.HasCharge ? a.Q[i] : throw new UserInputException("Variable uses atom property q that isn't allocated (atom_style charge has it)"),
            _ => null,
        };
    }

    /// <summary>Evaluates an equal-style variable, refusing one that (through others) refers to itself.</summary>
    private double EvaluateVariable(DeckVariable v)
    {
        var at = _evaluating.IndexOf(v.Name);
        if (at >= 0)
            throw new UserInputException($"variable '{v.Name}' has a circular dependency ({string.Join(" -> ", _evaluating.Skip(at).Append(v.Name))}); "
                + "a variable cannot refer to itself, directly or through other variables");
        if (_evaluating.Count >= MaxVariableDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new UserInputException($"variable '{v.Name}': variables refer to one another more than {_evaluating.Count} deep; shorten the chain");
        _evaluating.Add(v.Name);
        try
        {
            return Evaluate(v.Current);
        }
        finally
        {
            _evaluating.RemoveAt(_evaluating.Count - 1);
        }
    }

    /// <summary>Evaluates an equal-style formula with thermo keywords and v_ references.</summary>
    public double Evaluate(string formula) => ExpressionEvaluator.Evaluate(formula, Resolve, RandomEqual, VectorFunction, RunFraction);

    /// <summary>ramp()'s fraction of the current (or last) run: LAMMPS' (ntimestep − beginstep)/(endstep − beginstep).</summary>
    private double RunFraction()
    {
        var sim = Context.Simulation;
        var span = sim.RunEndStep - sim.RunStartStep;
        return span > 0 ? (double)(sim.Step - sim.RunStartStep) / span : 0.0;
    }

    private double VectorFunction(string function, string argument) => Computes.ComputeReferences.VectorFunction(Context, function, argument);

    // LAMMPS' Variable keeps one generator for equal-style formulas and one for atom-style ones, each created at its
    // first use with the seed of that call (the atom-style one with seed + rank) and used by every later call whatever
    // seed it names.
    private Dynamics.Random.MarsagliaRandom? _randomEqual, _randomAtom;

    private double RandomEqual(string name, double lo, double hi, double seed) => Draw(ref _randomEqual, name, lo, hi, seed);

    private double RandomAtom(string name, double lo, double hi, double seed) => Draw(ref _randomAtom, name, lo, hi, seed);

    private static double Draw(ref Dynamics.Random.MarsagliaRandom? generator, string name, double lo, double hi, double seed)
    {
        if (name == "normal" && hi < 0.0) throw new UserInputException("Invalid math function in variable formula");
        if (generator is null)
        {
            var s = (int)seed;
            if (s <= 0) throw new UserInputException("Invalid math function in variable formula");
            if (s > 900000000) throw new UserInputException("Invalid seed for Marsaglia random # generator");
            generator = new Dynamics.Random.MarsagliaRandom(s);
        }
        return name == "random" ? generator.Uniform() * (hi - lo) + lo : lo + hi * generator.Gaussian();
    }

    /// <summary>
    /// <c>x[N]</c> or <c>x[v_name]</c>: the per-atom value of the atom with ID N (an equal-style variable's value
    /// truncated to an integer), as LAMMPS' indexed atom vectors.
    /// </summary>
    private double IndexedAtomValue(string name, int bracket)
    {
        var a = Context.Simulation.Atoms;
        var inner = name[(bracket + 1)..^1];
        int id;
        if (inner.StartsWith("v_", StringComparison.Ordinal))
        {
            if (!Context.Variables.TryGetValue(inner[2..], out var iv)) throw new UserInputException($"Invalid variable name in variable formula: {inner}");
            if (iv.Style is not ("equal" or "internal")) throw new UserInputException($"Invalid variable style in variable formula: {inner}");
            id = (int)Evaluate(inner);
        }
        else if (!int.TryParse(inner, NumberStyles.Integer, CultureInfo.InvariantCulture, out id))
            throw new UserInputException($"Invalid atom vector in variable formula: {name}");
        var j = Array.IndexOf(a.Id, id, 0, a.Count);
        if (j < 0) throw new UserInputException($"Variable atom ID {id} is out of range");
        return AtomValue(name[..bracket], j) ?? throw new UserInputException($"Invalid atom vector in variable formula: {name}");
    }

    private double Resolve(string name)
    {
        var open = name.IndexOf('[');
        if (open > 0 && name.EndsWith(']') && !name.StartsWith("c_", StringComparison.Ordinal) && !name.StartsWith("f_", StringComparison.Ordinal)
            && !name.StartsWith("v_", StringComparison.Ordinal) && name[..open] is "x" or "y" or "z" or "vx" or "vy" or "vz" or "fx" or "fy" or "fz" or "mass" or "type" or "id" or "q")
            return IndexedAtomValue(name, open);
        if (name.StartsWith("v_", StringComparison.Ordinal))
        {
            var vn = name[2..];
            if (!Context.Variables.TryGetValue(vn, out var v)) throw new UserInputException($"variable '{vn}' is not defined");
            if (v.IsPerAtom) throw new UserInputException($"Atom-style variable in equal-style variable formula: v_{vn}");
            var text = v.Style switch { "equal" => null, "getenv" => Environment.GetEnvironmentVariable(v.Current) ?? "", "format" => FormatOf(v), _ => v.Current };
            return text is null ? EvaluateVariable(v)
                : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
                : throw new UserInputException($"variable '{vn}' = '{text}' is not a number");
        }
        if ((name.StartsWith("c_", StringComparison.Ordinal) || name.StartsWith("f_", StringComparison.Ordinal))
            && Computes.DeckReference.TryParse(name, out var reference))
            return Computes.ComputeReferences.FormulaValue(Context, reference);
        if (ThermoKeywords.TryGet(name, out var k))
        {
            var sim = Context.Simulation;
            return Context.Thermo.Evaluate(sim, k);
        }
        if (name is "xlat" or "ylat" or "zlat") // LAMMPS' lattice spacing keywords (1 before any lattice: lattice none 1)
            return Context.Lattice is not { } lat ? 1.0 : name == "xlat" ? lat.XLattice : name == "ylat" ? lat.YLattice : lat.ZLattice;
        throw new UserInputException($"unknown name '{name}' in a formula");
    }

    private static string FormatNumber(double v, string fmt)
    {
        // %.Ng, %.Nf, %.Ne and %d are what decks use.
        var spec = fmt.TrimStart('%');
        var conv = spec[^1];
        var precText = spec.Contains('.') ? spec[(spec.IndexOf('.') + 1)..^1] : "";
        var prec = precText.Length > 0 ? int.Parse(precText, CultureInfo.InvariantCulture) : 6;
        return conv switch
        {
            'g' => CFormat.G(v, prec),
            'f' => CFormat.F(v, prec),
            'e' => CFormat.E(v, prec),
            'd' or 'i' => ((long)v).ToString(CultureInfo.InvariantCulture),
            _ => throw new UserInputException($"unsupported number format '{fmt}'; use %g, %f, %e or %d"),
        };
    }
}
