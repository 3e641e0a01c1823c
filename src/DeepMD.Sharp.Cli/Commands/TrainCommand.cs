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
        var cmd = new Command("train", "Train an se_e2_a + ener model from a DeePMD-kit input.json (writes lcurve.out and a .dp model)") { input, output };
        cmd.SetAction(p =>
        {
            Run(p.GetValue(input)!, p.GetValue(output)!, stdout);
            return 0;
        });
        return cmd;
    }

    // Kept out of line so that the Training assembly (and TorchSharp) load only when training actually runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Run(string input, string output, TextWriter stdout) =>
        Training.TrainingSession.Run(input, output, stdout);
}
