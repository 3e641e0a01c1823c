namespace DeepMD.Sharp.Cli.Commands;

using System.CommandLine;
using System.Globalization;
using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Cpu;
using DeepMD.Sharp.IO.Datasets;
using DeepMD.Sharp.Models;
using DeepMD.Sharp.Models.Evaluation;

/// <summary><c>dpsharp test -m MODEL -s SYSTEM [-n N]</c>: energy/force/virial errors on labelled data, like <c>dp test</c>.</summary>
public static class TestCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string>("--model", "-m") { Description = "model file (.dp or .yaml)", Required = true };
        var system = new Option<string>("--system", "-s") { Description = "a deepmd/npy system, a folder of systems, or file.h5#/group", Required = true };
        var count = new Option<int>("--numb-test", "-n") { Description = "frames to test per system (0: all)", DefaultValueFactory = _ => 100 };
        var backend = new Option<string?>("--backend") { Description = "reference, cpu or cpu-f32 (default: fastest supporting the model)" };
        var cmd = new Command("test", "Energy, force and virial MAE/RMSE of a model on DeePMD-kit data (like dp test)") { model, system, count, backend };
        cmd.SetAction(p =>
        {
            var m = ModelLoader.Load(p.GetValue(model)!);
            var evaluator = BackendSelector.Create(m, p.GetValue(backend), out _);
            var systems = DeepmdSystemFinder.Find(p.GetValue(system)!);
            var total = new Errors();
            foreach (var spec in systems)
            {
                var s = DeepmdSystemReader.Read(spec).MapTo(m.TypeMap.Names);
                var n = p.GetValue(count) <= 0 ? s.FrameCount : Math.Min(p.GetValue(count), s.FrameCount);
                var e = Evaluate(evaluator, s, n);
                stdout.WriteLine($"# system: {s.Name}");
                e.Print(stdout);
                stdout.WriteLine();
                total.Add(e);
            }
            if (systems.Count > 1)
            {
                stdout.WriteLine("# weighted average of errors");
                total.Print(stdout);
            }
            return 0;
        });
        return cmd;
    }

    private static Errors Evaluate(IModelEvaluator evaluator, DeepmdSystem s, int frames)
    {
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
            var r = evaluator.Evaluate(s.Types, list, new EvaluationOptions());
            if (s.Energies is not null) e.AddEnergy(r.Energy - s.Energies[f], n);
            if (s.Forces is not null)
                for (var k = 0; k < 3 * n; k++) e.AddForce(r.Forces[k] - s.Forces[f * 3 * n + k]);
            if (s.Virials is not null)
                for (var k = 0; k < 9; k++) e.AddVirial(r.Virial[k] - s.Virials[f * 9 + k], n);
        }
        return e;
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
                Line("Force  MAE", _fAbs / _fN, "eV/A");
                Line("Force  RMSE", Math.Sqrt(_fSq / _fN), "eV/A");
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
