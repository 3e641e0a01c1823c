namespace DeepMD.Sharp.Input.Styles;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Computes;

/// <summary>
/// <c>fix ID group vector N value ...</c> as LAMMPS: values are <c>c_ID</c>, <c>c_ID[i]</c>, <c>f_ID</c>, <c>f_ID[i]</c>
/// (fix ave/time) and equal-style <c>v_name</c>; one value makes a growing global vector, several a global array.
/// </summary>
[FixStyle("vector")]
public sealed class VectorFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        if (args.Count < 2) throw new UserInputException("Illegal fix vector command");
        if (!int.TryParse(args[0], out var nevery) || nevery <= 0) throw new UserInputException("Illegal fix vector command");
        var values = new List<Func<Dynamics.Simulation, double>>();
        bool? extensive = null;
        for (var k = 1; k < args.Count; k++)
        {
            var name = args[k];
            if (!DeckReference.TryParse(name, out var r) || r.J is not null || r.Wildcard is not null) throw new UserInputException("Illegal fix vector command");
            if (r.Kind == 'c' && context.Simulation.FindCompute(r.Id) is null && !ComputeReferences.BuiltInIds.Contains(r.Id))
                throw new UserInputException("Compute ID for fix vector does not exist");
            if (r.Kind == 'f' && context.Simulation.FindFix(r.Id) is null) throw new UserInputException("Fix ID for fix vector does not exist");
            if (r.Kind == 'v' && !context.Variables.ContainsKey(r.Id)) throw new UserInputException("Variable name for fix vector does not exist");
            if (r.Kind == 'v' && context.Variables[r.Id].Style != "equal") throw new UserInputException("Fix vector variable is not equal-style variable");
            var v = AveTimeFixStyle.Value(context, args, name, vectorMode: false);
            var ext = r.Kind != 'v' && v.Extensive;
            if (extensive is { } e && e != ext) throw new UserInputException("Fix vector cannot set output array intensive/extensive from these inputs");
            extensive = ext;
            values.Add(v.Scalar!);
        }
        return new FixVector(id, nevery, values, extensive ?? false, context.Simulation.Step);
    }
}
