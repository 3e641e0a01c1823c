namespace DeepMD.Sharp.Dynamics.Output;

using System.Globalization;
using DeepMD.Sharp.Core.Atoms;
using DeepMD.Sharp.IO;

/// <summary>
/// Keeps a copy of positions and velocities from the end of the previous step, so that when a run
/// stops on an invalid state the last good frame can be written for inspection: an extended XYZ file written by IO's
/// <see cref="ExtXyzWriter"/> (<c>Lattice</c>, <c>pbc</c>, <c>Properties=species:S:1:pos:R:3:velo:R:3:id:I:1</c>,
/// <c>Timestep</c>, <c>units</c>, <c>origin</c>; positions relative to the box origin, shortest round-trip decimals so
/// values are exact) that <see cref="ExtXyzReader"/>, <c>dpsharp eval</c> and ASE read. Copying costs one pass over the
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
        if (_x.Length != n) Prepare(n); // atoms inserted during the run (fix deposit)
        a.X.AsSpan(0, n).CopyTo(_x);
        a.Y.AsSpan(0, n).CopyTo(_y);
        a.Z.AsSpan(0, n).CopyTo(_z);
        a.Vx.AsSpan(0, n).CopyTo(_vx);
        a.Vy.AsSpan(0, n).CopyTo(_vy);
        a.Vz.AsSpan(0, n).CopyTo(_vz);
        Step = sim.Step;
        HasFrame = true;
    }

    /// <summary>Writes the remembered frame with IO's <see cref="ExtXyzWriter"/> (temporary file, then rename) and returns the path.</summary>
    public string Write(Simulation sim)
    {
        var a = sim.Atoms;
        var b = sim.Box!;
        var ci = CultureInfo.InvariantCulture;
        var n = Math.Min(a.Count, _x.Length); // atoms inserted since the frame (fix deposit) are not in it
        var species = new string[n];
        double[] x = new double[n], y = new double[n], z = new double[n], v = new double[3 * n];
        for (var i = 0; i < n; i++)
        {
            var t = a.Type[i];
            species[i] = Elements is { } e && t < e.Length ? e[t] : (t + 1).ToString(ci);
            x[i] = _x[i] - b.Lo[0];
            y[i] = _y[i] - b.Lo[1];
            z[i] = _z[i] - b.Lo[2];
            v[3 * i] = _vx[i];
            v[3 * i + 1] = _vy[i];
            v[3 * i + 2] = _vz[i];
        }
        KeyValuePair<string, string>[] info =
        [
            new("Timestep", Step.ToString(ci)),
            new("units", sim.Units.Name),
            new("origin", string.Join(' ', b.Lo.Select(l => l.ToString("R", ci)))),
        ];
        ExtXyzWriter.Write(Path, new Structure(species, x, y, z, b.Cell, Path), velocities: v, ids: a.Id[..n], info: info);
        return Path;
    }
}
