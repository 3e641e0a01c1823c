namespace DeepMD.Sharp.Input.Fixes;

using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;

/// <summary>
/// <c>fix ID group print N "text" [file F | append F] [screen yes|no] [title T]</c>, as LAMMPS' fix print: every N steps
/// (and at a run's setup when its step is a multiple of N) the text, with its variables substituted then, goes to the
/// screen and log and/or a file whose first line is the title (<c># Fix print output for fix ID</c> by default).
/// </summary>
public sealed class FixPrint : Fix, IDisposable
{
    private readonly DeckContext _context;
    private readonly string _text;
    private readonly TextWriter? _file;
    private readonly bool _screen;
    private long _next;

    public FixPrint(string id, DeckContext context, int every, string text, TextWriter? file, bool screen, string? title) : base(id)
    {
        if (every <= 0) throw new Core.Errors.UserInputException($"fix {id} print: N must be positive, got {every}");
        _context = context;
        Every = every;
        _text = text;
        _file = file;
        _screen = screen;
        if (file is not null)
        {
            file.Write((title ?? $"# Fix print output for fix {id}") + "\n");
            file.Flush();
        }
    }

    public override string Style => "print";

    public override bool SupportsGroups => true;

    public int Every { get; }

    public override void Init(Simulation sim) =>
        _next = sim.Step % Every != 0 ? (sim.Step / Every + 1) * Every : sim.Step;

    public override void Setup(Simulation sim) => EndOfStep(sim);

    public override void EndOfStep(Simulation sim)
    {
        if (sim.Step != _next) return;
        var text = _context.Runner.Substitute(_text.Replace("'", "\u0001").Replace("\"", "\u0002")).Replace("\u0001", "'").Replace("\u0002", "\"");
        _next = (sim.Step / Every + 1) * Every;
        if (_screen) _context.Out.WriteLine(text);
        if (_file is null) return;
        _file.Write(text + "\n");
        _file.Flush();
    }

    public void Dispose() => _file?.Dispose();
}
