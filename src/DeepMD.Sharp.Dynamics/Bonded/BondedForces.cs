namespace DeepMD.Sharp.Dynamics.Bonded;

using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// The bonded part of a molecular system, added after the pair style's evaluation (LAMMPS' force->bond, force->angle
/// and the special-bond weights of the pair styles): bond and angle forces, energies (thermo ebond, eangle) and virial,
/// with bond vectors taken at their minimum image as LAMMPS' closest-image map does; and the special_bonds weights of
/// 1-2, 1-3, 1-4 neighbors applied to the pairwise styles, by removing (1 − w) of each such pair's interaction (what
/// LAMMPS' factor_lj/factor_coul scale down, or its neighbor list leaves out for w = 0).
/// </summary>
public sealed class BondedForces
{
    private int[] _index = [];
    private (int A, int B, int Level)[] _special = [];
    private object? _specialKey;
    private bool _warnedDeepmd;

    public BondStyle? Bond { get; set; }

    public AngleStyle? Angle { get; set; }

    /// <summary>dihedral_style name (none, zero or a computed style: then <see cref="Dihedral"/> is set).</summary>
    public string? DihedralStyle { get; set; }

    /// <summary>The dihedral style that adds forces (null for zero/none).</summary>
    public DihedralStyle? Dihedral { get; set; }

    /// <summary>improper_style (none or zero).</summary>
    public string? ImproperStyle { get; set; }

    public SpecialBonds Special { get; } = new();

    /// <summary>Bond energy of the last evaluation (thermo ebond).</summary>
    public double BondEnergy { get; private set; }

    /// <summary>Angle energy of the last evaluation (thermo eangle).</summary>
    public double AngleEnergy { get; private set; }

    /// <summary>Dihedral energy of the last evaluation (thermo edihed).</summary>
    public double DihedralEnergy { get; private set; }

    /// <summary>Bond + angle + dihedral (+ improper, zero here) energy: thermo emol.</summary>
    public double MolecularEnergy => BondEnergy + AngleEnergy + DihedralEnergy;

    /// <summary>Special-bond pairs changed; the list is made again at the next evaluation.</summary>
    public void Invalidate() => _specialKey = null;

    /// <summary>
    /// Checks before a run: every type of a defined style has coefficients; LAMMPS' warnings when terms exist without
    /// a style (they then add nothing).
    /// </summary>
    public void Validate(AtomState atoms, Action<string>? warn)
    {
        var t = atoms.Topology;
        if (Bond is { } b) b.RequireAll(t.BondTypes);
        else if (t.Bonds.Count > 0) warn?.Invoke("WARNING: Bonds are defined but no bond style is set");
        if (Angle is { } a) a.RequireAll(t.AngleTypes);
        else if (t.Angles.Count > 0) warn?.Invoke("WARNING: Angles are defined but no angle style is set");
        if (Dihedral is { } dh) dh.RequireAll(t.DihedralTypes);
        if (t.Dihedrals.Count > 0 && DihedralStyle is null) warn?.Invoke("WARNING: Dihedrals are defined but no dihedral style is set");
        if (t.Impropers.Count > 0 && ImproperStyle is null) warn?.Invoke("WARNING: Impropers are defined but no improper style is set");
    }

