namespace DeepMD.Sharp.Input.Commands;

/// <summary>
/// <c>info styles</c>: lists the deck commands, pair styles, fix styles, descriptors and backends this program has
/// (<see cref="StyleListing"/>, the same as <c>dpsharp styles</c>). LAMMPS' other <c>info</c> categories are not supported.
/// </summary>
[DeckCommand("info")]
public sealed class InfoCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(1, "styles");
        if (args[0] != "styles") throw args.UnknownKeyword(args[0], ["styles"]);
        StyleListing.Write(context.Out, context.Styles, context.Backends);
    }
}
