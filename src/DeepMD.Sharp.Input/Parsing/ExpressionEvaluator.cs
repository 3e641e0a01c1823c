namespace DeepMD.Sharp.Input.Parsing;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Evaluates LAMMPS equal-style formulas: numbers, + − * / ^ %, unary minus, parentheses, comparison and logic
/// operators (1/0 results), math functions (sqrt exp ln log abs sin cos tan asin acos atan atan2 floor ceil round
/// min max; random and normal when the caller supplies the generator; sum min max ave trap slope of a whole global vector), and names resolved by a callback (<c>v_x</c>, thermo keywords such as <c>step</c> or <c>temp</c>, <c>PI</c>).
/// </summary>
public sealed class ExpressionEvaluator
{
    private readonly string _s;
    private readonly Func<string, double> _resolve;
    private readonly Func<string, double, double, double, double>? _random;
    private readonly Func<string, string, double>? _vectorFunction;
    private readonly Func<double>? _runFraction;
    private int _i;
    private int _depth;

    /// <summary>How deep parentheses, unary operators, powers and function calls may nest in one formula.</summary>
    public const int MaxDepth = 256;

    private ExpressionEvaluator(string s, Func<string, double> resolve, Func<string, double, double, double, double>? random,
        Func<string, string, double>? vectorFunction, Func<double>? runFraction)
    {
        _runFraction = runFraction;
        _s = s;
        _resolve = resolve;
        _random = random;
        _vectorFunction = vectorFunction;
    }

    /// <summary>LAMMPS' special functions of a global vector: <c>sum(c_ID)</c>, <c>min</c>, <c>max</c>, <c>ave</c>, <c>trap</c>, <c>slope</c>.</summary>
    public static readonly IReadOnlySet<string> VectorFunctions = new HashSet<string>(StringComparer.Ordinal) { "sum", "min", "max", "ave", "trap", "slope" };

