namespace DeepMD.Sharp.Dynamics.Domains;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Deck commands that a run over several ranks cannot do yet. Between runs every rank holds the whole system, so most
/// commands (read_data, create_atoms, velocity with loop all or geom, mass, pair_style, fix, thermo, dump, ...) behave
/// as in a one-process run, and the commands that write files (write_data, write_restart, restart, log) write them on
/// rank 0 alone; these are not done decomposed yet, or depend on the rank count.
/// </summary>
public static class DecomposedCommands
{
    private static readonly Dictionary<string, string> Unsupported = new()
    {
        ["rerun"] = "rerun",
    };

    /// <summary>Throws when <paramref name="name"/> (with its words) is not supported with <paramref name="ranks"/> ranks.</summary>
    public static void Check(string name, IReadOnlyList<string> words, int ranks)
    {
        if (Unsupported.TryGetValue(name, out var what))
            throw new UserInputException($"{what} is not supported with {ranks} ranks yet; run it without mpirun");
        if (name is "compute" or "uncompute")
            throw new UserInputException($"compute is not supported with {ranks} ranks yet (computes read every atom on one process); run it without mpirun");
        if (name == "fix" && words.Count > 3 && words[3] is "ave/time" or "ave/correlate" or "print")
            throw new UserInputException($"fix {words[3]} is not supported with {ranks} ranks yet; run it without mpirun");
    }
}
