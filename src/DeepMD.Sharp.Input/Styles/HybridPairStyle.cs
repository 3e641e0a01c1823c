namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>pair_style hybrid/overlay STYLE1 args STYLE2 args ...</c> (and <c>hybrid</c>): sub-styles summed
/// (<see cref="HybridOverlay"/>). <c>pair_coeff I J STYLE [K] args</c> passes <c>I J args</c> to the sub-style (K picks
/// among sub-styles of the same name) and assigns it the type pairs: hybrid/overlay adds it to those pairs, hybrid
/// replaces what they had; <c>pair_coeff I J none</c> leaves a pair without interaction. A pair given no sub-style
/// takes the one of I,I and J,J when both have that single sub-style (which then mixes), as LAMMPS. Sub-styles that
/// cannot be restricted to some pairs (deepmd, eam) must cover all of them (<c>pair_coeff * * deepmd O H</c>).
/// </summary>
public abstract class HybridPairStyleBase : IPairStyle
{
    private readonly List<(string Name, IPairStyle Style)> _subs = [];
    private readonly Dictionary<(int, int), List<int>> _map = [];

    /// <summary>Whether pair_coeff adds a sub-style to a pair (overlay) or replaces it.</summary>
    protected abstract bool Overlay { get; }

    /// <summary>The sub-styles in pair_style order.</summary>
    public IReadOnlyList<(string Name, IPairStyle Style)> SubStyles => _subs;

    public void Configure(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(1, "STYLE1 args STYLE2 args ...");
        var k = 0;
        while (k < args.Count)
        {
            var name = args[k];
            if (name is "hybrid" or "hybrid/overlay" or "hybrid/scaled") throw args.Error($"pair style {name} cannot be a sub-style of a hybrid style");
            var style = context.Styles.CreatePairStyle(name) ?? throw args.Error($"unknown pair style '{name}' (available: {string.Join(" ", context.Styles.PairStyleNames)})");
            var words = new List<string>();
            for (k++; k < args.Count && !IsStyleName(context, args[k]); k++) words.Add(args[k]);
            style.Configure(context, new DeckArguments(args.Command, words));
            _subs.Add((name, style));
        }
    }

    private static bool IsStyleName(DeckContext context, string word) =>
        word is not ("hybrid" or "hybrid/overlay") && context.Styles.CreatePairStyle(word) is not null;

    public void Coeff(DeckContext context, DeckArguments args)
    {
        args.RequireAtLeast(3, "I J STYLE [K] args");
        var n = context.Simulation.TypeCount;
        var (ilo, ihi) = TypeRange.Parse(args, args[0], n);
        var (jlo, jhi) = TypeRange.Parse(args, args[1], n);
        var pairs = new List<(int, int)>();
        for (var i = ilo; i <= ihi; i++)
            for (var j = Math.Max(jlo, i); j <= jhi; j++)
                pairs.Add((i - 1, j - 1));
        if (pairs.Count == 0) throw args.Error($"Incorrect args for pair coefficients: no type pair I <= J in '{args[0]} {args[1]}'");
        if (args[2] == "none")
        {
            if (args.Count != 3) throw args.Error("pair_coeff I J none takes no more arguments");
            foreach (var p in pairs) _map[p] = [];
            return;
        }
        var (index, rest) = Find(args, args[2], 3);
        var sub = new DeckArguments(args.Command, [args[0], args[1], .. args.Words.Skip(rest)]);
        _subs[index].Style.Coeff(context, sub);
        foreach (var p in pairs)
        {
            if (!Overlay || !_map.TryGetValue(p, out var list)) _map[p] = list = [];
            if (!list.Contains(index)) list.Add(index);
        }
    }

