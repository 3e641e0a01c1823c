namespace DeepMD.Sharp.Models.Serialization;

/// <summary>A tree value that a writer cannot store; the format's <c>Save</c> turns it into a user error naming the file.</summary>
internal sealed class ModelTreeException : Exception
{
    public ModelTreeException(string keyPath, string problem)
        : base($"key '{keyPath}' {problem}")
    {
    }
}
