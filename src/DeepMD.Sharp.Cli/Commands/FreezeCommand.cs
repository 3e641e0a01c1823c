namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Runtime.CompilerServices;

/// <summary>
/// <c>dpsharp freeze [-i input.json] [-c CHECKPOINT] [-o frozen_model.dp]</c>: writes the model of a training checkpoint
/// as a model file (DeePMD-kit's <c>dp freeze</c>); the checkpoint defaults to the newest of input.json's save_ckpt.
/// </summary>
public static class FreezeCommand
{
    public static Command Create(TextWriter stdout)
    {
        var input = new Option<string>("--input", "-i") { Description = "the training input.json (the model's hyper-parameters and training data)", DefaultValueFactory = _ => "input.json" };
        var checkpoint = new Option<string?>("--checkpoint", "-c") { Description = "a PREFIX-STEP.ckpt file, or a save_ckpt prefix for its newest checkpoint (default: input.json's save_ckpt)" };
        var output = new Option<string>("--output", "-o") { Description = "model file to write (.dp or .yaml)", DefaultValueFactory = _ => "frozen_model.dp" };
        var cmd = new Command("freeze", "Write the model of a training checkpoint as a .dp/.yaml model file (like dp freeze)") { input, checkpoint, output };
        cmd.SetAction(p =>
        {
            Run(p.GetValue(input)!, p.GetValue(checkpoint), p.GetValue(output)!, stdout);
            return 0;
        });
        return cmd;
    }

    // Out of line so that TorchSharp loads only when this command runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(string input, string? checkpoint, string output, TextWriter stdout) =>
        Training.TrainingSession.Freeze(input, checkpoint, output, stdout);
}