    /// <summary>Adds the bonded terms and the special-bond corrections of the current positions to <paramref name="f"/>.</summary>
    public void Compute(AtomState atoms, SimulationBox box, IPotential? pair, ForceResult f, long step, Action<string>? warn)
    {
        BondEnergy = AngleEnergy = DihedralEnergy = 0;
        var topo = atoms.Topology;
        if (topo.IsEmpty) return;
        var n = atoms.Count;
        BuildIndex(atoms);
        var perAtom = f.AtomEnergy.Length >= n && f.AtomVirial.Length >= 9 * n;
        Span<double> d = stackalloc double[3];
        if (Bond is { } bond)
        {
            foreach (var t in topo.Bonds)
            {
                int i = Index(t.A, step), j = Index(t.B, step);
                Delta(atoms, box, i, j, d);
                var rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                var e = bond.Evaluate(t.Type, rsq, out var fbond, warn, step, t.A, t.B);
                BondEnergy += e;
                AddPair(f, i, j, d, fbond, e, perAtom);
            }
        }
        if (Angle is { } angle)
        {
            Span<double> d2 = stackalloc double[3], f1 = stackalloc double[3], f3 = stackalloc double[3];
            foreach (var t in topo.Angles)
            {
                int i1 = Index(t.A, step), i2 = Index(t.B, step), i3 = Index(t.C, step);
                Delta(atoms, box, i1, i2, d);
                Delta(atoms, box, i3, i2, d2);
                var e = angle.Evaluate(t.Type, d, d2, f1, f3);
                AngleEnergy += e;
                f.Fx[i1] += f1[0]; f.Fy[i1] += f1[1]; f.Fz[i1] += f1[2];
                f.Fx[i2] -= f1[0] + f3[0]; f.Fy[i2] -= f1[1] + f3[1]; f.Fz[i2] -= f1[2] + f3[2];
                f.Fx[i3] += f3[0]; f.Fy[i3] += f3[1]; f.Fz[i3] += f3[2];
                for (var a = 0; a < 3; a++)
                for (var b = 0; b < 3; b++)
                {
                    var w = f1[a] * d[b] + f3[a] * d2[b];
                    f.Virial[3 * a + b] += w;
                    if (perAtom)
                    {
                        f.AtomVirial[9 * i1 + 3 * a + b] += w / 3;
                        f.AtomVirial[9 * i2 + 3 * a + b] += w / 3;
                        f.AtomVirial[9 * i3 + 3 * a + b] += w / 3;
                    }
                }
                if (perAtom)
                {
                    f.AtomEnergy[i1] += e / 3;
                    f.AtomEnergy[i2] += e / 3;
                    f.AtomEnergy[i3] += e / 3;
                }
            }
        }
        if (Dihedral is { } dihedral) ComputeDihedrals(atoms, box, dihedral, f, step, perAtom);
        f.Energy += BondEnergy + AngleEnergy + DihedralEnergy;
        ApplySpecial(atoms, box, pair, f, step, perAtom, warn);
    }

    /// <summary>
    /// Dihedral forces, energy and virial (LAMMPS' four-body tally: b1⊗f1 + b2⊗f3 + (b3 + b2)⊗f4; a quarter of the
    /// energy and virial to each atom).
    /// </summary>
    private void ComputeDihedrals(AtomState atoms, SimulationBox box, DihedralStyle style, ForceResult f, long step, bool perAtom)
    {
        Span<double> b1 = stackalloc double[3], b2 = stackalloc double[3], b3 = stackalloc double[3];
        Span<double> f1 = stackalloc double[3], f2 = stackalloc double[3], f3 = stackalloc double[3], f4 = stackalloc double[3];
        foreach (var t in atoms.Topology.Dihedrals)
        {
            int i1 = Index(t.A, step), i2 = Index(t.B, step), i3 = Index(t.C, step), i4 = Index(t.D, step);
            Delta(atoms, box, i1, i2, b1);
            Delta(atoms, box, i3, i2, b2);
            Delta(atoms, box, i4, i3, b3);
            var e = style.Evaluate(t.Type, b1, b2, b3, f1, f2, f3, f4);
            DihedralEnergy += e;
            f.Fx[i1] += f1[0]; f.Fy[i1] += f1[1]; f.Fz[i1] += f1[2];
            f.Fx[i2] += f2[0]; f.Fy[i2] += f2[1]; f.Fz[i2] += f2[2];
            f.Fx[i3] += f3[0]; f.Fy[i3] += f3[1]; f.Fz[i3] += f3[2];
            f.Fx[i4] += f4[0]; f.Fy[i4] += f4[1]; f.Fz[i4] += f4[2];
            for (var a = 0; a < 3; a++)
            for (var b = 0; b < 3; b++)
            {
                var w = b1[b] * f1[a] + b2[b] * f3[a] + (b3[b] + b2[b]) * f4[a];
                f.Virial[3 * a + b] += w;
                if (perAtom)
                    foreach (var i in (ReadOnlySpan<int>)[i1, i2, i3, i4]) f.AtomVirial[9 * i + 3 * a + b] += 0.25 * w;
            }
            if (perAtom)
            {
                f.AtomEnergy[i1] += 0.25 * e;
                f.AtomEnergy[i2] += 0.25 * e;
                f.AtomEnergy[i3] += 0.25 * e;
                f.AtomEnergy[i4] += 0.25 * e;
            }
        }
    }

