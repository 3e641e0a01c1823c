namespace DeepMD.Sharp.Dynamics.Domains;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Potentials;
using DeepMD.Sharp.Domains.Decomposition;
using DeepMD.Sharp.Dynamics.Potentials;

/// <summary>
/// <c>minimize</c> over several ranks: the force evaluations are decomposed, the minimizer's own arithmetic is not.
/// While <see cref="WholeSystemForces"/> is set, <see cref="Simulation.ComputeForces"/> hands over to
/// <see cref="ComputeWholeSystemForces"/>: every rank holds the whole system (as between runs), each evaluation
/// distributes it afresh (the decomposition a run would use), builds the ghost shell and a full list over the owned
/// centers, evaluates, reverse-communicates the ghost forces, sums energy and virial over the ranks in rank order, and
/// gives every rank all forces. The minimizer (line searches, dot products, convergence tests) then runs on the same
/// numbers on every rank, so every rank takes the same decisions as the one-process minimizer, which sees the same
/// forces and energies to rounding.
/// </summary>
public sealed partial class DecomposedRun
{
    private readonly ForceRequest _wholeRequest = new();
    private readonly ForceResult _wholeForces = new();
    private readonly double[] _wholeTotals = new double[10];

    /// <summary>Set during a minimization: force evaluations go through <see cref="ComputeWholeSystemForces"/>.</summary>
    public bool WholeSystemForces
    {
        get;
        set
        {
            field = value;
            _afterRun = null; // the atoms move: the last run's list state no longer describes them
        }
    }

    /// <summary>Stops with a <see cref="UserInputException"/> when the pair style or box cannot be evaluated decomposed.</summary>
    public void CheckMinimizeSupported(Simulation sim)
    {
        var ranks = Communicator.Size;
        string Not(string what) => $"{what} is not supported by minimize with {ranks} ranks yet (decomposed minimization supports pair_style lj/cut, eam, eam/alloy and deepmd in periodic orthogonal boxes)";
        var box = sim.Box ?? throw new UserInputException("minimize before the box exists; use create_box or read_data first");
        if (!box.Periodic[0] || !box.Periodic[1] || !box.Periodic[2]) throw new UserInputException(Not("a non-periodic boundary"));
        if (box.IsTriclinic) throw new UserInputException(Not("a triclinic box"));
        if (sim.Potential is { } p && p.Name is not ("lj/cut" or "deepmd" or "eam" or "eam/alloy")) throw new UserInputException(Not($"pair_style {p.Name}"));
    }

    /// <summary>Force evaluations made by <see cref="ComputeWholeSystemForces"/> (all minimizations so far).</summary>
    public int WholeSystemEvaluations { get; private set; }

    /// <summary>Energy, virial and forces of the whole system (every rank holds it), evaluated decomposed. Collective.</summary>
    public void ComputeWholeSystemForces(Simulation sim)
    {
        var box = sim.Box!;
        var cell = box.Cell;
        var potential = sim.Potential!;
        var cutoff = potential.Cutoff + sim.Neighbor.Skin;
        var grid = Processors is { } p
            ? ProcessorGrid.Parse(p[0], p[1], p[2], Communicator.Size, cell)
            : ProcessorGrid.Choose(Communicator.Size, cell);
        var dd = new DomainDecomposition(Communicator, grid, cell, cutoff, extraWidth: 1);
        WholeSystemEvaluations++;
        var a = sim.Atoms;
        var n = a.Count;
        var id = new long[n];
        var extra = new double[n];
        var (x, y, z) = (new double[n], new double[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            id[i] = a.Id[i];
            (x[i], y[i], z[i]) = (a.X[i] - box.Lo[0], a.Y[i] - box.Lo[1], a.Z[i] - box.Lo[2]);
            extra[i] = i;
        }
        dd.Distribute(id, a.Type.AsSpan(0, n), x, y, z, default, extra);
        dd.Borders();
        var d = dd.Atoms;
        var nall = d.NAll;
        var full = CellListNeighborSearch.Build(d.X.AsSpan(0, nall), d.Y.AsSpan(0, nall), d.Z.AsSpan(0, nall), null, cutoff);
        var list = new NeighborList(full.Offsets.AsSpan(0, d.NLocal + 1).ToArray(), full.Owner, full.Dx, full.Dy, full.Dz, cutoff);
        var r = _wholeRequest;
        r.X = d.X;
        r.Y = d.Y;
        r.Z = d.Z;
        r.Types = d.Type;
        r.AtomCount = nall;
        r.LocalCount = d.NLocal;
        r.Box = null;
        r.Neighbors = list;
        r.HalfNeighbors = null;
        r.PerAtom = false;
        r.Step = sim.Step;
        r.Ids = null;
        r.Parallel = ThreadSettings.Options(sim.Threads);
        if (potential is EamPotential eam) eam.ComputeWithGhosts(r, _wholeForces, v => dd.ForwardValues(v.AsSpan(0, dd.Atoms.NAll)));
        else potential.Compute(r, _wholeForces);
        dd.ReverseForces(_wholeForces.Fx, _wholeForces.Fy, _wholeForces.Fz);

        // Every rank gets every force: (index, fx, fy, fz) of the owned atoms gathered to rank 0, then broadcast.
        var mine = new double[4 * d.NLocal];
        for (var k = 0; k < d.NLocal; k++)
            (mine[4 * k], mine[4 * k + 1], mine[4 * k + 2], mine[4 * k + 3]) = (d.Extra[k], _wholeForces.Fx[k], _wholeForces.Fy[k], _wholeForces.Fz[k]);
        var all = Communicator.GatherV<double>(mine, 0);
        if (Communicator.Rank != 0) all = new double[4 * n];
        if (all.Length != 4 * n) throw new InvalidOperationException($"gathered the forces of {all.Length / 4} atoms, expected {n}");
        Communicator.Broadcast<double>(all, 0);
        if (a.Fx.Length < n || a.Fy.Length < n || a.Fz.Length < n)
            (a.Fx, a.Fy, a.Fz) = (new double[a.X.Length], new double[a.X.Length], new double[a.X.Length]);
        for (var k = 0; k < n; k++)
        {
            var i = (int)all[4 * k];
            (a.Fx[i], a.Fy[i], a.Fz[i]) = (all[4 * k + 1], all[4 * k + 2], all[4 * k + 3]);
        }
        _wholeTotals[0] = _wholeForces.Energy;
        _wholeForces.Virial.CopyTo(_wholeTotals.AsSpan(1));
        Sum(_wholeTotals);
        sim.AcceptExternalForces(_wholeTotals[0], _wholeTotals.AsSpan(1));
    }
}
