namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Linear;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// <c>dpsharp combine MODEL --pair-table T -o OUT</c>: a DP model and a pair table as one DeePMD-kit composite model
/// (<c>linear_ener</c> with constant weights, or <c>zbl</c> with the softmin switch). docs/zbl-and-linear-models.md.
/// </summary>
public static class CombineCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var input = new Argument<string>("model") { Description = "the DP model (.dp or .yaml, a standard descriptor + energy model)" };
        var table = new Option<string>("--pair-table") { Description = "pair table in DeePMD-kit's format (dpsharp pair-table zbl writes one)", Required = true };
        var weights = new Option<string>("--weights") { Description = "linear_ener weights: sum, mean, or two numbers DP,table", DefaultValueFactory = _ => "sum" };
        var zbl = new Option<double[]?>("--zbl-switch") { Description = "SW_RMIN SW_RMAX: make a zbl model instead (table below sw_rmin, DP beyond sw_rmax, by the softmin neighbor distance)", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
        var alpha = new Option<double>("--smin-alpha") { Description = "softmin length of the zbl switch, Å", DefaultValueFactory = _ => 0.1 };
        var output = new Option<string>("--output", "-o") { Description = "composite model to write (.dp or .yaml)", Required = true };
        var cmd = new Command("combine", "Combine a DP model with a pair table into a DeePMD-kit linear_ener (or zbl) model")
        {
            input, table, weights, zbl, alpha, output,
        };
        cmd.SetAction(p =>
        {
            string inPath = p.GetValue(input)!, outPath = p.GetValue(output)!, tablePath = p.GetValue(table)!;
            if (Path.GetFullPath(inPath) == Path.GetFullPath(outPath))
                throw new UserInputException($"input and output are the same file ({inPath}); choose another output name");
            var settings = new LinearModelWriter.Settings();
            if (p.GetValue(zbl) is { Length: 2 } sw)
                settings = settings with { Kind = LinearKind.Zbl, SwRmin = sw[0], SwRmax = sw[1], SminAlpha = p.GetValue(alpha) };
            else
            {
                var w = p.GetValue(weights)!.Trim();
                if (w is "sum" or "mean") settings = settings with { Weights = w };
                else
                {
                    var parts = w.Split(',', StringSplitOptions.TrimEntries);
                    var nums = new double[parts.Length];
                    if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out nums[0])
                        || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out nums[1]))
                        throw new UserInputException($"--weights '{w}': use sum, mean, or two numbers DP,table (e.g. 1,0.5)");
                    settings = settings with { Weights = nums };
                }
            }
            var tree = ModelFile.Load(inPath);
            var combined = LinearModelWriter.Combine(tree, inPath, tablePath, settings, out var pairTable);
            foreach (var warning in pairTable.Warnings) stderr.WriteLine($"warning: {warning}");
            var model = ModelReader.FromTree(combined, outPath); // validate before writing
            ModelFile.Save(outPath, combined);
            var lin = model.Linear!;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outPath}: {(lin.Kind == LinearKind.Zbl ? $"zbl (switch {lin.SwRmin}–{lin.SwRmax} Å, smin_alpha {lin.SminAlpha})" : $"linear_ener (weights {lin.WeightsText})")}, " +
                $"DP {model.Descriptor.TypeName} rcut {model.Descriptor.Rcut} Å + pair table r = {pairTable.Rmin} … {pairTable.Rmax} Å ({pairTable.SplineCount} splines to rcut {pairTable.Rcut} Å)"));
            return 0;
        });
        return cmd;
    }
}
