namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Models.Loading;
using DeepMD.Sharp.Models.Serialization;

/// <summary><c>dpsharp convert IN OUT</c>: rewrite a model between DeePMD-kit's <c>.yaml</c> and <c>.dp</c> formats.</summary>
public static class ConvertCommand
{
    public static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("input") { Description = "model to read (.dp or .yaml)" };
        var output = new Argument<string>("output") { Description = "model to write (.dp or .yaml); the format follows the extension" };
        var cmd = new Command("convert", "Convert a model between DeePMD-kit's .yaml and .dp (HDF5) formats") { input, output };
        cmd.SetAction(p =>
        {
            string inPath = p.GetValue(input)!, outPath = p.GetValue(output)!;
            if (Path.GetFullPath(inPath) == Path.GetFullPath(outPath))
                throw new UserInputException($"input and output are the same file ({inPath}); choose another output name");
            var tree = ModelFile.Load(inPath);
            // Validate before writing so that a converted file is always a usable model.
            var model = ModelReader.FromTree(tree, inPath);
            ModelFile.Save(outPath, tree);
            stdout.WriteLine($"wrote {outPath} ({model.Descriptor.TypeName}, type map [{model.TypeMap}], {model.ParameterCount:N0} parameters)");
            return 0;
        });
        return cmd;
    }
}
