namespace DeepMD.Sharp.Core.Potentials;

/// <summary>
/// Energy (eV), forces (eV/Å, SoA) and virial W[a][b] = Σ_k F_k,a x_k,b (eV, row-major 3x3; DeePMD-kit's and LAMMPS'
/// sign) of one evaluation. Buffers are reused across steps; <see cref="Resize(int)"/> adapts them to the atom count.
/// </summary>
public sealed class ForceResult
{
    public double Energy { get; set; }

    /// <summary>The Coulomb part of <see cref="Energy"/> (LAMMPS' eng_coul; thermo ecoul), 0 for styles without charges.</summary>
    public double CoulombEnergy { get; set; }

    public double[] Fx { get; private set; } = [];

    public double[] Fy { get; private set; } = [];

    public double[] Fz { get; private set; } = [];

    /// <summary>Virial, eV, row-major 3x3.</summary>
    public double[] Virial { get; } = new double[9];

    /// <summary>Per-atom energy, eV (filled only when requested).</summary>
    public double[] AtomEnergy { get; private set; } = [];

    /// <summary>Per-atom virial, eV, [atoms][9] (filled only when requested).</summary>
    public double[] AtomVirial { get; private set; } = [];

    /// <summary>
    /// As <see cref="Resize(int)"/>, but the per-atom energy and virial (10 doubles per atom) only when
    /// <paramref name="perAtom"/>; otherwise they are left empty (a potential that fills them only on request, for
    /// large systems).
    /// </summary>
    public void Resize(int atoms, bool perAtom)
    {
        if (perAtom)
        {
            Resize(atoms);
            return;
        }
        if (Fx.Length != atoms)
        {
            Fx = new double[atoms];
            Fy = new double[atoms];
            Fz = new double[atoms];
        }
        else
        {
            Array.Clear(Fx);
            Array.Clear(Fy);
            Array.Clear(Fz);
        }
        AtomEnergy = [];
        AtomVirial = [];
        Energy = 0;
        CoulombEnergy = 0;
        Array.Clear(Virial);
    }

    /// <summary>Makes every buffer fit <paramref name="atoms"/> atoms and zeroes everything.</summary>
    public void Resize(int atoms)
    {
        if (Fx.Length != atoms)
        {
            Fx = new double[atoms];
            Fy = new double[atoms];
            Fz = new double[atoms];
        }
        else
        {
            Array.Clear(Fx);
            Array.Clear(Fy);
            Array.Clear(Fz);
        }
        if (AtomEnergy.Length != atoms)
        {
            AtomEnergy = new double[atoms];
            AtomVirial = new double[9 * atoms];
        }
        else
        {
            Array.Clear(AtomEnergy);
            Array.Clear(AtomVirial);
        }
        Energy = 0;
        CoulombEnergy = 0;
        Array.Clear(Virial);
    }
}
