namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models.Backends;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary><c>dpsharp test -m MODEL -s SYSTEM [-n N]</c>: energy/force/virial errors on labelled data, like <c>dp test</c>.</summary>
public static class TestCommand
{
    public static Command Create(TextWriter stdout, TextWriter? stderr = null)
    {
        var model = new Option<string>("--model", "-m") { Description = "model file (.dp or .yaml)", Required = true };
        var system = new Option<string>("--system", "-s") { Description = "a deepmd/npy system, a folder of systems, or file.h5#/group", Required = true };
        var count = new Option<int>("--numb-test", "-n") { Description = "frames to test per system (0: all, the default, as in dp test)", DefaultValueFactory = _ => 0 };
        var detail = new Option<string?>("--detail-file", "-d") { Description = "prefix of dp test's detail files: PREFIX.e.out, .e_peratom.out, .f.out, .v.out, .v_peratom.out (data then prediction columns)" };
        var backend = new Option<string?>("--backend") { Description = "reference, cpu or cpu-f32 (default: fastest supporting the model)" };
        var cmd = new Command("test", "Energy, force and virial MAE/RMSE of a model on DeePMD-kit data (like dp test)") { model, system, count, backend, detail };
        cmd.SetAction(p =>
        {
            var m = ModelLoader.Load(p.GetValue(model)!);
            var evaluator = BackendRegistry.Default.Create(m, p.GetValue(backend), out _);
            var systems = DeepmdSystemFinder.Find(p.GetValue(system)!);
            var total = new Errors();
            var guard = new GuardCheck(m, stderr ?? Console.Error);
            var details = p.GetValue(detail) is { } prefix ? new DetailFiles(prefix) : null;
            foreach (var spec in systems)
            {
                var s = DeepmdSystemReader.Read(spec).MapTo(m.TypeMap.Names);
                var n = p.GetValue(count) <= 0 ? s.FrameCount : Math.Min(p.GetValue(count), s.FrameCount);
                var outside = new List<string>();
                var e = Evaluate(evaluator, s, n, details, spec, guard, outside);
                stdout.WriteLine($"# testing system : {spec}");
                e.Print(stdout);
                foreach (var line in outside.Take(20)) stdout.WriteLine($"# extrapolation guard: {line}");
                if (outside.Count > 20) stdout.WriteLine($"# extrapolation guard: ... {outside.Count - 20} more frames");
                stdout.WriteLine($"# extrapolation guard: {outside.Count} of {n} frames outside the training coverage");
                stdout.WriteLine();
                total.Add(e);
            }
            if (systems.Count > 1)
            {
                stdout.WriteLine("# weighted average of errors");
                stdout.WriteLine($"# number of systems : {systems.Count}");
                total.Print(stdout);
            }
            details?.Commit();
            return 0;
        });
        return cmd;
    }

    private static Errors Evaluate(IModelEvaluator evaluator, DeepmdSystem s, int frames, DetailFiles? details, string name, GuardCheck guard, List<string> outside)
    {
        details?.BeginSystem(name, s);
        var e = new Errors { Frames = frames, Atoms = s.AtomCount };
        var n = s.AtomCount;
        for (var f = 0; f < frames; f++)
        {
            var x = new double[n];
            var y = new double[n];
            var z = new double[n];
            for (var i = 0; i < n; i++)
            {
                x[i] = s.Coords[(f * n + i) * 3];
                y[i] = s.Coords[(f * n + i) * 3 + 1];
                z[i] = s.Coords[(f * n + i) * 3 + 2];
            }
            var box = s.Boxes is null ? null : new Box(s.Boxes.AsSpan(f * 9, 9));
            var list = CellListNeighborSearch.Build(x, y, z, box, evaluator.Model.Cutoff);
            guard.Begin();
            var r = evaluator.Evaluate(s.Types, list, guard.With(new EvaluationOptions()));
            if (guard.Finish(s.Types, list, evaluator.Name) is { } why) outside.Add($"frame {f}: {why}");
            if (s.Energies is not null) e.AddEnergy(r.Energy - s.Energies[f], n);
            if (s.Forces is not null)
                for (var k = 0; k < 3 * n; k++) e.AddForce(r.Forces[k] - s.Forces[f * 3 * n + k]);
            if (s.Virials is not null)
                for (var k = 0; k < 9; k++) e.AddVirial(r.Virial[k] - s.Virials[f * 9 + k], n);
            details?.Add(s, f, r);
        }
        return e;
    }

    /// <summary>
    /// dp test's detail files (np.savetxt layout: "%.18e" columns joined by spaces, a "# SYSTEM: names" header per
    /// system): energies, energies per atom, forces per atom row, virials and virials per atom, data then prediction.
    /// </summary>
    private sealed class DetailFiles(string prefix)
    {
        private static readonly string[] Axes = ["xx", "xy", "xz", "yx", "yy", "yz", "zx", "zy", "zz"];
        private readonly Dictionary<string, StreamWriter> _files = [];

