namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group property/atom attribute ...</c>: per-atom values of the atoms of the group as LAMMPS gives them
/// (id, type, mass, mol, q, x y z, xs ys zs (fractional), xu yu zu (unwrapped), xsu ysu zsu, ix iy iz, vx vy vz,
/// fx fy fz, and the custom vectors i_NAME/d_NAME of fix property/atom); one attribute is a per-atom vector, several a per-atom array. Atoms outside the group hold 0.
/// </summary>
public sealed class ComputePropertyAtom : Compute
{
    /// <summary>The attributes this compute knows.</summary>
    public static readonly IReadOnlyList<string> Attributes =
        ["id", "type", "mass", "mol", "q", "x", "y", "z", "xs", "ys", "zs", "xu", "yu", "zu", "xsu", "ysu", "zsu", "ix", "iy", "iz", "vx", "vy", "vz", "fx", "fy", "fz"];

    private readonly string[] _attributes;

    public ComputePropertyAtom(string id, AtomGroup group, IReadOnlyList<string> attributes, Simulation sim) : base(id, group)
    {
        if (attributes.Count == 0) throw new UserInputException("Illegal compute property/atom command");
        foreach (var a in attributes)
        {
            if (a.Length > 2 && a[1] == '_' && a[0] is 'i' or 'd')
            {
                // LAMMPS' custom vectors from fix property/atom; looked up again at each evaluation (the fix may go)
                var p = sim.CustomProperties.Find(a[2..]) ?? throw new UserInputException($"Compute property/atom property {a[2..]} does not exist");
                if (p.IsInteger != (a[0] == 'i'))
                    throw new UserInputException(a[0] == 'i' ? $"Compute property/atom integer vector {a[2..]} does not exist" : $"Compute property/atom floating-point vector {a[2..]} does not exist");
                continue;
            }
            if (!Attributes.Contains(a)) throw new UserInputException($"Invalid keyword {a} for compute property/atom command");
            if (a == "q" && !sim.Atoms.HasCharge) throw new UserInputException("Compute property/atom for atom property that isn't allocated");
            if (a == "mol" && !sim.Atoms.HasMolecule) throw new UserInputException("Compute property/atom for atom property that isn't allocated");
        }
        _attributes = [.. attributes];
    }

    public override string Style => "property/atom";

    public override bool HasPerAtom => true;

    public override int PerAtomColumns => _attributes.Length == 1 ? 0 : _attributes.Length;

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        var a = sim.Atoms;
        var box = sim.Box!;
        var cols = _attributes.Length;
        var inv = box.Cell.Inverse;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            for (var c = 0; c < cols; c++)
                values[i * cols + c] = Value(sim, _attributes[c], i, inv);
        }
    }

    private static double Value(Simulation sim, string attribute, int i, ReadOnlySpan<double> inv)
    {
        var a = sim.Atoms;
        var box = sim.Box!;
        switch (attribute)
        {
            case "id": return a.Id[i];
            case "type": return a.Type[i] + 1;
            case "mass": return sim.Masses[a.Type[i]];
            case "mol": return a.Molecule[i];
            case "q": return a.Q[i];
            case "x": return a.X[i];
            case "y": return a.Y[i];
            case "z": return a.Z[i];
            case "ix": return a.ImageA[i];
            case "iy": return a.ImageB[i];
            case "iz": return a.ImageC[i];
            case "vx": return a.Vx[i];
            case "vy": return a.Vy[i];
            case "vz": return a.Vz[i];
            case "fx": return a.Fx[i];
            case "fy": return a.Fy[i];
            case "fz": return a.Fz[i];
            case ['i' or 'd', '_', ..]:
                return (sim.CustomProperties.FindPrefixed(attribute)
                    ?? throw new UserInputException($"Compute property/atom property {attribute[2..]} does not exist")).Get(a.Id[i]);
            case "xu" or "yu" or "zu":
            {
                var (x, y, z) = Unwrapped(sim, i);
                return attribute == "xu" ? x : attribute == "yu" ? y : z;
            }
            default:
            {
                // Fractional coordinates: LAMMPS' (x − boxlo)/prd for orthogonal boxes, h⁻¹ (x − boxlo) for triclinic ones.
                var unwrapped = attribute.EndsWith("su", StringComparison.Ordinal);
                var axis = attribute[0] - 'x';
                double s;
                if (!box.IsTriclinic)
                {
                    var v = axis == 0 ? a.X[i] : axis == 1 ? a.Y[i] : a.Z[i];
                    var prd = axis == 0 ? box.Lx : axis == 1 ? box.Ly : box.Lz;
                    s = (v - box.Lo[axis]) * (1.0 / prd);
                }
                else
                {
                    double dx = a.X[i] - box.Lo[0], dy = a.Y[i] - box.Lo[1], dz = a.Z[i] - box.Lo[2];
                    s = dx * inv[axis] + dy * inv[3 + axis] + dz * inv[6 + axis];
                }
                if (unwrapped) s += axis == 0 ? a.ImageA[i] : axis == 1 ? a.ImageB[i] : a.ImageC[i];
                return s;
            }
        }
    }
}

/// <summary>
/// <c>compute ID group displace/atom</c>: for each atom of the group, dx dy dz and |d| of its unwrapped position from
/// where it was when the compute was defined (LAMMPS' per-atom array of 4 columns; others hold 0).
/// </summary>
public sealed class ComputeDisplaceAtom : Compute
{
    private readonly Dictionary<int, (double X, double Y, double Z)> _origin = [];

    public ComputeDisplaceAtom(string id, AtomGroup group, Simulation sim) : base(id, group)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
            if (group.Contains(a.Id[i])) _origin[a.Id[i]] = Unwrapped(sim, i);
    }

    /// <summary>
    /// An atom created after the compute (read_dump add): its origin is its position as created, not unwrapped
    /// (LAMMPS' set_arrays).
    /// </summary>
    public void AtomCreated(int id, double x, double y, double z) => _origin[id] = (x, y, z);

    public override string Style => "displace/atom";

    public override bool HasPerAtom => true;

    public override int PerAtomColumns => 4;

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        var a = sim.Atoms;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var (x0, y0, z0) = _origin.TryGetValue(a.Id[i], out var o) ? o : (0.0, 0.0, 0.0);
            var (x, y, z) = Unwrapped(sim, i);
            double dx = x - x0, dy = y - y0, dz = z - z0;
            values[4 * i] = dx;
            values[4 * i + 1] = dy;
            values[4 * i + 2] = dz;
            values[4 * i + 3] = Math.Sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
}
