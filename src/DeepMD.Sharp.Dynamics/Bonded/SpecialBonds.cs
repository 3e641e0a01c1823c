namespace DeepMD.Sharp.Dynamics.Bonded;

/// <summary>
/// LAMMPS' <c>special_bonds</c>: weights of the pair interaction between 1-2 (bonded), 1-3 and 1-4 neighbors along the
/// bond graph, for the Lennard-Jones (non-Coulomb) and the Coulomb parts; default 0 0 0 for both. With
/// <see cref="Angle"/>, a 1-3 pair counts only when an angle has it as its ends; with <see cref="Dihedral"/>, a 1-4 pair
/// only when a dihedral has it as its ends.
/// </summary>
public sealed class SpecialBonds
{
    public double[] Lj { get; } = [0, 0, 0];

    public double[] Coul { get; } = [0, 0, 0];

    public bool Angle { get; set; }

    public bool Dihedral { get; set; }

    /// <summary>Whether every weight is 1 (the pair styles see bonded neighbors as any other pair).</summary>
    public bool AllOne => Lj.All(w => w == 1) && Coul.All(w => w == 1);
}
