namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>fix ID group balance Nfreq thresh shift DIMSTR Niter stopthresh | rcb [weight ...] [out file]</c>: LAMMPS
/// rebalances subdomains every Nfreq steps. One process has nothing to balance, so the fix is checked with LAMMPS'
/// rules and messages and then does nothing; several ranks refuse it.
/// </summary>
[FixStyle("balance")]
public sealed class BalanceFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count < 3) throw new UserInputException("Illegal fix balance command");
        if (!int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var nevery) || nevery < 0)
            throw new UserInputException("Illegal fix balance command");
        var thresh = BalanceArguments.CheckThreshold(args[1], "fix balance");
        int k;
        if (args[2] == "shift")
        {
            if (args.Count < 6) throw new UserInputException("Illegal fix balance command");
            BalanceArguments.CheckShift(args, 2, context.Simulation.Dimension, "Illegal fix balance command", "Fix balance shift string is invalid");
            k = 6;
        }
        else if (args[2] == "rcb")
        {
            if (!context.CommStyleTiled) throw new UserInputException("Fix balance rcb cannot be used with comm_style brick");
            k = 3;
        }
        else throw new UserInputException($"Illegal fix balance command: style '{args[2]}' (valid: shift rcb)");
        var weights = BalanceArguments.CheckOptions(context, args, k);
        if (context.Communicator is { Size: > 1 })
            throw new UserInputException("fix balance: a decomposed dpsharp run keeps its uniform processor grid; remove the fix");
        // One process: shift makes one pass per dimension of its string, rcb none (LAMMPS' iteration count).
        return new FixBalance(id, nevery, thresh, args[2] == "shift" ? args[3].Length : 0, weights);
    }

    /// <summary>
    /// The fix on one process: nothing to move. Its global values are LAMMPS' on one process: the imbalance factor of
    /// one process is 1, so LAMMPS "rebalances" at setup whenever the threshold is below 1; then the scalar (final
    /// imbalance) and f_ID[3] (imbalance before) are 1 and f_ID[2] (iterations) the number of shift dimensions (0 for rcb); before that, and with a threshold of
    /// 1 or more, they stay 0. f_ID[1] (largest load on a process) is the atom count; with weights it is their sum.
    /// Weights are computed (and stored with <c>weight store</c>) at setup and every Nfreq steps after the integration's
    /// first half, where LAMMPS' pre_exchange does it.
    /// </summary>
    private sealed class FixBalance(string id, int nevery, double thresh, int iterations, BalanceWeights weights) : Fix(id), IFixGlobalValues
    {
        private bool _balanced, _setUp;
        private double _load;
        private long _lastBalance = -1;

        private void SetWeights(Simulation sim)
        {
            if (sim.Step == _lastBalance) return;
            _lastBalance = sim.Step;
            if (weights.Any) _load = weights.Compute(sim).Sum();
        }

        /// <summary>
        /// LAMMPS' fix balance forces a neighbor list rebuild every Nfreq steps (its next_reneighbor), whatever the
        /// neigh_modify rule says, and computes the weights in that rebuild's pre_exchange.
        /// </summary>
        public override void PostIntegrate(Simulation sim)
        {
            if (nevery <= 0 || sim.Step % nevery != 0) return;
            sim.Verlet.RequestRebuild();
            if (weights.Any) sim.WrapAtoms(); // LAMMPS' pre_exchange wraps the atoms (domain->pbc) before the weights
            SetWeights(sim);
        }

        public override string Style => "balance";

        public override bool SupportsGroups => true;

        public override void Setup(Simulation sim)
        {
            SetWeights(sim);
            _setUp = true;
            if (1.0 > thresh) _balanced = true;
        }

        public bool HasScalar => true;

        public double Scalar(Simulation sim) => _balanced ? 1.0 : 0.0;

        public bool ExtensiveScalar => false;

        public int VectorLength => 3;

        public double Vector(Simulation sim, int i) => i switch
        {
            0 => !_setUp ? 0.0 : weights.Any ? _load : sim.AtomCount,
            1 => _balanced ? iterations : 0.0,
            _ => _balanced ? 1.0 : 0.0,
        };

        public bool ExtensiveVector(int i) => false;

        /// <summary>LAMMPS' fix balance declares a subdomain change, so thermo one/multi print the volume.</summary>
        public override bool ChangesSubdomains => true;
    }
}
