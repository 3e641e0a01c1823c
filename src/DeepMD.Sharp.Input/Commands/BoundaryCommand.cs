namespace DeepMD.Sharp.Input.Commands;

/// <summary><c>boundary x y z</c>: p (periodic) or f/s/m (treated as fixed, non-periodic) per direction.</summary>
[DeckCommand("boundary")]
public sealed class BoundaryCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        args.RequireExactly(3, "x y z (each p, f, s or m)");
        if (context.HasSimulation) throw args.Error("must be used before the box is created");
        for (var d = 0; d < 3; d++)
        {
            context.Periodic[d] = args[d] switch
            {
                "p" => true,
                "f" or "s" or "m" or "fs" or "ff" or "ss" or "mm" or "fm" or "sm" or "ms" or "mf" or "sf" => false,
                _ => throw args.UnknownKeyword(args[d], ["p", "f", "s", "m"]),
            };
        }
    }
}
