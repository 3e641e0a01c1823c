namespace DeepMD.Sharp.Input.Styles;

/// <summary>Finds potential files like LAMMPS: as given (relative to the deck), else in $LAMMPS_POTENTIALS.</summary>
public static class PotentialFiles
{
    public static string Resolve(DeckContext context, string name)
    {
        var p = context.InputPath(name);
        if (File.Exists(p)) return p;
        var dir = Environment.GetEnvironmentVariable("LAMMPS_POTENTIALS");
        if (dir is not null && File.Exists(Path.Combine(dir, Path.GetFileName(name)))) return Path.Combine(dir, Path.GetFileName(name));
        throw new Core.Errors.UserInputException($"potential file '{name}' not found (looked next to the deck, in the working directory and in $LAMMPS_POTENTIALS)");
    }
}
