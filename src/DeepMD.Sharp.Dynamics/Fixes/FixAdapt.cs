namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>fix ID group adapt N pair STYLE PARAM I J v_name … [reset yes|no] [scale yes|no]</c>: sets a pair style's per-pair
/// coefficient to an equal-style variable's value (or scales the run's starting value by it) for the type pairs I ≤ J in
/// the given ranges, as LAMMPS' fix adapt does: at setup before the forces (setup_pre_force), then every N steps before the
/// step's forces (pre_force; N = 0 only at setup), each time followed by the style's reinit (mixed pairs mixed again from
/// the new diagonal values, offsets recomputed); with <c>reset yes</c> (LAMMPS 20220106 defaults to no) the run's starting values come
/// back after its last step (post_run).
/// </summary>
public sealed class FixAdapt : Fix
{
    /// <summary>One <c>pair STYLE PARAM I J v_name</c> entry (type ranges 0-based, inclusive).</summary>
    public sealed record PairTarget(string Style, string Parameter, int ILo, int IHi, int JLo, int JHi, Func<double> Value);

    private readonly int _every;
    private readonly IReadOnlyList<PairTarget> _targets;
    private readonly bool _reset, _scale;
    private readonly List<(IAdaptablePair Pair, double[] Table, double[] Original)> _bound = [];

    public FixAdapt(string id, int every, IReadOnlyList<PairTarget> targets, bool reset, bool scale) : base(id)
    {
        if (every < 0) throw new UserInputException("Illegal fix adapt command: N must be 0 or positive");
        _every = every;
        _targets = targets;
        _reset = reset;
        _scale = scale;
    }

    public override string Style => "adapt";

    public override void Init(Simulation sim)
    {
        _bound.Clear();
        foreach (var t in _targets)
        {
            var pair = Find(sim.Potential, t.Style)
                       ?? throw new UserInputException($"Fix adapt pair style {t.Style} does not exist (the pair style in use is {Describe(sim.Potential)})");
            var table = pair.AdaptableTable(t.Parameter)
                        ?? throw new UserInputException($"Fix adapt pair style param {t.Parameter} not supported by {t.Style} (adaptable: {string.Join(", ", pair.AdaptableNames)})");
            if (t.IHi >= pair.TypeCount || t.JHi >= pair.TypeCount) throw new UserInputException("Illegal fix adapt command: type out of range");
            _bound.Add((pair, table, (double[])table.Clone()));
        }
    }

    public override void SetupPreForce(Simulation sim) => Change();

    public override void PreForce(Simulation sim)
    {
        if (_every == 0 || sim.Step % _every != 0) return;
        Change();
    }

    public override void PostRun(Simulation sim)
    {
        if (!_reset) return;
        foreach (var (pair, table, original) in _bound)
        {
            original.CopyTo(table, 0);
            pair.Reinit();
        }
    }

    private void Change()
    {
        for (var k = 0; k < _targets.Count; k++)
        {
            var t = _targets[k];
            var (pair, table, original) = _bound[k];
            var value = t.Value();
            var n = pair.TypeCount;
            for (var i = t.ILo; i <= t.IHi; i++)
                for (var j = Math.Max(t.JLo, i); j <= t.JHi; j++)
                    table[i * n + j] = table[j * n + i] = _scale ? value * original[i * n + j] : value;
            pair.Reinit();
        }
    }

    private static IAdaptablePair? Find(IPotential? potential, string style) => potential switch
    {
        IAdaptablePair p when p.Name == style => p,
        HybridOverlay h => h.Parts.Select(part => Find(part, style)).FirstOrDefault(p => p is not null),
        _ => null,
    };

    private static string Describe(IPotential? potential) => potential switch
    {
        null => "none",
        HybridOverlay h => string.Join(" + ", h.Parts.Select(Describe)),
        _ => potential.Name,
    };
}
