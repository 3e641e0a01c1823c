namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group momentum</c>: the group's total linear momentum Σ m·v (a 3-vector, extensive: thermo divides it
/// by the atom count where thermo_modify norm is on), as LAMMPS' compute momentum.
/// </summary>
public sealed class ComputeMomentum(string id, AtomGroup group) : Compute(id, group)
{
    public override string Style => "momentum";

    public override int VectorLength => 3;

    public override bool ExtensiveVectorElement(int index) => true;

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        double px = 0, py = 0, pz = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var m = sim.Masses[a.Type[i]];
            px += m * a.Vx[i];
            py += m * a.Vy[i];
            pz += m * a.Vz[i];
        }
        vector[0] = px;
        vector[1] = py;
        vector[2] = pz;
    }
}
