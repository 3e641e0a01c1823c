namespace DeepMD.Sharp.Core.Potentials;

/// <summary>
/// The one contract between the MD engine (or any other caller: <c>dpsharp eval</c>, a LAMMPS rank, a domain of a
/// decomposed run) and anything that gives energies and forces (DeePMD models, lj/cut, eam). Like LAMMPS'
/// <c>compute(eflag, vflag)</c>: the caller supplies positions and types of local + ghost atoms and the neighbor list
/// the potential asks for (<see cref="NeighborKind"/>) whose cutoff is at least <see cref="Cutoff"/> (a Verlet list with
/// skin is fine: pairs beyond the cutoff are ignored); the potential fills a caller-owned <see cref="ForceResult"/>.
/// Units: metal (Å, eV, eV/Å).
/// </summary>
public interface IPotential
{
    /// <summary>Style name (e.g. <c>deepmd</c>, <c>lj/cut</c>).</summary>
    string Name { get; }

    /// <summary>Interaction cutoff, Å. Neighbor lists must cover at least this distance.</summary>
    double Cutoff { get; }

    /// <summary>The list an MD engine should build for this potential (a full list unless it says otherwise).</summary>
    NeighborKind NeighborKind => NeighborKind.Full;

    /// <summary>Whether <see cref="Compute"/> fills <see cref="ForceResult.AtomVirial"/> when per-atom terms are asked for (compute stress/atom reads it).</summary>
    bool FillsAtomVirial => false;

    /// <summary>
    /// Whether <see cref="Compute"/> can evaluate <paramref name="atoms"/> atoms, all local, in <paramref name="box"/>
    /// without a caller-built list (<see cref="ForceRequest.Neighbors"/> and <see cref="ForceRequest.HalfNeighbors"/>
    /// null): the potential then lists the system itself, block of space by block, holding one block's list at a time
    /// (pair_style deepmd; docs/domain-decomposition.md, "Memory"). An engine may use this for large systems, where a
    /// list of the whole system would need more memory than the atoms themselves. False unless a potential says so.
    /// </summary>
    bool CanStream(Geometry.Box? box, int atoms) => false;

    /// <summary>
    /// Computes energy, forces and virial (and per-atom quantities when asked) for the request. With a full list
    /// (<see cref="ForceRequest.Neighbors"/>) the forces and per-atom virials cover all <see cref="ForceRequest.AtomCount"/>
    /// atoms and ghost forces are not folded (the caller folds); with a half list (<see cref="ForceRequest.HalfNeighbors"/>)
    /// the list's ghost map is known to the potential and the forces come back folded onto the local atoms.
    /// </summary>
    void Compute(ForceRequest request, ForceResult result);
}