    /// <summary>Adds one central pair term: force fpair·d on i and −fpair·d on j (d = x_i − x_j), energy e, virial fpair·d⊗d.</summary>
    private static void AddPair(ForceResult f, int i, int j, ReadOnlySpan<double> d, double fpair, double e, bool perAtom)
    {
        f.Fx[i] += d[0] * fpair; f.Fy[i] += d[1] * fpair; f.Fz[i] += d[2] * fpair;
        f.Fx[j] -= d[0] * fpair; f.Fy[j] -= d[1] * fpair; f.Fz[j] -= d[2] * fpair;
        for (var a = 0; a < 3; a++)
        for (var b = 0; b < 3; b++)
        {
            var w = fpair * d[a] * d[b];
            f.Virial[3 * a + b] += w;
            if (perAtom)
            {
                f.AtomVirial[9 * i + 3 * a + b] += 0.5 * w;
                f.AtomVirial[9 * j + 3 * a + b] += 0.5 * w;
            }
        }
        if (perAtom)
        {
            f.AtomEnergy[i] += 0.5 * e;
            f.AtomEnergy[j] += 0.5 * e;
        }
    }

    /// <summary>The special pairs (smaller id, larger id) the current neighbor list leaves out; their interaction is not subtracted.</summary>
    private HashSet<long> _listExcluded = [];

    private static long PairKey(int a, int b) => a < b ? ((long)a << 32) | (uint)b : ((long)b << 32) | (uint)a;

    /// <summary>
    /// LAMMPS leaves special pairs whose LJ and Coulomb weights are both 0 out of the neighbor list (special_flag 0), so
    /// they never interact, however close (two bonded atoms may pass through each other). For a half list built now:
    /// the test of a pair of storage indices, or null when there is nothing to leave out; such pairs are then not
    /// subtracted by the special-bond correction (subtracting an interaction of 1e16 would cancel catastrophically).
    /// </summary>
    public Func<int, int, bool>? NeighborListExclusion(AtomState atoms)
    {
        _listExcluded = [];
        if (Special.AllOne || atoms.Topology.Bonds.Count == 0) return null;
        BuildSpecial(atoms.Topology);
        foreach (var (a, b, level) in _special)
            if (Special.Lj[level - 1] == 0 && Special.Coul[level - 1] == 0) _listExcluded.Add(PairKey(a, b));
        if (_listExcluded.Count == 0) return null;
        var ids = atoms.Id;
        var set = _listExcluded;
        return (i, j) => set.Contains(PairKey(ids[i], ids[j]));
    }

    /// <summary>Forgets the list exclusions (a list built without them: full lists, or no special pairs).</summary>
    public void NoNeighborListExclusion() => _listExcluded = [];

    private void ApplySpecial(AtomState atoms, SimulationBox box, IPotential? potential, ForceResult f, long step, bool perAtom, Action<string>? warn)
    {
        if (Special.AllOne || atoms.Topology.Bonds.Count == 0) return;
        if (potential is not IPairFunction pair)
        {
            if (!_warnedDeepmd && potential is not null)
                warn?.Invoke($"WARNING: special_bonds weights are not applied to pair style {potential.Name}: it sees bonded neighbors as any other pair");
            _warnedDeepmd = true;
            return;
        }
        BuildSpecial(atoms.Topology);
        Span<double> d = stackalloc double[3];
        var q = atoms.HasCharge ? atoms.Q : null;
        foreach (var (idA, idB, level) in _special)
        {
            double wl = 1 - Special.Lj[level - 1], wc = 1 - Special.Coul[level - 1];
            if (wl == 0 && wc == 0) continue;
            if (_listExcluded.Count > 0 && _listExcluded.Contains(PairKey(idA, idB))) continue; // not in the list: nothing to subtract
            int i = Index(idA, step), j = Index(idB, step);
            Delta(atoms, box, i, j, d);
            var rsq = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            int ti = atoms.Type[i], tj = atoms.Type[j];
            if (rsq >= pair.CutoffSquared(ti, tj)) continue;
            var eLj = pair.Single(ti, tj, rsq, 0, 0, out var fLj);
            double eCoul = 0, fCoul = 0;
            if (q is not null && (q[i] != 0 && q[j] != 0))
            {
                eCoul = pair.Single(ti, tj, rsq, q[i], q[j], out var fAll) - eLj;
                fCoul = fAll - fLj;
            }
            var e = -(wl * eLj + wc * eCoul);
            var fpair = -(wl * fLj + wc * fCoul);
            f.CoulombEnergy -= wc * eCoul;
            f.Energy += e;
            AddPair(f, i, j, d, fpair, e, perAtom);
        }
    }