    /// <summary>The sub-style named <paramref name="name"/> (followed by its 1-based number K at word <paramref name="at"/> when the name repeats) and where its arguments start.</summary>
    private (int Index, int ArgsAt) Find(DeckArguments args, string name, int at)
    {
        var matches = Enumerable.Range(0, _subs.Count).Where(k => _subs[k].Name == name).ToList();
        if (matches.Count == 0)
            throw args.Error($"pair style '{name}' is not a sub-style of this hybrid style (sub-styles: {string.Join(" ", _subs.Select(s => s.Name))})");
        if (matches.Count == 1) return (matches[0], at);
        if (args.Count <= at || !int.TryParse(args[at], out var k) || k < 1 || k > matches.Count)
            throw args.Error($"pair style {name} is used {matches.Count} times; give its number 1..{matches.Count} after the name");
        return (matches[k - 1], at + 1);
    }

    /// <summary>The pair_modify settings of the sub-style <paramref name="name"/> (number <paramref name="k"/> when it repeats, else null).</summary>
    public PairModifySettings? SettingsFor(DeckArguments args, string name, int? k)
    {
        var matches = Enumerable.Range(0, _subs.Count).Where(m => _subs[m].Name == name).ToList();
        if (matches.Count == 0) throw args.Error($"pair style '{name}' is not a sub-style of this hybrid style");
        if (matches.Count > 1 && k is null) throw args.Error($"pair style {name} is used {matches.Count} times; give its number after the name");
        var index = matches[(k ?? 1) - 1];
        return (_subs[index].Style as IModifiablePairStyle)?.Modify;
    }

    /// <summary>The pair_modify settings of every sub-style that has them.</summary>
    public IEnumerable<PairModifySettings> AllSettings() => _subs.Select(s => s.Style).OfType<IModifiablePairStyle>().Select(s => s.Modify);

    public IPotential Build(DeckContext context)
    {
        var n = context.Simulation.TypeCount;
        var assigned = new HashSet<(int, int)>[_subs.Count];
        for (var k = 0; k < _subs.Count; k++) assigned[k] = [];
        for (var i = 0; i < n; i++)
        {
            for (var j = i; j < n; j++)
            {
                if (!_map.TryGetValue((i, j), out var list))
                {
                    // LAMMPS: an unset pair mixes only when I,I and J,J have one and the same sub-style.
                    if (_map.TryGetValue((i, i), out var a) && _map.TryGetValue((j, j), out var b) && a.Count == 1 && b.Count == 1 && a[0] == b[0])
                        list = a;
                    else
                        throw new UserInputException($"All pair coeffs are not set: types {i + 1} {j + 1} have no sub-style; add 'pair_coeff {i + 1} {j + 1} STYLE ...' (or 'none')");
                }
                foreach (var k in list) assigned[k].Add((i, j));
            }
        }
        var parts = new List<IPotential>();
        for (var k = 0; k < _subs.Count; k++)
        {
            var (name, style) = _subs[k];
            var mine = assigned[k];
            if (mine.Count == 0) throw new UserInputException($"pair style {name} of the hybrid style is assigned no type pairs; add pair_coeff I J {name} ...");
            if (style is IRestrictablePairStyle r) r.Restrict = (i, j) => mine.Contains((i, j));
            else if (mine.Count != n * (n + 1) / 2)
                throw new UserInputException($"pair style {name} in a hybrid style must cover every type pair (pair_coeff * * {name} ...); restricting it to some pairs is not supported");
            parts.Add(style.Build(context));
        }
        return new HybridOverlay(parts);
    }
}

/// <summary><c>pair_style hybrid/overlay</c>: several sub-styles may act on the same type pair (their sum).</summary>
[PairStyle("hybrid/overlay")]
public sealed class HybridOverlayPairStyle : HybridPairStyleBase
{
    protected override bool Overlay => true;
}

/// <summary><c>pair_style hybrid</c>: one sub-style per type pair (the last pair_coeff for it wins).</summary>
[PairStyle("hybrid")]
public sealed class HybridPairStyle : HybridPairStyleBase
{
    protected override bool Overlay => false;
}
