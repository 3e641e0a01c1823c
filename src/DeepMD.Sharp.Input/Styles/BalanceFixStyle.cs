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
        BalanceArguments.CheckThreshold(args[1], "fix balance");
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
        BalanceArguments.CheckOptions(context, args, k);
        if (context.Communicator is { Size: > 1 })
            throw new UserInputException("fix balance: a decomposed dpsharp run keeps its uniform processor grid; remove the fix");
        return new FixBalance(id);
    }

    /// <summary>The fix on one process: nothing to do.</summary>
    private sealed class FixBalance(string id) : Fix(id)
    {
        public override string Style => "balance";

        public override bool SupportsGroups => true;

        /// <summary>LAMMPS' fix balance declares a subdomain change, so thermo one/multi print the volume.</summary>
        public override bool ChangesSubdomains => true;
    }
}
