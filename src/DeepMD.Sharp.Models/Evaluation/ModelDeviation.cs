namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The spread of an ensemble's predictions for one configuration, as DeePMD-kit defines it (<c>dp model-devi</c> and
/// the LAMMPS plugin's <c>out_file</c>): population standard deviations over models (ddof 0). Force: per atom
/// ε_i = sqrt((1/n) Σ_k |F_i^k − ⟨F_i⟩|²), optionally divided by |⟨F_i⟩| + ν (<c>relative ν</c>). Virial: per
/// component of W/N, optionally divided by |⟨W/N⟩| + ν (<c>relative_v ν</c>); avg = sqrt(mean of squares over the 9).
/// Energy: std of E/N.
/// </summary>
public sealed class ModelDeviation
{
    /// <summary>Largest, smallest and RMS virial deviation over the 9 components (eV per atom).</summary>
    public double MaxVirial { get; private init; }

    public double MinVirial { get; private init; }

    public double AvgVirial { get; private init; }

    /// <summary>Largest, smallest and mean per-atom force deviation (eV/Å, or relative).</summary>
    public double MaxForce { get; private init; }

    public double MinForce { get; private init; }

    public double AvgForce { get; private init; }

    /// <summary>Std of the energy per atom (eV).</summary>
    public double Energy { get; private init; }

    /// <summary>Per-atom force deviation, in the atoms' order.</summary>
    public required double[] PerAtomForce { get; init; }

    /// <summary>The seven <c>dp model-devi</c> columns: max_v min_v avg_v max_f min_f avg_f devi_e.</summary>
    public double[] Columns => [MaxVirial, MinVirial, AvgVirial, MaxForce, MinForce, AvgForce, Energy];

    /// <summary>The deviation of an ensemble's results for one configuration.</summary>
    /// <param name="results">One result per model (two or more), same atoms in the same order, no ghost atoms.</param>
    /// <param name="relativeForce">ν of <c>relative</c>, or null for absolute force deviations.</param>
    /// <param name="relativeVirial">ν of <c>relative_v</c>, or null for absolute virial deviations.</param>
    public static ModelDeviation Of(IReadOnlyList<EvaluationResult> results, double? relativeForce = null, double? relativeVirial = null)
    {
        if (results.Count < 1) throw new ArgumentException("needs at least one result", nameof(results));
        var atoms = results[0].AtomCount;
        // Per-atom force deviations need each atom's whole force: with explicit ghosts, fold them onto their owners first.
        if (results[0].LocalCount != atoms)
            throw new NotSupportedException($"model deviation of a result with {atoms - results[0].LocalCount} ghost atoms: fold the ghost forces onto their owners first");
        var force = new double[atoms];
        PerAtomForces(results.Select(r => r.Forces).ToArray(), atoms, relativeForce, force);
        var (maxV, minV, avgV) = VirialColumns(results.Select(r => r.Virial).ToArray(), atoms, relativeVirial);
        var nm = results.Count;
        double me = 0, se = 0;
        foreach (var r in results) me += r.Energy / atoms;
        me /= nm;
        foreach (var r in results) se += (r.Energy / atoms - me) * (r.Energy / atoms - me);
        return new ModelDeviation
        {
            PerAtomForce = force,
            MaxVirial = maxV,
            MinVirial = minV,
            AvgVirial = avgV,
            MaxForce = atoms > 0 ? force.Max() : 0,
            MinForce = atoms > 0 ? force.Min() : 0,
            AvgForce = atoms > 0 ? force.Average() : 0,
            Energy = Math.Sqrt(se / nm),
        };
    }

    /// <summary>
    /// Per-atom force deviations of <paramref name="atoms"/> atoms into <paramref name="into"/>: <paramref name="forces"/>
    /// holds each model's forces (x y z per atom, at least 3 × atoms), whole forces (ghost contributions folded).
    /// </summary>
    public static void PerAtomForces(IReadOnlyList<double[]> forces, int atoms, double? relativeForce, Span<double> into)
    {
        var nm = forces.Count;
        for (var i = 0; i < atoms; i++)
        {
            double sum = 0, norm2 = 0;
            for (var c = 0; c < 3; c++)
            {
                double mean = 0;
                foreach (var f in forces) mean += f[3 * i + c];
                mean /= nm;
                foreach (var f in forces) sum += (f[3 * i + c] - mean) * (f[3 * i + c] - mean);
                norm2 += mean * mean;
            }
            into[i] = Math.Sqrt(sum / nm);
            if (relativeForce is { } eps) into[i] /= Math.Sqrt(norm2) + eps;
        }
    }

    /// <summary>Max, min and RMS over the 9 components of the virial deviation (W/N) from each model's whole-system virial.</summary>
    public static (double Max, double Min, double Avg) VirialColumns(IReadOnlyList<double[]> virials, int atoms, double? relativeVirial)
    {
        var nm = virials.Count;
        var virial = new double[9];
        for (var k = 0; k < 9; k++)
        {
            double mean = 0, sum = 0;
            foreach (var v in virials) mean += v[k] / atoms;
            mean /= nm;
            foreach (var v in virials) sum += (v[k] / atoms - mean) * (v[k] / atoms - mean);
            virial[k] = Math.Sqrt(sum / nm);
            if (relativeVirial is { } eps) virial[k] /= Math.Abs(mean) + eps;
        }
        return (virial.Max(), virial.Min(), Math.Sqrt(virial.Average(v => v * v)));
    }

    /// <summary>
    /// A deviation assembled from parts computed elsewhere (a decomposed run: force columns reduced over ranks, virial
    /// columns from <see cref="VirialColumns"/> of virials summed over ranks); <paramref name="perAtomForce"/> may be a
    /// rank's own atoms only.
    /// </summary>
    public static ModelDeviation FromColumns(double maxVirial, double minVirial, double avgVirial, double maxForce, double minForce, double avgForce, double energy, double[] perAtomForce) =>
        new()
        {
            PerAtomForce = perAtomForce,
            MaxVirial = maxVirial,
            MinVirial = minVirial,
            AvgVirial = avgVirial,
            MaxForce = maxForce,
            MinForce = minForce,
            AvgForce = avgForce,
            Energy = energy,
        };
}