    private static readonly System.Text.RegularExpressions.Regex VectorArgument =
        new(@"\G\s*([cfv]_[A-Za-z0-9_]+(?:\[\d+\])?)\s*\)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <param name="text">The formula.</param>
    /// <param name="resolve">Value of a name (v_x, c_ID[1], a thermo keyword).</param>
    /// <param name="random">
    /// LAMMPS' <c>random(lo,hi,seed)</c> and <c>normal(mu,sigma,seed)</c>: called with the function name and its three
    /// arguments; null: the functions are refused.
    /// </param>
    /// <param name="vectorFunction">
    /// Value of a special function of a whole global vector (function name, and its one argument: c_ID, c_ID[i] for an
    /// array column, f_ID, f_ID[i], v_name); null: such calls are refused.
    /// </param>
    /// <param name="runFraction">
    /// How far the current run has come, (step − its first step)/(its last − its first step) (LAMMPS' update->beginstep and
    /// endstep), for <c>ramp(x,y)</c>; null: ramp is refused.
    /// </param>
    public static double Evaluate(string text, Func<string, double> resolve, Func<string, double, double, double, double>? random = null,
        Func<string, string, double>? vectorFunction = null, Func<double>? runFraction = null)
    {
        var e = new ExpressionEvaluator(text, resolve, random, vectorFunction, runFraction);
        var v = e.Or();
        e.SkipSpace();
        if (e._i != e._s.Length) throw new UserInputException($"cannot parse formula '{text}' at '{text[e._i..]}'");
        return v;
    }

    private void SkipSpace()
    {
        while (_i < _s.Length && char.IsWhiteSpace(_s[_i])) _i++;
    }

    private bool Accept(string op)
    {
        SkipSpace();
        if (string.CompareOrdinal(_s, _i, op, 0, op.Length) != 0) return false;
        _i += op.Length;
        return true;
    }

    private double Or()
    {
        var v = And();
        while (Accept("||")) v = (v != 0) | (And() != 0) ? 1 : 0;
        return v;
    }

    private double And()
    {
        var v = Compare();
        while (Accept("&&")) v = (v != 0) & (Compare() != 0) ? 1 : 0;
        return v;
    }

    private double Compare()
    {
        var v = Sum();
        while (true)
        {
            if (Accept("==")) v = v == Sum() ? 1 : 0;
            else if (Accept("!=")) v = v != Sum() ? 1 : 0;
            else if (Accept("<=")) v = v <= Sum() ? 1 : 0;
            else if (Accept(">=")) v = v >= Sum() ? 1 : 0;
            else if (Accept("<")) v = v < Sum() ? 1 : 0;
            else if (Accept(">")) v = v > Sum() ? 1 : 0;
            else return v;
        }
    }

    private double Sum()
    {
        var v = Product();
        while (true)
        {
            if (Accept("+")) v += Product();
            else if (Accept("-")) v -= Product();
            else return v;
        }
    }

    private double Product()
    {
        var v = Unary();
        while (true)
        {
            if (Accept("*")) v *= Unary();
            else if (Accept("/")) v /= Unary();
            else if (Accept("%")) v %= Unary();
            else return v;
        }
    }

    private double Unary()
    {
        // Every nested level (parenthesis, function argument, unary operator, exponent) passes through here.
        if (++_depth > MaxDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw new UserInputException($"formula '{Shorten(_s)}' is nested more than {MaxDepth} levels deep (parentheses, function calls or unary operators); simplify it");
        try
        {
            if (Accept("-")) return -Unary();
            if (Accept("!")) return Unary() == 0 ? 1 : 0;
            return Power();
        }
        finally
        {
            _depth--;
        }
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..40] + "..." + s[^15..];

    private double Power()
    {
        var b = Atom();
        if (Accept("^")) return Math.Pow(b, Unary());
        return b;
    }

    private double Atom()
    {
        SkipSpace();
        if (_i >= _s.Length) throw new UserInputException($"formula '{_s}' ends unexpectedly");
        if (Accept("("))
        {
            var v = Or();
            if (!Accept(")")) throw new UserInputException($"formula '{_s}': missing ')'");
            return v;
        }
        var c = _s[_i];
        if (char.IsDigit(c) || c == '.')
        {
            var j = _i;
            while (j < _s.Length && (char.IsDigit(_s[j]) || _s[j] == '.')) j++;
            if (j < _s.Length && (_s[j] == 'e' || _s[j] == 'E'))
            {
                j++;
                if (j < _s.Length && (_s[j] == '+' || _s[j] == '-')) j++;
                while (j < _s.Length && char.IsDigit(_s[j])) j++;
            }
            var v = double.Parse(_s[_i..j], CultureInfo.InvariantCulture);
            _i = j;
            return v;
        }
        if (char.IsLetter(c) || c == '_')
        {
            var j = _i;
            while (j < _s.Length && (char.IsLetterOrDigit(_s[j]) || _s[j] == '_' || _s[j] == '[' || _s[j] == ']')) j++;
            var name = _s[_i..j];
            _i = j;
            if (Accept("("))
            {
                if (VectorFunctions.Contains(name) && VectorArgument.Match(_s, _i) is { Success: true } vm)
                {
                    _i = vm.Index + vm.Length;
                    return _vectorFunction is { } vf ? vf(name, vm.Groups[1].Value)
                        : throw new UserInputException($"formula '{_s}': {name}() of a global vector is not available here");
                }
                var args = new List<double>();
                if (!Accept(")"))
                {
                    do args.Add(Or());
                    while (Accept(","));
                    if (!Accept(")")) throw new UserInputException($"formula '{_s}': missing ')' after arguments of {name}");
                }
                return Function(name, args);
            }
            if (name == "PI") return Math.PI;
            return _resolve(name);
        }
        throw new UserInputException($"cannot parse formula '{_s}' at '{_s[_i..]}'");
    }

    private double Function(string name, List<double> a)
    {
        double Arg(int k) => k < a.Count ? a[k] : throw new UserInputException($"formula '{_s}': {name}() needs {k + 1} argument(s)");
        return name switch
        {
            "sqrt" => Math.Sqrt(Arg(0)),
            "exp" => Math.Exp(Arg(0)),
            "ln" => Math.Log(Arg(0)),
            "log" => Math.Log10(Arg(0)),
            "abs" => Math.Abs(Arg(0)),
            "sin" => Math.Sin(Arg(0)),
            "cos" => Math.Cos(Arg(0)),
            "tan" => Math.Tan(Arg(0)),
            "asin" => Math.Asin(Arg(0)),
            "acos" => Math.Acos(Arg(0)),
            "atan" => Math.Atan(Arg(0)),
            "atan2" => Math.Atan2(Arg(0), Arg(1)),
            "floor" => Math.Floor(Arg(0)),
            "ceil" => Math.Ceiling(Arg(0)),
            "round" => Math.Round(Arg(0), MidpointRounding.AwayFromZero),
            "min" => Math.Min(Arg(0), Arg(1)),
            "max" => Math.Max(Arg(0), Arg(1)),
            "ramp" => _runFraction is { } fraction ? Arg(0) + fraction() * (Arg(1) - Arg(0))
                : throw new UserInputException($"formula '{_s}': ramp() is only available in equal-style variables during a run"),
            "random" or "normal" when _random is not null => a.Count == 3 ? _random(name, a[0], a[1], a[2])
                : throw new UserInputException("Invalid math function in variable formula"),
            _ => throw new UserInputException($"formula '{_s}': unknown function {name}()"),
        };
    }
}
