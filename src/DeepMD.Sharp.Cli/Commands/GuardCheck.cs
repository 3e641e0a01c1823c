namespace DeepMD.Sharp.Cli.Commands;

using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Coverage;
using DeepMD.Sharp.Models.Evaluation;

/// <summary>
/// The extrapolation guard of <c>pair_style deepmd</c> for the structures of <c>dpsharp eval</c> and <c>dpsharp test</c>:
/// the same checks with the default margins, one verdict per structure.
/// </summary>
internal sealed class GuardCheck
{
    private readonly ExtrapolationGuard _guard;
    private bool _saidUnchecked, _saidLimits;

    public GuardCheck(DeepPotModel model, TextWriter notes)
    {
        _guard = new ExtrapolationGuard(model, new GuardSettings());
        Notes = notes;
    }

    private TextWriter Notes { get; }

    /// <summary>The options to evaluate with (the descriptor watch added).</summary>
    public EvaluationOptions With(EvaluationOptions options) =>
        _guard.Watch is { } w ? options with { DescriptorWatch = w } : options;

    /// <summary>Call before each evaluation.</summary>
    public void Begin() => _guard.BeforeEvaluation();

    /// <summary>After an evaluation: what was outside the training coverage, in words, or null.</summary>
    public string? Finish(int[] types, NeighborList list, string backend)
    {
        var found = _guard.Inspect(types, list);
        if (!_saidLimits)
        {
            // Said after the first evaluation, so that an error about the input stays the only line of a failed command.
            _saidLimits = true;
            foreach (var n in _guard.Limitations) Notes.WriteLine($"note: extrapolation guard: {n}");
        }
        if (!_saidUnchecked && _guard.DescriptorsUnchecked > 0)
        {
            _saidUnchecked = true;
            Notes.WriteLine($"note: extrapolation guard: backend {backend} does not show descriptors to the guard; descriptor ranges are not checked");
        }
        return found ? _guard.Describe(_guard.Last, null) : null;
    }
}
