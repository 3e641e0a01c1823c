namespace DeepMD.Sharp.Input;

/// <summary>One deck command (<c>units</c>, <c>run</c>, ...): reads its arguments and acts on the deck context's C# objects.</summary>
public interface IDeckCommand
{
    void Execute(DeckContext context, DeckArguments args);
}
