namespace DeepMD.Sharp.Core.Potentials;

using DeepMD.Sharp.Core.Neighbors;

/// <summary>
/// A potential that evaluates an ensemble of models and logs their deviation every few steps (<c>pair_style deepmd M1
/// M2 ... out_freq N out_file F</c>), seen by an engine whose atoms are spread over ranks (a decomposed run): the
/// engine defers the log (<see cref="DeferDeviation"/>), folds each model's ghost forces onto their owners, reduces
/// over the ranks and hands the reduced columns back (<see cref="WriteDeviation"/>). The math stays the potential's.
/// </summary>
public interface IDeviationEnsemble
{
    /// <summary>Whether the potential logs a deviation at all (false: one model).</summary>
    bool LogsDeviation { get; }

    /// <summary>While true, <see cref="IPotential.Compute"/> writes no deviation line; the engine does (collective).</summary>
    bool DeferDeviation { get; set; }

    /// <summary>Whether a line is due at <paramref name="step"/>.</summary>
    bool DeviationDue(long step);

    /// <summary>Whether lines carry each atom's force deviation by atom id (<c>atomic</c>).</summary>
    bool DeviationAtomic { get; }

    /// <summary>Why the ensemble cannot be logged decomposed (a feature that needs the whole system in one process), or null.</summary>
    string? DecomposedLimitation { get; }

    /// <summary>
    /// Every model's forces (x y z per atom, local then ghost atoms, not folded), virial (9) and energy on the input of
    /// the last <see cref="IPotential.Compute"/> with <paramref name="neighbors"/>; model 1's as computed then.
    /// </summary>
    IReadOnlyList<(double[] Forces, double[] Virial, double Energy)> EvaluateEnsemble(NeighborList neighbors);

    /// <summary>Each of <paramref name="atoms"/> atoms' force deviation from each model's whole forces (ghosts folded).</summary>
    void PerAtomDeviation(IReadOnlyList<double[]> forces, int atoms, Span<double> into);

    /// <summary>
    /// Writes the line of <paramref name="step"/> (on the process that writes the file; the others only mark the step):
    /// force columns reduced over all atoms, virial columns from each model's whole-system virial and energy over
    /// <paramref name="atoms"/> atoms, and with <c>atomic</c> the per-atom deviations ordered by atom id.
    /// </summary>
    void WriteDeviation(long step, int atoms, double maxForce, double minForce, double avgForce, IReadOnlyList<double[]> virials, IReadOnlyList<double> energies, double[]? atomicById);
}
