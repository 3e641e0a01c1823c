namespace DeepMD.Sharp.Dynamics.Computes;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Groups;

/// <summary>The reductions of compute reduce.</summary>
public enum ReduceMode
{
    Sum,
    SumSq,
    SumAbs,
    Min,
    Max,
    Ave,
    AveSq,
    AveAbs,
}

/// <summary>
/// One per-atom input of compute reduce: an atom attribute (<c>x</c>, <c>vx</c>, <c>fz</c>, ...) or a per-atom compute
/// (its vector, or column <see cref="Column"/> of its array, 0-based).
/// </summary>
public sealed record ReduceInput(string Name, Func<Simulation, int, double>? Attribute, Compute? Compute, int Column)
{
    /// <summary>Per-atom values evaluated once per reduction (an atom-style variable, storage order), instead of <see cref="Attribute"/> or <see cref="Compute"/>.</summary>
    public Func<Simulation, double[]>? Values { get; init; }
}

/// <summary>
/// <c>compute ID group reduce MODE input1 input2 ...</c>: reduces per-atom values over the group's atoms to a scalar
/// (one input) or a vector (one element per input) with sum, sumsq, sumabs, min, max, ave, avesq or aveabs, as LAMMPS'
/// compute reduce. Sums are extensive, the rest intensive.
/// </summary>
public sealed class ComputeReduce : Compute
{
    private readonly ReduceMode _mode;
    private readonly ReduceInput[] _inputs;

    public ComputeReduce(string id, AtomGroup group, ReduceMode mode, IReadOnlyList<ReduceInput> inputs) : base(id, group)
    {
        if (inputs.Count == 0) throw new UserInputException($"compute {id} reduce needs at least one input");
        _mode = mode;
        _inputs = [.. inputs];
    }

    public override string Style => "reduce";

    public override bool HasScalar => _inputs.Length == 1;

    public override int VectorLength => _inputs.Length > 1 ? _inputs.Length : 0;

    private bool Extensive => _mode is ReduceMode.Sum or ReduceMode.SumSq or ReduceMode.SumAbs;

    public override bool ExtensiveScalar => Extensive;

    public override bool ExtensiveVectorElement(int index) => Extensive;

    protected override double ComputeScalar(Simulation sim) => Reduce(sim, _inputs[0]);

    protected override void ComputeVector(Simulation sim, double[] vector)
    {
        for (var k = 0; k < _inputs.Length; k++) vector[k] = Reduce(sim, _inputs[k]);
    }

    private double Reduce(Simulation sim, ReduceInput input)
    {
        RequireSerial(sim);
        var a = sim.Atoms;
        double[]? values = null;
        var stride = 1;
        if (input.Compute is { } c)
        {
            values = c.PerAtom(sim);
            stride = Math.Max(1, c.PerAtomColumns);
        }
        else if (input.Values is { } perAtom) values = perAtom(sim);
        var column = Math.Max(0, input.Column);
        double acc = _mode switch
        {
            ReduceMode.Min => double.MaxValue,
            ReduceMode.Max => double.MinValue,
            _ => 0.0,
        };
        var count = 0;
        for (var i = 0; i < a.Count; i++)
        {
            if (!Group.Contains(a.Id[i])) continue;
            count++;
            var v = values is not null ? values[i * stride + column] : input.Attribute!(sim, i);
            switch (_mode)
            {
                case ReduceMode.Sum or ReduceMode.Ave: acc += v; break;
                case ReduceMode.SumSq or ReduceMode.AveSq: acc += v * v; break;
                case ReduceMode.SumAbs or ReduceMode.AveAbs: acc += Math.Abs(v); break;
                case ReduceMode.Min: acc = Math.Min(acc, v); break;
                case ReduceMode.Max: acc = Math.Max(acc, v); break;
            }
        }
        if (_mode is ReduceMode.Ave or ReduceMode.AveSq or ReduceMode.AveAbs)
            acc = count > 0 ? acc / count : 0.0;
        return acc;
    }
}
