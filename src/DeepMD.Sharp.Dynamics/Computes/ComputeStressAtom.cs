namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Dynamics.Groups;

/// <summary>
/// <c>compute ID group stress/atom temp-ID|NULL [ke] [pair] [virial]</c>: the per-atom stress tensor times volume,
/// −(m v_a v_b + W_ab) in pressure·volume units (xx, yy, zz, xy, xz, yz), as LAMMPS' compute stress/atom. The kinetic
/// term uses the plain velocities (a temperature compute given as temp-ID removes no bias here). The pair virial is
/// the potential's per-atom virial (pair_style deepmd) or each pair's virial split evenly between its atoms (pairwise
/// styles); other styles are refused. Summed over all atoms and divided by 3V it gives −pressure.
/// </summary>
public sealed class ComputeStressAtom(string id, AtomGroup group, bool kinetic, bool virial) : Compute(id, group)
{
    private double[] _vatom = [];

    public override string Style => "stress/atom";

    public override bool HasPerAtom => true;

    public override int PerAtomColumns => 6;

    public override bool NeedsPerAtomVirial => virial;

    protected override void ComputePerAtom(Simulation sim, double[] values)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        var n = a.Count;
        if (virial)
        {
            if (_vatom.Length < 6 * n) _vatom = new double[6 * n];
            PerAtomTerms.PairVirial(sim, this, _vatom);
        }
        var mvv2e = sim.Units.Mvv2e;
        var nktv2p = -sim.Units.Nktv2p;
        for (var i = 0; i < n; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            var s = values.AsSpan(6 * i, 6);
            if (virial) _vatom.AsSpan(6 * i, 6).CopyTo(s);
            if (kinetic)
            {
                var onemass = mvv2e * sim.Masses[a.Type[i]];
                s[0] += onemass * a.Vx[i] * a.Vx[i];
                s[1] += onemass * a.Vy[i] * a.Vy[i];
                s[2] += onemass * a.Vz[i] * a.Vz[i];
                s[3] += onemass * a.Vx[i] * a.Vy[i];
                s[4] += onemass * a.Vx[i] * a.Vz[i];
                s[5] += onemass * a.Vy[i] * a.Vz[i];
            }
            for (var k = 0; k < 6; k++) s[k] *= nktv2p;
        }
    }
}
