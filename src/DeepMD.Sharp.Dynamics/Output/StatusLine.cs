namespace DeepMD.Sharp.Dynamics.Output;

using System.Text;

/// <summary>
/// One live status line (a progress bar) at the bottom of a terminal, redrawn in place with <c>\r</c> and the ANSI
/// erase-line code. Normal output written through <see cref="Output"/> first erases the status line, is written
/// whole, and the status line is drawn again after each completed line: thermo lines stay intact and in order.
/// </summary>
public sealed class StatusLine
{
    private const string Erase = "\r\u001b[2K";
    private readonly TextWriter _terminal;
    private string _status = "";
    private bool _shown;

    /// <param name="terminal">The terminal's writer (standard output or standard error).</param>
    /// <param name="sharesOutput">Whether normal output goes to the same terminal (then wrap it with <see cref="Output"/>).</param>
    public StatusLine(TextWriter terminal, bool sharesOutput)
    {
        _terminal = terminal;
        Output = sharesOutput ? new Coordinated(this) : terminal;
    }

    /// <summary>Writer for normal output that keeps the status line below it (the terminal itself when not shared).</summary>
    public TextWriter Output { get; }

    /// <summary>Shows (or replaces) the status text.</summary>
    public void Show(string status)
    {
        _status = status;
        _terminal.Write(Erase);
        _terminal.Write(status);
        _terminal.Flush();
        _shown = true;
    }

    /// <summary>Removes the status line.</summary>
    public void Clear()
    {
        if (_shown) _terminal.Write(Erase);
        _terminal.Flush();
        _status = "";
        _shown = false;
    }

    private void Before()
    {
        if (!_shown) return;
        _terminal.Write(Erase);
        _shown = false;
    }

    private void After(bool lineEnded)
    {
        if (lineEnded && _status.Length > 0)
        {
            _terminal.Write(_status);
            _shown = true;
        }
        _terminal.Flush();
    }

    private sealed class Coordinated(StatusLine owner) : TextWriter
    {
        public override Encoding Encoding => owner._terminal.Encoding;

        public override void Write(char value)
        {
            owner.Before();
            owner._terminal.Write(value);
            owner.After(value == '\n');
        }

        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            owner.Before();
            owner._terminal.Write(value);
            owner.After(value.EndsWith('\n'));
        }

        public override void WriteLine(string? value)
        {
            owner.Before();
            owner._terminal.Write(value);
            owner._terminal.Write('\n');
            owner.After(true);
        }

        public override void WriteLine() => WriteLine("");

        public override void Flush() => owner._terminal.Flush();
    }
}
