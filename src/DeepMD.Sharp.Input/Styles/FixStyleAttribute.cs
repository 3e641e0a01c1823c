namespace DeepMD.Sharp.Input.Styles;

/// <summary>Declares the <c>fix</c> style name an <see cref="IFixStyle"/> implements.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class FixStyleAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
