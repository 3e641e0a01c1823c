namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>train</c> and <c>freeze</c> in a dpsharp built without training (<c>-p:DpsharpTraining=false</c>, the default
/// install: no TorchSharp, no libtorch): each says how to get the training-enabled dpsharp.
/// </summary>
public static class NoTrainingCommands
{
    /// <summary>What <c>dpsharp train</c> prints in this build (docs/install.md).</summary>
    public const string Message =
        "this dpsharp was installed without training (TorchSharp and libtorch, about 450 MB, are left out of the default install); " +
        "install the training-enabled dpsharp from the repository with: tools/install.sh --with-training " +
        "(or run it there without installing: dotnet run --project src/DeepMD.Sharp.Cli -c Release -- {0} ...)";

    public static IEnumerable<Command> Create() => new[] { "train", "freeze" }.Select(name =>
    {
        var cmd = new Command(name, $"(not in this install: {name} needs the training-enabled dpsharp, docs/install.md)") { TreatUnmatchedTokensAsErrors = false };
        cmd.Arguments.Add(new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore });
        cmd.SetAction(new Func<ParseResult, int>(_ => throw new UserInputException($"{name}: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, Message, name))));
        return cmd;
    });
}
