namespace DeepMD.Sharp.Dynamics.Domains;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// Deck commands that a run over several ranks cannot do yet. Between runs every rank holds the whole system, so most
/// commands (read_data, create_atoms, velocity with loop all or geom, mass, pair_style, fix, thermo, dump, ...) behave
/// as in a one-process run; these would write a file from every rank, or depend on the rank count.
/// </summary>
public static class DecomposedCommands
{
    private static readonly Dictionary<string, string> Unsupported = new()
    {
        ["write_data"] = "write_data",
        ["write_restart"] = "write_restart",
        ["write_dump"] = "write_dump",
        ["restart"] = "restart",
        ["read_restart"] = "read_restart",
        ["minimize"] = "minimize",
        ["log"] = "the log command",
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
        if (name == "velocity")
            for (var k = 1; k + 1 < words.Count; k++)
                if (words[k] == "loop" && words[k + 1] == "local")
                    throw new UserInputException($"velocity ... loop local is not supported with {ranks} ranks yet (its numbers depend on the rank count); use loop all or loop geom");
    }
}
