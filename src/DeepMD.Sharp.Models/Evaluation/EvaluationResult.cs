namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// Energy, forces and virial of one configuration, in DeePMD-kit's units and conventions: eV, eV/Å,
/// virial W[a][b] = Σ_k F_k,a x_k,b in eV, row-major (index 3a + b).
/// </summary>
public sealed class EvaluationResult
{
    public EvaluationResult(int atomCount)
    {
        AtomEnergy = new double[atomCount];
        Forces = new double[3 * atomCount];
        AtomVirial = new double[9 * atomCount];
    }

    /// <summary>Total energy, eV.</summary>
    public double Energy { get; set; }

    /// <summary>Per-atom energy, eV, [atoms].</summary>
    public double[] AtomEnergy { get; }

    /// <summary>Forces, eV/Å, [atoms][3] row-major.</summary>
    public double[] Forces { get; }

    /// <summary>Virial, eV, [3][3] row-major.</summary>
    public double[] Virial { get; } = new double[9];

    /// <summary>Per-atom virial, eV, [atoms][9] row-major (DeePMD-kit assigns each pair term to the neighbor atom).</summary>
    public double[] AtomVirial { get; }

    public int AtomCount => AtomEnergy.Length;
}
