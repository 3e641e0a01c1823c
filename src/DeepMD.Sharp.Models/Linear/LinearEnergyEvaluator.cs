namespace DeepMD.Sharp.Models.Linear;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// Evaluates a composite model (<see cref="LinearComposition"/>) through the same contract as any evaluator (full list
/// over the local centers, ghosts allowed): the DP part on its own backend (the evaluator given), the pair table and
/// the switch here, in plain code. For a <c>zbl</c> model the DP part is evaluated with per-center weights 1 − s_i
/// (<see cref="EvaluationOptions.CenterWeights"/>), so its backend must implement <see cref="ICenterWeightedEvaluator"/>.
/// </summary>
/// <remarks>
/// Per center i the pair gradient of each entry is w_tab,i ∂e_i^tab/∂d + (e_i^tab − e_i^DP) ∂s_i/∂d (the last term only
/// for zbl); these go through <see cref="PairTermAccumulator"/> (pair virial on the neighbor, as DeePMD-kit) and are
/// added to the DP part's forces and virials.
/// </remarks>
public sealed class LinearEnergyEvaluator : IModelEvaluator
{
    public LinearEnergyEvaluator(DeepPotModel model, IModelEvaluator dp)
    {
        Linear = model.Linear ?? throw new ArgumentException("not a composite model", nameof(model));
        if (Linear.Kind == LinearKind.Zbl && dp is not ICenterWeightedEvaluator)
            throw new ArgumentException($"the {dp.Name} evaluator cannot weight centers, which the zbl switch needs", nameof(dp));
        Model = model;
        Dp = dp;
    }

    public LinearComposition Linear { get; }

    /// <summary>The evaluator of the DP part.</summary>
    public IModelEvaluator Dp { get; }

    public string Name => Dp.Name;

    public DeepPotModel Model { get; }

    private readonly EvaluationResult _dpResult = new();
    private readonly EvaluationResult _pairResult = new();
    private double[] _gx = [], _gy = [], _gz = [], _dsx = [], _dsy = [], _dsz = [];
    private double[] _eTab = [], _s = [], _wdp = [];

    /// <summary>The switch weight s_i of each local atom in the last evaluation (zbl; DeePMD-kit's <c>zbl_weight</c>).</summary>
    public ReadOnlySpan<double> SwitchWeights => _s;

    public void Evaluate(int[] types, NeighborList neighbors, EvaluationOptions options, EvaluationResult result)
    {
        var n = types.Length;
        var nloc = neighbors.CenterCount;
        var entries = neighbors.EntryCount;
        Grow(ref _gx, entries); Grow(ref _gy, entries); Grow(ref _gz, entries);
        Grow(ref _dsx, entries); Grow(ref _dsy, entries); Grow(ref _dsz, entries);
        Grow(ref _eTab, nloc); Grow(ref _s, nloc); Grow(ref _wdp, nloc);
        if (_s.Length != nloc) _s = new double[nloc];
        var zbl = Linear.Kind == LinearKind.Zbl;
        var nt = Model.TypeMap.Count;
        for (var i = 0; i < nloc; i++)
            if ((uint)types[i] >= (uint)nt) throw new UserInputException($"atom {i} has type {types[i]}, outside the model's 0..{nt - 1}");

        // 1. Table energies and their gradients (per entry of center i), softmin switch and its gradient.
        for (var i = 0; i < nloc; i++) TableAndSwitch(i, types, neighbors, options, zbl);

        // 2. The DP part (weights 1 − s_i for zbl; constant weights scale the result afterwards).
        var dpOptions = options;
        if (zbl)
        {
            var all1 = true;
            for (var i = 0; i < nloc; i++)
            {
                _wdp[i] = 1 - _s[i];
                all1 &= _wdp[i] == 1;
            }
            if (!all1) dpOptions = options with { CenterWeights = _wdp[..nloc] };
        }
        Dp.Evaluate(types, neighbors, dpOptions, _dpResult);

        // 3. Pair gradients of the table and of the switch.
        var eDp = _dpResult.AtomEnergy;
        for (var i = 0; i < nloc; i++)
        {
            var wTab = zbl ? _s[i] : Linear.TableWeight;
            var diff = zbl ? _eTab[i] - eDp[i] : 0;
            for (var e = neighbors.Offsets[i]; e < neighbors.Offsets[i + 1]; e++)
            {
                _gx[e] = wTab * _gx[e] + diff * _dsx[e];
                _gy[e] = wTab * _gy[e] + diff * _dsy[e];
                _gz[e] = wTab * _gz[e] + diff * _dsz[e];
            }
        }
        _pairResult.Reset(n, nloc);
        PairTermAccumulator.Accumulate(neighbors, _gx, _gy, _gz, _pairResult, options.MaxDegreeOfParallelism());

        // 4. E_i = w_DP e_i^DP + w_tab e_i^tab + out_bias; forces and virials: the DP part's (weighted) plus the pair terms.
        result.Reset(n, nloc);
        var dpScale = zbl ? 1 : Linear.DpWeight;
        double energy = 0;
        for (var i = 0; i < nloc; i++)
        {
            var wd = zbl ? 1 - _s[i] : Linear.DpWeight;
            var wt = zbl ? _s[i] : Linear.TableWeight;
            var ei = wd * eDp[i] + wt * _eTab[i] + Model.OutBias[types[i]];
            result.AtomEnergy[i] = ei;
            energy += ei;
        }
        result.Energy = energy;
        Combine(_dpResult.Forces, _pairResult.Forces, result.Forces, dpScale);
        Combine(_dpResult.AtomVirial, _pairResult.AtomVirial, result.AtomVirial, dpScale);
        Combine(_dpResult.Virial, _pairResult.Virial, result.Virial, dpScale);
    }

