namespace DeepMD.Sharp.Dynamics.Output;

using System.Globalization;
using System.Text;

/// <summary>
/// Keeps a copy of positions and velocities from the end of the previous step, so that when a run
/// stops on an invalid state the last good frame can be written for inspection: an extended XYZ file
/// (<c>Lattice</c>, <c>pbc</c>, <c>Properties=species:S:1:pos:R:3:velo:R:3:id:I:1</c>, positions relative to the box
/// origin, shortest round-trip decimals so values are exact) that <c>dpsharp eval</c> and ASE read. Copying costs one pass over the
/// atoms per step into buffers allocated once per run.
/// </summary>
public sealed class LastGoodFrame
{
    private double[] _x = [], _y = [], _z = [], _vx = [], _vy = [], _vz = [];

    /// <param name="path">The file to write when a run fails.</param>
    /// <param name="elements">Element (or type) names by 0-based type; null gives the type numbers.</param>
    public LastGoodFrame(string path, string[]? elements = null)
    {
        Path = path;
        Elements = elements;
    }

    public string Path { get; }

    /// <summary>Element names by 0-based type (null: type numbers).</summary>
    public string[]? Elements { get; set; }

    /// <summary>Step of the remembered frame.</summary>
    public long Step { get; private set; }

    /// <summary>Whether a frame has been remembered in the current run.</summary>
    public bool HasFrame { get; private set; }

    /// <summary>Sizes the buffers for a run (called by the run before its first step).</summary>
    public void Prepare(int atoms)
    {
        HasFrame = false;
        if (_x.Length == atoms) return;
        _x = new double[atoms];
        _y = new double[atoms];
        _z = new double[atoms];
        _vx = new double[atoms];
        _vy = new double[atoms];
        _vz = new double[atoms];
    }

    /// <summary>Copies the current state (a good one: the previous step completed).</summary>
    public void Remember(Simulation sim)
    {
        var a = sim.Atoms;
        var n = a.Count;
        a.X.AsSpan(0, n).CopyTo(_x);
        a.Y.AsSpan(0, n).CopyTo(_y);
        a.Z.AsSpan(0, n).CopyTo(_z);
        a.Vx.AsSpan(0, n).CopyTo(_vx);
        a.Vy.AsSpan(0, n).CopyTo(_vy);
        a.Vz.AsSpan(0, n).CopyTo(_vz);
        Step = sim.Step;
        HasFrame = true;
    }

    /// <summary>Writes the remembered frame (temporary file, then rename) and returns the path.</summary>
    public string Write(Simulation sim)
    {
        var a = sim.Atoms;
        var b = sim.Box!;
        var c = b.Cell.Matrix;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(a.Count).Append('\n');
        sb.Append("Lattice=\"").AppendJoin(' ', c.ToArray().Select(v => v.ToString("R", ci))).Append('"');
        sb.Append(" Properties=species:S:1:pos:R:3:velo:R:3:id:I:1");
        sb.Append(" pbc=\"").AppendJoin(' ', b.Periodic.Select(p => p ? "T" : "F")).Append('"');
        sb.Append(" Timestep=").Append(Step.ToString(ci));
        sb.Append(" units=").Append(sim.Units.Name);
        sb.Append(" origin=\"").AppendJoin(' ', b.Lo.Select(v => v.ToString("R", ci))).Append("\"\n");
        for (var i = 0; i < a.Count; i++)
        {
            var t = a.Type[i];
            var name = Elements is { } e && t < e.Length ? e[t] : (t + 1).ToString(ci);
            sb.Append(name);
            foreach (var v in (ReadOnlySpan<double>)[_x[i] - b.Lo[0], _y[i] - b.Lo[1], _z[i] - b.Lo[2], _vx[i], _vy[i], _vz[i]])
                sb.Append(' ').Append(v.ToString("R", ci));
            sb.Append(' ').Append(a.Id[i].ToString(ci)).Append('\n');
        }
        var tmp = Path + ".tmp";
        File.WriteAllText(tmp, sb.ToString());
        File.Move(tmp, Path, overwrite: true);
        return Path;
    }
}
