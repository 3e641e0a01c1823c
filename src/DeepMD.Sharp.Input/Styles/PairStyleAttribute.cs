namespace DeepMD.Sharp.Input.Styles;

/// <summary>Declares the <c>pair_style</c> name an <see cref="IPairStyle"/> implements.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PairStyleAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
