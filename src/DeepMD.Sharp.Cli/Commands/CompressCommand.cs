namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Compression;
using DeepMD.Sharp.Models.Evaluation;
using DeepMD.Sharp.Models.Serialization;

/// <summary><c>dpsharp compress IN OUT</c>: tabulate the embedding nets like <c>dp compress</c>.</summary>
public static class CompressCommand
{
    public static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("input") { Description = "model to compress (.dp or .yaml; se_e2_a, se_e2_r, or se_atten/se_atten_v2 in strip mode)" };
        var output = new Argument<string>("output") { Description = "compressed model to write (.dp or .yaml)" };
        var step = new Option<double>("--step", "-s") { Description = "fine table stride (the coarse one is 10x)", DefaultValueFactory = _ => 0.01 };
        var extrapolate = new Option<double>("--extrapolate", "-e") { Description = "coarse table range, as a multiple of the fine range's upper end", DefaultValueFactory = _ => 5 };
        var frequency = new Option<int>("--frequency", "-f") { Description = "overflow check frequency stored with the tables", DefaultValueFactory = _ => -1 };
        var dmin = new Option<double?>("--min-nbor-dist") { Description = "smallest neighbor distance of the training data, Å (default: the model's stored value)" };
        var check = new Option<string?>("--check") { Description = "a structure to evaluate with both models; prints the largest energy and force differences" };
        var typeMap = new Option<string?>("--type-map") { Description = "element of each LAMMPS type for --check with a data file" };
        var cmd = new Command("compress", "Tabulate the embedding nets of an se_e2_a, se_e2_r or strip-mode se_atten model (DeePMD-kit's dp compress)")
        {
            input, output, step, extrapolate, frequency, dmin, check, typeMap,
        };
        cmd.SetAction(p =>
        {
            string inPath = p.GetValue(input)!, outPath = p.GetValue(output)!;
            if (Path.GetFullPath(inPath) == Path.GetFullPath(outPath))
                throw new UserInputException($"input and output are the same file ({inPath}); choose another output name");
            var tree = ModelFile.Load(inPath);
            var original = ModelLoader.Load(inPath);
            var compressed = ModelCompressor.Compress(tree, inPath, new ModelCompressor.Settings
            {
                Stride0 = p.GetValue(step),
                Extrapolate = p.GetValue(extrapolate),
                CheckFrequency = p.GetValue(frequency),
                MinNeighborDistance = p.GetValue(dmin),
            });
            ModelFile.Save(outPath, tree);
            var ci = CultureInfo.InvariantCulture;
            stdout.WriteLine($"wrote {outPath}");
            if (p.GetValue(check) is { } structurePath)
            {
                var types = p.GetValue(typeMap)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var s = StructureReader.Read(structurePath, types);
                var t = s.TypesFor(original.TypeMap);
                var nl = CellListNeighborSearch.Build(s.X, s.Y, s.Z, s.Box, original.Cutoff);
                var a = ReferenceEvaluator.Evaluate(original, t, nl);
                var b = ReferenceEvaluator.Evaluate(compressed, t, nl);
                var df = a.Forces.Zip(b.Forces, (u, v) => Math.Abs(u - v)).Max();
                stdout.WriteLine(string.Create(ci, $"check on {structurePath} ({s.Count} atoms): |ΔE|/N = {Math.Abs(a.Energy - b.Energy) / s.Count:E2} eV/atom, max |ΔF| = {df:E2} eV/Å"));
            }
            return 0;
        });
        return cmd;
    }
}