        public void BeginSystem(string name, DeepmdSystem s)
        {
            if (s.Energies is not null)
            {
                Writer(".e.out").WriteLine($"# {name}: data_e pred_e");
                Writer(".e_peratom.out").WriteLine($"# {name}: data_e pred_e");
            }
            if (s.Forces is not null) Writer(".f.out").WriteLine($"# {name}: data_fx data_fy data_fz pred_fx pred_fy pred_fz");
            if (s.Virials is not null)
            {
                var names = $"# {name}: " + string.Join(" ", Axes.Select(a => "data_v" + a).Concat(Axes.Select(a => "pred_v" + a)));
                Writer(".v.out").WriteLine(names);
                Writer(".v_peratom.out").WriteLine(names);
            }
        }

        public void Add(DeepmdSystem s, int f, EvaluationResult r)
        {
            var n = s.AtomCount;
            if (s.Energies is not null)
            {
                Row(".e.out", [s.Energies[f], r.Energy]);
                Row(".e_peratom.out", [s.Energies[f] / n, r.Energy / n]);
            }
            if (s.Forces is not null)
                for (var i = 0; i < n; i++)
                    Row(".f.out", [s.Forces[(f * n + i) * 3], s.Forces[(f * n + i) * 3 + 1], s.Forces[(f * n + i) * 3 + 2],
                        r.Forces[3 * i], r.Forces[3 * i + 1], r.Forces[3 * i + 2]]);
            if (s.Virials is not null)
            {
                var row = Enumerable.Range(0, 9).Select(k => s.Virials[f * 9 + k]).Concat(Enumerable.Range(0, 9).Select(k => r.Virial[k])).ToArray();
                Row(".v.out", row);
                Row(".v_peratom.out", row.Select(v => v / n).ToArray());
            }
        }

        /// <summary>Closes the temporary files and renames them to their final names.</summary>
        public void Commit()
        {
            foreach (var (suffix, w) in _files)
            {
                w.Dispose();
                DeepMD.Sharp.Core.Files.DurableFile.FlushAndMove(prefix + suffix + ".tmp", prefix + suffix);
            }
            _files.Clear();
        }

        private StreamWriter Writer(string suffix)
        {
            if (!_files.TryGetValue(suffix, out var w)) _files[suffix] = w = new StreamWriter(prefix + suffix + ".tmp");
            return w;
        }

        private void Row(string suffix, double[] values) =>
            Writer(suffix).WriteLine(string.Join(" ", values.Select(v => v.ToString("0.000000000000000000e+00", CultureInfo.InvariantCulture))));
    }

    /// <summary>Sums of absolute and squared errors; averages are over frames (energy, virial) or components (force).</summary>
    private sealed class Errors
    {
        public int Frames;
        public int Atoms;
        private double _eAbs, _eSq, _eAbsA, _eSqA, _fAbs, _fSq, _vAbs, _vSq, _vAbsA, _vSqA;
        private long _eN, _fN, _vN;

        public void AddEnergy(double d, int n)
        {
            _eAbs += Math.Abs(d); _eSq += d * d; _eAbsA += Math.Abs(d) / n; _eSqA += d * d / ((double)n * n); _eN++;
        }

        public void AddForce(double d)
        {
            _fAbs += Math.Abs(d); _fSq += d * d; _fN++;
        }

        public void AddVirial(double d, int n)
        {
            _vAbs += Math.Abs(d); _vSq += d * d; _vAbsA += Math.Abs(d) / n; _vSqA += d * d / ((double)n * n); _vN++;
        }

        public void Add(Errors o)
        {
            Frames += o.Frames;
            _eAbs += o._eAbs; _eSq += o._eSq; _eAbsA += o._eAbsA; _eSqA += o._eSqA; _eN += o._eN;
            _fAbs += o._fAbs; _fSq += o._fSq; _fN += o._fN;
            _vAbs += o._vAbs; _vSq += o._vSq; _vAbsA += o._vAbsA; _vSqA += o._vSqA; _vN += o._vN;
        }

        public void Print(TextWriter o)
        {
            var ci = CultureInfo.InvariantCulture;
            void Line(string label, double v, string unit) => o.WriteLine(string.Create(ci, $"{label,-19}: {v.ToString("0.000000e+00", ci)} {unit}"));
            o.WriteLine($"# number of test data : {Frames}");
            if (_eN > 0)
            {
                Line("Energy MAE", _eAbs / _eN, "eV");
                Line("Energy RMSE", Math.Sqrt(_eSq / _eN), "eV");
                Line("Energy MAE/Natoms", _eAbsA / _eN, "eV");
                Line("Energy RMSE/Natoms", Math.Sqrt(_eSqA / _eN), "eV");
            }
            if (_fN > 0)
            {
                Line("Force  MAE", _fAbs / _fN, "eV/Å");
                Line("Force  RMSE", Math.Sqrt(_fSq / _fN), "eV/Å");
            }
            if (_vN > 0)
            {
                Line("Virial MAE", _vAbs / _vN, "eV");
                Line("Virial RMSE", Math.Sqrt(_vSq / _vN), "eV");
                Line("Virial MAE/Natoms", _vAbsA / _vN, "eV");
                Line("Virial RMSE/Natoms", Math.Sqrt(_vSqA / _vN), "eV");
            }
        }
    }
}