    /// <summary>LAMMPS' special list: 1-2 from the bonds, 1-3 and 1-4 along the bond graph, each pair once at its lowest level.</summary>
    private void BuildSpecial(MolecularTopology topo)
    {
        var key = (topo, topo.Bonds.Count, topo.Angles.Count, topo.Dihedrals.Count, Special.Angle, Special.Dihedral);
        if (Equals(_specialKey, key)) return;
        _specialKey = key;
        var adj = new Dictionary<int, List<int>>();
        void Link(int a, int b)
        {
            if (!adj.TryGetValue(a, out var l)) adj[a] = l = [];
            if (!l.Contains(b)) l.Add(b);
        }
        foreach (var b in topo.Bonds)
        {
            Link(b.A, b.B);
            Link(b.B, b.A);
        }
        HashSet<(int, int)>? angleEnds = Special.Angle ? topo.Angles.Select(t => (Math.Min(t.A, t.C), Math.Max(t.A, t.C))).ToHashSet() : null;
        HashSet<(int, int)>? dihedralEnds = Special.Dihedral ? topo.Dihedrals.Select(t => (Math.Min(t.A, t.D), Math.Max(t.A, t.D))).ToHashSet() : null;
        var pairs = new List<(int, int, int)>();
        foreach (var (a, first) in adj)
        {
            var level = new Dictionary<int, int>();
            foreach (var b in first) level.TryAdd(b, 1);
            foreach (var b in first)
                foreach (var c in adj[b])
                    if (c != a) level.TryAdd(c, 2);
            foreach (var (c, l) in level.ToList())
                if (l == 2)
                    foreach (var e in adj[c])
                        if (e != a) level.TryAdd(e, 3);
            foreach (var (b, l) in level)
            {
                if (b <= a) continue;
                if (l == 2 && angleEnds is not null && !angleEnds.Contains((a, b))) continue;
                if (l == 3 && dihedralEnds is not null && !dihedralEnds.Contains((a, b))) continue;
                pairs.Add((a, b, l));
            }
        }
        pairs.Sort();
        _special = [.. pairs];
    }

    private void BuildIndex(AtomState atoms)
    {
        var max = atoms.MaxId();
        if (_index.Length < max + 1) _index = new int[max + 1];
        Array.Fill(_index, -1);
        for (var i = 0; i < atoms.Count; i++) _index[atoms.Id[i]] = i;
    }

    private int Index(int id, long step)
    {
        var i = id < _index.Length ? _index[id] : -1;
        return i >= 0 ? i : throw new SimulationException($"Bond atoms missing at step {step}: atom {id} of a bonded term does not exist (deleted?); delete bonds with their atoms (delete_atoms ... bond yes)", step, id);
    }

    /// <summary>x_i − x_j at its minimum image (LAMMPS' Domain::minimum_image: one shift per periodic direction, z then y then x).</summary>
    private static void Delta(AtomState a, SimulationBox box, int i, int j, Span<double> d)
    {
        d[0] = a.X[i] - a.X[j];
        d[1] = a.Y[i] - a.Y[j];
        d[2] = a.Z[i] - a.Z[j];
        MinimumImage(box, d);
    }

    /// <summary>A separation vector moved to its minimum image in place (LAMMPS' Domain::minimum_image).</summary>
    public static void MinimumImage(SimulationBox box, Span<double> d)
    {
        double dx = d[0], dy = d[1], dz = d[2];
        if (box.Periodic[2] && Math.Abs(dz) > 0.5 * box.Lz)
        {
            var s = dz < 0 ? 1 : -1;
            dz += s * box.Lz;
            dy += s * box.Yz;
            dx += s * box.Xz;
        }
        if (box.Periodic[1] && Math.Abs(dy) > 0.5 * box.Ly)
        {
            var s = dy < 0 ? 1 : -1;
            dy += s * box.Ly;
            dx += s * box.Xy;
        }
        if (box.Periodic[0] && Math.Abs(dx) > 0.5 * box.Lx) dx += dx < 0 ? box.Lx : -box.Lx;
        d[0] = dx;
        d[1] = dy;
        d[2] = dz;
    }
}
