namespace DeepMD.Sharp.Dynamics.Potentials;

using DeepMD.Sharp.Core.Potentials;

/// <summary>
/// <c>pair_style hybrid/overlay</c>: the sum of its sub-styles (e.g. <c>deepmd</c> + <c>zbl</c>). Each sub-style reads
/// the list it declares: the engine builds both the full list over owners and the half list over ghosts when the
/// parts ask for different kinds (<see cref="NeighborKind.Both"/>). Energies, forces, virials and per-atom energies
/// and virials are the sums of the parts', in sub-style order.
/// </summary>
public sealed class HybridOverlay : IPotential, IPairFunction
{
    private readonly IPotential[] _parts;
    private readonly ForceResult[] _results;

    public HybridOverlay(IReadOnlyList<IPotential> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("hybrid/overlay needs at least one sub-style", nameof(parts));
        _parts = [.. parts];
        _results = new ForceResult[_parts.Length];
        for (var k = 0; k < _results.Length; k++) _results[k] = new ForceResult();
        var kinds = _parts.Select(p => p.NeighborKind).Distinct().ToList();
        NeighborKind = kinds.Count == 1 ? kinds[0] : NeighborKind.Both;
    }

    public string Name => "hybrid/overlay";

    /// <summary>The sub-styles, in the order of the pair_style line.</summary>
    public IReadOnlyList<IPotential> Parts => _parts;

    /// <summary>The results of the parts in the last <see cref="Compute"/> (the sum is the caller's result).</summary>
    public IReadOnlyList<ForceResult> PartResults => _results;

    public double Cutoff => _parts.Max(p => p.Cutoff);

    /// <summary>The parts' kind when they agree, else <see cref="NeighborKind.Both"/> (worked out once: the parts are fixed).</summary>
    public NeighborKind NeighborKind { get; }

    public void Compute(ForceRequest request, ForceResult result)
    {
        var n = 0;
        for (var k = 0; k < _parts.Length; k++)
        {
            _parts[k].Compute(request, _results[k]);
            n = Math.Max(n, _results[k].Fx.Length);
        }
        result.Resize(n);
        foreach (var part in _results)
        {
            result.Energy += part.Energy;
            result.CoulombEnergy += part.CoulombEnergy;
            for (var c = 0; c < 9; c++) result.Virial[c] += part.Virial[c];
            var m = part.Fx.Length;
            for (var i = 0; i < m; i++)
            {
                result.Fx[i] += part.Fx[i];
                result.Fy[i] += part.Fy[i];
                result.Fz[i] += part.Fz[i];
            }
            if (!request.PerAtom) continue;
            for (var i = 0; i < m; i++) result.AtomEnergy[i] += part.AtomEnergy[i];
            for (var i = 0; i < 9 * m; i++) result.AtomVirial[i] += part.AtomVirial[i];
        }
    }

    /// <summary>The largest cutoff of the parts that have the pair (LAMMPS' hybrid cutsq).</summary>
    public double CutoffSquared(int i, int j)
    {
        double m = 0;
        foreach (var p in _parts)
            if (p is IPairFunction f) m = Math.Max(m, f.CutoffSquared(i, j));
        return m;
    }

    /// <summary>The sum over the parts whose cutoff covers <paramref name="rsq"/> (LAMMPS' hybrid single).</summary>
    public double Single(int i, int j, double rsq, out double fforce) => Single(i, j, rsq, 1.0, 1.0, out fforce);

    /// <summary>The sum over the parts whose cutoff covers <paramref name="rsq"/>, for atoms with charges qi, qj.</summary>
    public double Single(int i, int j, double rsq, double qi, double qj, out double fforce)
    {
        double e = 0;
        fforce = 0;
        foreach (var p in _parts)
        {
            if (p is not IPairFunction f)
                throw new Core.Errors.UserInputException($"pair style {p.Name} has no pair function (LAMMPS' single); it cannot be tabulated");
            if (rsq >= f.CutoffSquared(i, j)) continue;
            e += f.Single(i, j, rsq, qi, qj, out var ff);
            fforce += ff;
        }
        return e;
    }
}
