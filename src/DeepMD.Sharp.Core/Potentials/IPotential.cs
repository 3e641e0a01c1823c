namespace DeepMD.Sharp.Core.Potentials;

/// <summary>
/// The one contract between the MD engine and anything that gives energies and forces (DeePMD models, lj/cut, eam).
/// Like LAMMPS' <c>compute(eflag, vflag)</c>: the caller supplies positions, types and a full neighbor list whose
/// cutoff is at least <see cref="Cutoff"/> (a Verlet list with skin is fine: pairs beyond the cutoff are ignored);
/// the potential fills a <see cref="ForceResult"/>. Units: metal (Å, eV, eV/Å).
/// </summary>
public interface IPotential
{
    /// <summary>Style name (e.g. <c>deepmd</c>, <c>lj/cut</c>).</summary>
    string Name { get; }

    /// <summary>Interaction cutoff, Å. Neighbor lists must cover at least this distance.</summary>
    double Cutoff { get; }

    /// <summary>Computes energy, forces and virial (and per-atom quantities when asked) for the request.</summary>
    void Compute(ForceRequest request, ForceResult result);
}
