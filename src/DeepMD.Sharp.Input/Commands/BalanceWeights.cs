namespace DeepMD.Sharp.Input.Commands;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// The <c>weight …</c> options of <c>balance</c> and <c>fix balance</c> as LAMMPS computes them on one process
/// (Balance::set_weights): every atom starts at 1 and each option in the deck's order multiplies it —
/// <c>group N G1 F1 …</c> by the factor of each group the atom is in, <c>var NAME</c> by an atom-style variable (> 0),
/// <c>neigh F</c> by the average half-list neighbor count per atom and <c>time F</c> by the wall time since the last
/// call per atom, both only when F = 1 (on one process LAMMPS' rescaling of other factors leaves the weights unchanged);
/// <c>store NAME</c> copies the weights so far into the custom vector d_NAME of fix property/atom. They only decide
/// where subdomain walls go, so on one process nothing moves; the stored values and the weighted load (f_ID[1] of fix
/// balance) are what a deck can see.
/// </summary>
public sealed class BalanceWeights
{
    private abstract record Term;
    private sealed record GroupTerm(AtomGroup[] Groups, double[] Factors) : Term;
    private sealed record TimeTerm(double Factor) : Term;
    private sealed record NeighTerm(double Factor) : Term;
    private sealed record VarTerm(string Name) : Term;
    private sealed record StoreTerm(string Name) : Term;

    private readonly List<Term> _terms = [];
    private readonly DeckContext _context;
    private double _lastSeconds;
    private bool _warnedNeigh;

    internal BalanceWeights(DeckContext context) => _context = context;

    internal void AddGroups(AtomGroup[] groups, double[] factors) => _terms.Add(new GroupTerm(groups, factors));

    internal void AddTime(double factor) => _terms.Add(new TimeTerm(factor));

    internal void AddNeigh(double factor) => _terms.Add(new NeighTerm(factor));

    internal void AddVar(string name) => _terms.Add(new VarTerm(name));

    internal void AddStore(string name) => _terms.Add(new StoreTerm(name));

    /// <summary>Whether any weight option was given (LAMMPS' wtflag).</summary>
    public bool Any => _terms.Count > 0;

    /// <summary>The weights now, one per atom in storage order, storing them where a <c>store</c> option says.</summary>
    public double[] Compute(Simulation sim)
    {
        var a = sim.Atoms;
        var n = a.Count;
        var w = new double[n];
        Array.Fill(w, 1.0);
        foreach (var term in _terms)
        {
            switch (term)
            {
                case GroupTerm g:
                    for (var i = 0; i < n; i++)
                        for (var j = 0; j < g.Groups.Length; j++)
                            if (g.Groups[j].Contains(a.Id[i])) w[i] *= g.Factors[j];
                    break;
                case VarTerm v:
                {
                    if (!_context.Variables.TryGetValue(v.Name, out var variable)) throw new UserInputException($"Variable name {v.Name} for balance weight does not exist");
                    if (!variable.IsPerAtom) throw new UserInputException($"Variable {v.Name} for balance weight is not atom-style");
                    var values = _context.Runner.EvaluateAtomVariable(variable);
                    for (var i = 0; i < n; i++)
                        if (values[i] <= 0.0) throw new UserInputException("Balance weight <= 0.0");
                    for (var i = 0; i < n; i++) w[i] *= values[i];
                    break;
                }
                case NeighTerm t:
                {
                    if (t.Factor == 0.0) break;
                    if (sim.Verlet.Half is not { } half || sim.Verlet.BuildCount == 0)
                    {
                        if (!_warnedNeigh) _context.Out.WriteLine("WARNING: Balance weight neigh skipped b/c no list found");
                        _warnedNeigh = true;
                        break;
                    }
                    if (t.Factor != 1.0 || n == 0) break; // one process: LAMMPS' rescaling has no spread to act on
                    var localwt = 1.0 * half.PairCount / n;
                    if (localwt <= 0.0) throw new UserInputException("Balance weight <= 0.0");
                    for (var i = 0; i < n; i++) w[i] *= localwt;
                    break;
                }
                case TimeTerm t:
                {
                    if (t.Factor == 0.0) break;
                    // LAMMPS times pair, neighbor, bond and kspace work; dpsharp has the run's wall clock only
                    var now = sim.RunClock.Elapsed.TotalSeconds;
                    var cost = now - _lastSeconds + 0.1;
                    if (cost <= 0.1) break;
                    if (t.Factor == 1.0 && n > 0)
                    {
                        var localwt = cost / n;
                        for (var i = 0; i < n; i++) w[i] *= localwt;
                    }
                    _lastSeconds = now;
                    break;
                }
                case StoreTerm s:
                {
                    var p = sim.CustomProperties.Find(s.Name);
                    if (p is null || p.IsInteger) throw new UserInputException("Balance weight store vector does not exist");
                    for (var i = 0; i < n; i++) p.Set(a.Id[i], w[i]);
                    break;
                }
            }
        }
        return w;
    }
}