    private static void Combine(double[] dp, double[] pair, double[] into, double dpScale)
    {
        for (var k = 0; k < into.Length; k++) into[k] = dpScale * dp[k] + pair[k];
    }

    private static void Grow(ref double[] a, int n)
    {
        if (a.Length < n) a = new double[n];
    }

    /// <summary>
    /// Center i: e_i^tab = ½ Σ_j E(r_ij) over the table's neighbors (within its rcut, at most its sel), ∂e_i^tab/∂d into
    /// (_gx, _gy, _gz); for zbl the switch s_i and ∂s_i/∂d into (_dsx, _dsy, _dsz). Entries not used are zeroed.
    /// </summary>
    private void TableAndSwitch(int i, int[] types, NeighborList nl, EvaluationOptions options, bool zbl)
    {
        int lo = nl.Offsets[i], hi = nl.Offsets[i + 1];
        for (var e = lo; e < hi; e++) _gx[e] = _gy[e] = _gz[e] = _dsx[e] = _dsy[e] = _dsz[e] = 0;
        var table = Linear.PairTable;
        var ti = types[i];
        var within = Within(i, nl, table.Rcut, Linear.TableSel, options, "pair table");
        double eTab = 0;
        foreach (var (e, r) in within)
        {
            var pe = table.Energy(ti, types[nl.Owner[e]], r, out var dEdr);
            eTab += 0.5 * pe;
            var g = 0.5 * dEdr / r;
            _gx[e] = g * nl.Dx[e];
            _gy[e] = g * nl.Dy[e];
            _gz[e] = g * nl.Dz[e];
        }
        _eTab[i] = eTab;
        _s[i] = 0;
        if (!zbl) return;

        var set = Linear.SoftminUsesTable ? within : Within(i, nl, Linear.DpPart.Descriptor.Rcut, Linear.DpNsel, options, "DP part");
        if (set.Count == 0) return; // no neighbors: DeePMD-kit's switch is 0
        var alpha = Linear.SminAlpha;
        var rminLocal = double.PositiveInfinity;
        foreach (var (_, r) in set) rminLocal = Math.Min(rminLocal, r);
        // softmin σ = Σ r w / Σ w, w = e^{−r/α}: shifted by the nearest distance (the same value, no underflow)
        double num = 0, den = 0;
        foreach (var (_, r) in set)
        {
            var w = Math.Exp(-(r - rminLocal) / alpha);
            num += r * w;
            den += w;
        }
        var sigma = num / den;
        double rmin = Linear.SwRmin, rmax = Linear.SwRmax;
        if (sigma < rmin)
        {
            _s[i] = 1;
            return;
        }
        if (sigma >= rmax) return;
        var u = (sigma - rmin) / (rmax - rmin);
        _s[i] = -6 * Math.Pow(u, 5) + 15 * Math.Pow(u, 4) - 10 * Math.Pow(u, 3) + 1;
        var dsdSigma = -30 * u * u * (1 - u) * (1 - u) / (rmax - rmin);
        foreach (var (e, r) in set)
        {
            var w = Math.Exp(-(r - rminLocal) / alpha);
            var dSigmaDr = w / den * (1 - (r - sigma) / alpha);
            var g = dsdSigma * dSigmaDr / r;
            _dsx[e] = g * nl.Dx[e];
            _dsy[e] = g * nl.Dy[e];
            _dsz[e] = g * nl.Dz[e];
        }
    }

    /// <summary>
    /// The entries of center i within <paramref name="rcut"/> (DeePMD-kit keeps r ≤ rcut), nearest first when more than
    /// <paramref name="sel"/>: an error, or the sel nearest with sel truncation (as DeePMD-kit).
    /// </summary>
    private static List<(int Entry, double R)> Within(int i, NeighborList nl, double rcut, int sel, EvaluationOptions options, string what)
    {
        var list = new List<(int, double)>();
        for (var e = nl.Offsets[i]; e < nl.Offsets[i + 1]; e++)
        {
            var r = Math.Sqrt(nl.Dx[e] * nl.Dx[e] + nl.Dy[e] * nl.Dy[e] + nl.Dz[e] * nl.Dz[e]);
            if (r > rcut) continue;
            if (r < options.OverlapDistance)
                throw new UserInputException($"atoms {i} and {nl.Owner[e]} are {r:G3} Å apart (on top of each other); the {what} cannot evaluate them");
            list.Add((e, r));
        }
        if (list.Count <= sel) return list;
        if (options.SelOverflow != SelOverflowPolicy.Truncate)
            throw new UserInputException(
                $"atom {i}{Label(i, options)} has {list.Count} neighbors within the {what}'s rcut = {rcut} Å, but its sel is {sel}. DeePMD-kit would silently " +
                "keep only the nearest; pass --allow-sel-truncation to do the same, or use a model with a larger sel");
        list.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        list.RemoveRange(sel, list.Count - sel);
        return list;
    }

    private static string Label(int i, EvaluationOptions options) =>
        options.AtomLabels is { } l && i < l.Count ? $" ({l[i]})" : "";
}
