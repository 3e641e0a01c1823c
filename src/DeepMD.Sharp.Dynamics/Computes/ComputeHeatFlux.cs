namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group heat/flux KE PE STRESS</c>: LAMMPS' heat flux J·V from a ke/atom, a pe/atom and a stress/atom
/// compute — Σ (e_i v_i) − Σ (S_i v_i) over the group, the stress term (stress × volume) divided by nktv2p to give
/// energy × velocity — as a global vector of 6: the total flux (x, y, z), then its convective part Σ e_i v_i alone.
/// Extensive; divide by the volume for the flux. The stress tensor is taken symmetric (stress/atom's 6 components), as
/// LAMMPS does for a stress/atom compute.
/// </summary>
public sealed class ComputeHeatFlux(string id, AtomGroup group, Compute ke, Compute pe, Compute stress) : Compute(id, group)
{
    public override string Style => "heat/flux";

    public override int VectorLength => 6;

    public override bool ExtensiveVectorElement(int index) => true;

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        RequireSerial(sim);
        var k = ke.PerAtom(sim);
        var p = pe.PerAtom(sim);
        var s = stress.PerAtom(sim);
        var a = sim.Atoms;
        double jc0 = 0, jc1 = 0, jc2 = 0, jv0 = 0, jv1 = 0, jv2 = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            double vx = a.Vx[i], vy = a.Vy[i], vz = a.Vz[i];
            var e = p[i] + k[i];
            jc0 += e * vx;
            jc1 += e * vy;
            jc2 += e * vz;
            var t = s.AsSpan(6 * i, 6); // xx yy zz xy xz yz
            jv0 -= t[0] * vx + t[3] * vy + t[4] * vz;
            jv1 -= t[3] * vx + t[1] * vy + t[5] * vz;
            jv2 -= t[4] * vx + t[5] * vy + t[2] * vz;
        }
        var nktv2p = sim.Units.Nktv2p;
        jv0 /= nktv2p;
        jv1 /= nktv2p;
        jv2 /= nktv2p;
        vector[0] = jc0 + jv0;
        vector[1] = jc1 + jv1;
        vector[2] = jc2 + jv2;
        vector[3] = jc0;
        vector[4] = jc1;
        vector[5] = jc2;
    }
}
