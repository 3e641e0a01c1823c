namespace DeepMD.Sharp.Input;

/// <summary>Declares the deck command name a class implements; the registry finds it by reflection.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class DeckCommandAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
