namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>label NAME</c>: a target for jump; does nothing itself.</summary>
[DeckCommand("label")]
public sealed class LabelCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args) => args.RequireExactly(1, "NAME");
}
