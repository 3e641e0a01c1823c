namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Minimization;
using DeepMD.Sharp.IO;

/// <summary>The summary LAMMPS prints after a minimization: loop time, "Minimization stats", neighbor builds.</summary>
internal static class MinimizeReport
{
    public static void Print(TextWriter o, Simulation sim, MinimizeResult r, TimeSpan cpuBefore)
    {
        o.WriteLine($"Loop time of {CFormat.G(r.Seconds)} on {TimerReport.Procs(sim)} procs for {r.Iterations} steps with {sim.AtomCount} atoms");
        o.WriteLine();
        TimerReport.CpuUse(o, sim, cpuBefore);
        o.WriteLine();
        o.WriteLine("Minimization stats:");
        o.WriteLine($"  Stopping criterion = {r.Stop.Describe()}");
        o.WriteLine("  Energy initial, next-to-last, final = ");
        o.WriteLine($"    {CFormat.G(r.EnergyInitial, 15, 18)} {CFormat.G(r.EnergyNextToLast, 15, 18)} {CFormat.G(r.EnergyFinal, 15, 18)}");
        o.WriteLine($"  Force two-norm initial, final = {G8(r.ForceTwoNormInitial)} {G8(r.ForceTwoNormFinal)}");
        o.WriteLine($"  Force max component initial, final = {G8(r.ForceMaxComponentInitial)} {G8(r.ForceMaxComponentFinal)}");
        o.WriteLine($"  Final line search alpha, max atom move = {G8(r.FinalAlpha)} {G8(r.FinalAlpha * r.ForceMaxComponentFinal)}");
        o.WriteLine($"  Iterations, force evaluations = {r.Iterations} {r.Evaluations}");
        o.WriteLine();
        o.WriteLine($"Neighbor list builds = {r.NeighborBuilds}");
        o.WriteLine($"Dangerous builds = {r.DangerousBuilds}");
        o.WriteLine();
    }

    /// <summary>Eight significant digits keeping trailing zeros (LAMMPS' <c>{:.8}</c>, like <c>%#.8g</c>).</summary>
    internal static string G8(double v)
    {
        const int digits = 8;
        if (!double.IsFinite(v)) return CFormat.G(v, digits);
        var s = CFormat.G(v, digits);
        var e = s.IndexOf('e');
        var mantissa = e < 0 ? s : s[..e];
        var exponent = e < 0 ? "" : s[e..];
        var significant = 0;
        var started = false;
        foreach (var c in mantissa)
        {
            if (!char.IsAsciiDigit(c)) continue;
            if (c != '0') started = true;
            if (started) significant++;
        }
        if (!started) significant = 1; // zero: "0" counts one digit
        if (significant < digits)
        {
            if (!mantissa.Contains('.')) mantissa += ".";
            mantissa += new string('0', digits - significant);
        }
        return mantissa + exponent;
    }
}
