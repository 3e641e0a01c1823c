namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary><c>compute ID group com</c>: the centre of mass of the group from unwrapped positions (intensive), as LAMMPS' compute com.</summary>
public sealed class ComputeCom(string id, AtomGroup group) : Compute(id, group)
{
    public override string Style => "com";

    public override int VectorLength => 3;

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        var (x, y, z, _) = CenterOfMass(sim, Group);
        vector[0] = x;
        vector[1] = y;
        vector[2] = z;
    }

    /// <summary>Σ m·x_unwrapped / Σ m over the group (LAMMPS' group xcm) and the group's mass.</summary>
    internal static (double X, double Y, double Z, double Mass) CenterOfMass(Simulation sim, AtomGroup group)
    {
        var a = sim.Atoms;
        double cx = 0, cy = 0, cz = 0, mass = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!group.Contains(a.Id[i])) continue;
            var m = sim.Masses[a.Type[i]];
            var (ux, uy, uz) = Unwrapped(sim, i);
            cx += ux * m;
            cy += uy * m;
            cz += uz * m;
            mass += m;
        }
        return mass > 0 ? (cx / mass, cy / mass, cz / mass, mass) : (0, 0, 0, 0);
    }
}
