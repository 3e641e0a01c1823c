namespace DeepMD.Sharp.IO.Datasets;

using DeepMD.Sharp.Core.Errors;

/// <summary>Finds DeePMD-kit systems under a path, as <c>dp test -s</c> does.</summary>
public static class DeepmdSystemFinder
{
    /// <summary>
    /// A system directory (with type.raw) or <c>file.h5#/group</c> gives itself; another directory gives every folder
    /// below it holding type.raw, in sorted order.
    /// </summary>
    public static IReadOnlyList<string> Find(string path)
    {
        if (path.Contains('#') || File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw new UserInputException("data system not found", path);
        if (File.Exists(Path.Combine(path, "type.raw"))) return [path];
        var found = Directory.GetFiles(path, "type.raw", SearchOption.AllDirectories)
            .Select(f => Path.GetDirectoryName(f)!).OrderBy(d => d, StringComparer.Ordinal).ToList();
        if (found.Count == 0) throw new UserInputException("no deepmd/npy systems (folders with type.raw) found", path);
        return found;
    }
}
