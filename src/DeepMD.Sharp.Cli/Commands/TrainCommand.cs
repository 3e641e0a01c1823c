namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Runtime.CompilerServices;

/// <summary>
/// <c>dpsharp train INPUT.json [-o model.dp]</c>: trains an se_e2_a, se_e2_r or DPA-1 energy model with TorchSharp (DeePMD-kit input.json).
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
        var restart = new Option<string?>("--restart") { Description = "continue from a checkpoint (a PREFIX-STEP.ckpt file, or the save_ckpt prefix for its newest one): weights, Adam state, step and sampling" };
        var cmd = new Command("train", "Train an se_e2_a, se_e2_r or DPA-1 (se_atten, se_atten_v2) + ener model from a DeePMD-kit input.json (writes lcurve.out, checkpoints and a .dp model)") { input, output, init, finetune, restart };
        cmd.SetAction(p =>
        {
            // A progress bar redrawn in place only when the output is the terminal itself.
            var interactive = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
            Run(p.GetValue(input)!, p.GetValue(output)!, p.GetValue(init), p.GetValue(finetune), p.GetValue(restart), interactive, stdout);
            return 0;
        });
        return cmd;
    }

    // Kept out of line so that the Training assembly (and TorchSharp) load only when training actually runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(string input, string output, string? init, string? finetune, string? restart, bool interactive, TextWriter stdout) =>
        Training.TrainingSession.Run(input, output, stdout, init, finetune, restart, interactive);
}
