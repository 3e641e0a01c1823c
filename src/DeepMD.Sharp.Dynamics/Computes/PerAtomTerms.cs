namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Dynamics.Potentials;

/// <summary>Per-atom energies and virials that per-atom computes read from the last force evaluation.</summary>
internal static class PerAtomTerms
{
    /// <summary>
    /// LAMMPS' "Per-atom energy was not tallied on needed timestep": the last force evaluation did not fill per-atom
    /// terms (the compute was defined after it, e.g. read between runs before any run with it).
    /// </summary>
    public static void RequireTallied(Simulation sim, Compute compute, string what)
    {
        if (!sim.PerAtomTallied)
            throw new UserInputException($"{what} was not tallied on needed timestep (compute {compute.Id} {compute.Style} at step {sim.Step}: the last force evaluation did not compute per-atom terms; evaluate it during a run, e.g. in thermo, a dump or fix ave/time)");
    }

    /// <summary>
    /// Per-atom pair virials (xx, yy, zz, xy, xz, yz per atom, energy units, LAMMPS' vatom) of the current positions:
    /// from the potential's per-atom virial when it fills one (pair_style deepmd), else from the pair function of a
    /// pairwise style on a full list (each pair's virial split evenly between its two atoms, as LAMMPS tallies it).
    /// </summary>
    public static void PairVirial(Simulation sim, Compute compute, double[] vatom)
    {
        var a = sim.Atoms;
        var n = a.Count;
        System.Array.Clear(vatom, 0, 6 * n);
        if (sim.Potential is IPairFunction pair)
        {
            double cut = sim.Potential.Cutoff;
            var list = CellListNeighborSearch.Build(a.X.AsSpan(0, n), a.Y.AsSpan(0, n), a.Z.AsSpan(0, n), sim.Box!.Cell, cut);
            for (var i = 0; i < n; i++)
            {
                var ti = a.Type[i];
                for (var e = list.Offsets[i]; e < list.Offsets[i + 1]; e++)
                {
                    var j = list.Owner[e];
                    var tj = a.Type[j];
                    double dx = -list.Dx[e], dy = -list.Dy[e], dz = -list.Dz[e];
                    var rsq = dx * dx + dy * dy + dz * dz;
                    if (rsq >= pair.CutoffSquared(ti, tj)) continue;
                    double qi = a.HasCharge ? a.Q[i] : 0, qj = a.HasCharge ? a.Q[j] : 0;
                    pair.Single(ti, tj, rsq, qi, qj, out var fpair);
                    var h = 0.5 * fpair;
                    vatom[6 * i] += h * dx * dx;
                    vatom[6 * i + 1] += h * dy * dy;
                    vatom[6 * i + 2] += h * dz * dz;
                    vatom[6 * i + 3] += h * dx * dy;
                    vatom[6 * i + 4] += h * dx * dz;
                    vatom[6 * i + 5] += h * dy * dz;
                }
            }
            return;
        }
        if (sim.Potential is { FillsAtomVirial: true })
        {
            RequireTallied(sim, compute, "Per-atom virial");
            var w = sim.AtomVirial;
            for (var i = 0; i < n; i++)
            {
                vatom[6 * i] = w[9 * i];
                vatom[6 * i + 1] = w[9 * i + 4];
                vatom[6 * i + 2] = w[9 * i + 8];
                vatom[6 * i + 3] = w[9 * i + 1];
                vatom[6 * i + 4] = w[9 * i + 2];
                vatom[6 * i + 5] = w[9 * i + 5];
            }
            return;
        }
        throw new UserInputException($"compute {compute.Id} {compute.Style}: per-atom virials are available for pair_style deepmd and the pairwise styles (lj/cut, morse, ...), not for pair_style {sim.Potential?.Name ?? "(none)"}");
    }
}
