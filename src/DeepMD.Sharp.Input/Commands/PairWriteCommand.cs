namespace DeepMD.Sharp.Input.Commands;

using System.Text;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.Dynamics.Potentials;
using DeepMD.Sharp.IO;

/// <summary>
/// <c>pair_write I J N r|rsq INNER OUTER FILE KEYWORD [QI QJ]</c>: tabulates the pair energy and force of types I, J at
/// N distances evenly spaced in r or r² (LAMMPS' table file layout, readable by <c>pair_style table</c>; a new file
/// starts with LAMMPS' DATE/UNITS line, an existing one is appended to). Distances at or beyond the pair's cutoff
/// get 0 0, as in LAMMPS. Works for the styles with a pair function (not deepmd, not eam's embedding).
/// </summary>
[DeckCommand("pair_write")]
public sealed class PairWriteCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (args.Count is not (8 or 10)) throw args.Error("needs: pair_write I J N r|rsq INNER OUTER FILE KEYWORD [QI QJ]");
        var sim = context.Simulation;
        var n = sim.TypeCount;
        var itype = args.Int(0, "I");
        var jtype = args.Int(1, "J");
        if (itype < 1 || itype > n || jtype < 1 || jtype > n) throw args.Error($"Invalid atom types in pair_write command: {itype} {jtype} (1..{n})");
        var points = args.Int(2, "N");
        var style = args[3];
        if (style is not ("r" or "rsq"))
            throw args.Error(style == "bitmap" ? "the bitmap style of pair_write is not supported; use r or rsq" : $"Invalid style '{style}' in pair_write command (r or rsq)");
        if (points < 2) throw args.Error("Must have at least 2 table values");
        var inner = args.Double(4, "inner");
        var outer = args.Double(5, "outer");
        if (inner <= 0.0 || inner >= outer) throw args.Error($"Invalid cutoffs in pair_write command: {inner} {outer}");
        var pairStyle = context.PairStyle ?? throw args.Error("pair_write before pair_style; add pair_style and pair_coeff");
        sim.Potential ??= pairStyle.Build(context);
        if (sim.Potential is not IPairFunction pair)
            throw args.Error($"pair style {context.PairStyleName} has no pair function to tabulate");
        var path = context.OutputPath(args[6]);
        var text = new StringBuilder();
        var exists = File.Exists(path);
        if (exists) text.Append(File.ReadAllText(path));
        else text.Append($"# DATE: {DateTime.Now:yyyy-MM-dd} UNITS: {context.Units.Name} Created by pair_write\n");
        context.Out.WriteLine(exists ? $"Appending to table file {args[6]}" : $"Creating table file {args[6]} with DATE: {DateTime.Now:yyyy-MM-dd}");
        text.Append($"# Pair potential {context.PairStyleName} for atom types {itype} {jtype}: i,r,energy,force\n");
        text.Append($"\n{args[7]}\nN {points} {(style == "r" ? "R" : "RSQ")} {CFormat.G(inner, 15)} {CFormat.G(outer, 15)}\n\n");
        int ti = itype - 1, tj = jtype - 1;
        double qi = args.Count == 10 ? args.Double(8, "QI") : 1.0, qj = args.Count == 10 ? args.Double(9, "QJ") : 1.0;
        var cutSq = pair.CutoffSquared(ti, tj);
        for (var i = 0; i < points; i++)
        {
            double r, rsq;
            if (style == "r")
            {
                r = inner + (outer - inner) * i / (points - 1);
                rsq = r * r;
            }
            else
            {
                rsq = inner * inner + (outer * outer - inner * inner) * i / (points - 1);
                r = Math.Sqrt(rsq);
            }
            double e = 0, f = 0;
            if (rsq < cutSq)
            {
                e = pair.Single(ti, tj, rsq, qi, qj, out f);
                f *= r;
            }
            text.Append($"{i + 1} {CFormat.G(r, 15)} {CFormat.G(e, 15)} {CFormat.G(f, 15)}\n");
        }
        var temp = path + ".tmp";
        try
        {
            File.WriteAllText(temp, text.ToString());
            DurableFile.FlushAndMove(temp, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"pair_write: cannot write {path}: {ex.Message}");
        }
    }
}
