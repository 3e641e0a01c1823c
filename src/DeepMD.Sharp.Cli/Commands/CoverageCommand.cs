namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Core.Files;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models.Coverage;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary>
/// <c>dpsharp coverage -m MODEL -s DATA... -o OUT</c>: stores what the data covered (per type pair the smallest distance,
/// per type the range of each descriptor component, computed with the model) in the model's <c>@variables</c>, so that
/// the extrapolation guard of <c>pair_style deepmd</c> can check runs against it. Works on any model, DeePMD-kit's too.
/// </summary>
public static class CoverageCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model", "-m") { Description = "model file (.dp or .yaml)", Required = true };
        var systems = new Option<string[]>("--system", "-s") { Description = "the training data: deepmd/npy systems, folders of systems, or file.hdf5#/group", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Description = "model file to write (.dp or .yaml; may be the input)", Required = true };
        var backend = new Option<string?>("--backend") { Description = "reference, cpu or cpu-f32 (default: fastest supporting the model on the CPU)" };
        var cmd = new Command("coverage", "Store the training data's coverage (pair minima, descriptor ranges) in a model for the extrapolation guard") { model, systems, output, backend };
        cmd.SetAction(p =>
        {
            var path = p.GetValue(model)!;
            var tree = ModelFile.Load(path);
            var m = ModelReader.FromTree(tree, path);
            var evaluator = BackendRegistry.Default.Create(m, p.GetValue(backend), out var reason);
            // The guard sees descriptors on the host backends; a GPU pick (auto on a CUDA machine) gives way to the CPU's.
            if (p.GetValue(backend) is null && evaluator.Name.StartsWith("gpu", StringComparison.Ordinal))
                evaluator = BackendRegistry.Default.Create(m, "cpu", out reason);
            var builder = new CoverageBuilder(evaluator);
            var specs = p.GetValue(systems)!.SelectMany(DeepmdSystemFinder.Find).ToList();
            foreach (var spec in specs)
            {
                var s = DeepmdSystemReader.Read(spec).MapTo(m.TypeMap.Names);
                for (var f = 0; f < s.FrameCount; f++)
                {
                    var (x, y, z, box) = s.Frame(f);
                    builder.Add(x, y, z, s.Types, box, s.Virials is not null);
                }
            }
            var coverage = builder.Build();
            coverage.WriteTo(tree);
            var outPath = p.GetValue(output)!;
            var full = Path.GetFullPath(outPath);
            var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.tmp{Environment.ProcessId}{Path.GetExtension(full)}");
            ModelFile.Save(tmp, tree);
            DurableFile.MoveIntoPlace(tmp, full);
            var ci = CultureInfo.InvariantCulture;
            var names = m.TypeMap.Names;
            stdout.WriteLine($"coverage of {specs.Count} systems, {coverage.FrameCount} frames (descriptors by backend {reason}):");
            for (var a = 0; a < names.Count; a++)
                for (var b = a; b < names.Count; b++)
                    stdout.WriteLine(string.Create(ci, $"  {names[a]}-{names[b]} smallest distance: {(coverage.PairMinDistance[a, b] >= 0 ? coverage.PairMinDistance[a, b].ToString("0.0000", ci) + " Å" : "none within rcut")}"));
            stdout.WriteLine($"  descriptor ranges: {names.Count} types x {m.Descriptor.OutputSize} components");
            stdout.WriteLine(coverage.VolumePerAtom is { } v
                ? string.Create(ci, $"  cell volume per atom: {v.Min:0.####} to {v.Max:0.####} Å³; frames with virial labels: {coverage.VirialFrames}")
                : $"  cell volume per atom: no periodic frame; frames with virial labels: {coverage.VirialFrames}");
            stdout.WriteLine($"wrote {outPath}");
            return 0;
        });
        return cmd;
    }
}
