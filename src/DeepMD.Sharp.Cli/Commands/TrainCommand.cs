namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Runtime.CompilerServices;

/// <summary>
/// <c>dpsharp train INPUT.json [-o model.dp]</c>: trains an se_e2_a energy model with TorchSharp (DeePMD-kit input.json).
/// TorchSharp and libtorch are loaded only when this command runs; other commands never touch them.
/// </summary>
public static class TrainCommand
{
    public static Command Create(TextWriter stdout)
    {
        var input = new Argument<string>("input") { Description = "DeePMD-kit training input (input.json)" };
        var output = new Option<string>("--output", "-o") { Description = "model file written at save_freq and at the end (.dp or .yaml)", DefaultValueFactory = _ => "model.dp" };
        var init = new Option<string?>("--init-model") { Description = "start from this model's weights, statistics and bias (same type_map and hyper-parameters)" };
        var finetune = new Option<string?>("--finetune") { Description = "like --init-model, then shift the energy bias to the new data by least squares (change-by-statistic)" };
        var cmd = new Command("train", "Train an se_e2_a + ener model from a DeePMD-kit input.json (writes lcurve.out and a .dp model)") { input, output, init, finetune };
        cmd.SetAction(p =>
        {
            Run(p.GetValue(input)!, p.GetValue(output)!, p.GetValue(init), p.GetValue(finetune), stdout);
            return 0;
        });
        return cmd;
    }

    // Kept out of line so that the Training assembly (and TorchSharp) load only when training actually runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(string input, string output, string? init, string? finetune, TextWriter stdout) =>
        Training.TrainingSession.Run(input, output, stdout, init, finetune);
}
