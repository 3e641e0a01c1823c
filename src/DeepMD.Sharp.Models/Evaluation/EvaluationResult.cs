namespace DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// Energy, forces and virial of one evaluation over <see cref="AtomCount"/> = nlocal + nghost atoms, in DeePMD-kit's
/// units and conventions: eV, eV/Å, virial W[a][b] = Σ_k F_k,a x_k,b in eV, row-major (index 3a + b).
/// </summary>
/// <remarks>
/// Owned by the caller and reused across evaluations (<see cref="Reset"/> keeps the arrays when the size is unchanged).
/// Forces and per-atom virials are given on every atom, ghosts included, and are not folded onto owners: a caller with
/// explicit ghost atoms folds them (a periodic neighbor list whose entries name owners has no ghosts, so nothing is left
/// to fold). Per-atom energies are those of the local atoms (the centers); ghosts read 0.
/// </remarks>
public sealed class EvaluationResult
{
    /// <summary>An empty result; evaluators size it.</summary>
    public EvaluationResult()
    {
    }

    /// <summary>A zeroed result for <paramref name="atomCount"/> atoms, all local.</summary>
    public EvaluationResult(int atomCount) => Reset(atomCount, atomCount);

    /// <summary>Total energy (of the local atoms), eV.</summary>
    public double Energy { get; set; }

    /// <summary>Per-atom energy, eV, [atoms]; local atoms only, ghosts 0.</summary>
    public double[] AtomEnergy { get; private set; } = [];

    /// <summary>Forces, eV/Å, [atoms][3] row-major, ghosts included (not folded).</summary>
    public double[] Forces { get; private set; } = [];

    /// <summary>Virial, eV, [3][3] row-major: the sum of the per-atom virials of all atoms, ghosts included.</summary>
    public double[] Virial { get; } = new double[9];

    /// <summary>Per-atom virial, eV, [atoms][9] row-major (DeePMD-kit assigns each pair term to the neighbor atom).</summary>
    public double[] AtomVirial { get; private set; } = [];

    /// <summary>All atoms the result covers (nlocal + nghost).</summary>
    public int AtomCount => AtomEnergy.Length;

    /// <summary>Local atoms (the centers of the neighbor list); the rest are ghosts.</summary>
    public int LocalCount { get; private set; }

    /// <summary>Sizes the result for <paramref name="atomCount"/> atoms of which the first <paramref name="localCount"/> are local, and zeroes it.</summary>
    public void Reset(int atomCount, int localCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(atomCount);
        if ((uint)localCount > (uint)atomCount) throw new ArgumentOutOfRangeException(nameof(localCount), $"{localCount} local atoms of {atomCount}");
        if (AtomEnergy.Length != atomCount)
        {
            AtomEnergy = new double[atomCount];
            Forces = new double[3 * atomCount];
            AtomVirial = new double[9 * atomCount];
        }
        else
        {
            Array.Clear(AtomEnergy);
            Array.Clear(Forces);
            Array.Clear(AtomVirial);
        }
        LocalCount = localCount;
        Energy = 0;
        Array.Clear(Virial);
    }
}
