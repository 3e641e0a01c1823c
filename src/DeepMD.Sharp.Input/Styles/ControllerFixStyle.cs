namespace DeepMD.Sharp.Input.Styles;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Input.Computes;

/// <summary>
/// <c>fix ID GROUP controller Nevery alpha Kp Ki Kd PV setpoint CV</c>: LAMMPS' PID controller (EXTRA-FIX). Every
/// Nevery steps, at the end of the step, the process value PV (<c>c_ID</c>, <c>c_ID[i]</c>, <c>f_ID</c>, <c>f_ID[i]</c>
/// or an equal-style <c>v_NAME</c>) is read, err = PV − setpoint, and the internal-style variable CV becomes
/// CV − Kp α τ err − Ki α τ² Σerr − Kd α Δerr (τ = Nevery·dt; the first call starts the sum and has no Δerr).
/// Its global vector f_ID[1..3] holds the three terms of the last update.
/// </summary>
[FixStyle("controller")]
public sealed class ControllerFixStyle : IFixStyle
{
    public Fix Create(DeckContext context, string id, DeckArguments args)
    {
        static UserInputException Illegal() => new("Illegal fix controller command");
        if (args.Count != 8) throw Illegal();
        var nevery = args.Int(0, "Nevery");
        if (nevery <= 0) throw Illegal();
        double alpha = args.Double(1, "alpha"), kp = args.Double(2, "Kp"), ki = args.Double(3, "Ki"), kd = args.Double(4, "Kd");
        var pv = args[5];
        Func<double> current;
        if (pv.StartsWith("v_", StringComparison.Ordinal))
        {
            if (!context.Variables.TryGetValue(pv[2..], out var v)) throw new UserInputException("Variable name for fix controller does not exist");
            if (v.Style is not ("equal" or "internal")) throw new UserInputException("Fix controller variable is not equal-style variable");
            current = () => context.Runner.Evaluate(pv);
        }
        else if (DeckReference.TryParse(pv, out var r) && r.Kind is 'c' or 'f' && r.J is null && r.Wildcard is null)
        {
            if (r.Kind == 'c' && context.Simulation.FindCompute(r.Id) is null && r.Id != "thermo_temp" && r.Id != "thermo_press" && r.Id != "thermo_pe")
                throw new UserInputException("Compute ID for fix controller does not exist");
            if (r.Kind == 'f' && context.Simulation.FindFix(r.Id) is null) throw new UserInputException("Fix ID for fix controller does not exist");
            current = () => ComputeReferences.FormulaValue(context, r);
        }
        else throw Illegal();
        var setpoint = args.Double(6, "setpoint");
        var cvName = args[7];
        if (!context.Variables.TryGetValue(cvName, out var cv)) throw new UserInputException("Variable name for fix controller does not exist");
        if (cv.Style != "internal") throw new UserInputException("Fix controller variable is not internal-style variable");
        var control = double.Parse(cv.Current, NumberStyles.Float, CultureInfo.InvariantCulture);
        return new FixController(id, nevery, alpha, kp, ki, kd, setpoint, control, current, value =>
        {
            if (!context.Variables.TryGetValue(cvName, out var v) || v.Style != "internal")
                throw new UserInputException("Variable name for fix controller does not exist");
            v.Values[v.Position] = value.ToString("R", CultureInfo.InvariantCulture);
        });
    }

    private sealed class FixController(string id, int nevery, double alpha, double kp, double ki, double kd, double setpoint,
        double control, Func<double> current, Action<double> setControl) : Fix(id), IFixGlobalValues
    {
        private bool _first = true;
        private double _err, _oldErr, _sumErr, _deltaErr, _tau;

        public override string Style => "controller";

        public override bool SupportsGroups => true;

        public override void Init(Simulation sim) => _tau = nevery * sim.Timestep;

        public override void EndOfStep(Simulation sim)
        {
            if (sim.Step % nevery != 0) return;
            _err = current() - setpoint;
            if (_first)
            {
                _first = false;
                _deltaErr = _sumErr = 0.0;
            }
            else
            {
                _deltaErr = _err - _oldErr;
                _sumErr += _err;
            }
            control += -kp * alpha * _tau * _err;
            control += -ki * alpha * _tau * _tau * _sumErr;
            control += -kd * alpha * _deltaErr;
            _oldErr = _err;
            setControl(control);
        }

        public bool HasScalar => false;

        public double Scalar(Simulation sim) => throw new InvalidOperationException("fix controller has no global scalar");

        public bool ExtensiveScalar => false;

        public int VectorLength => 3;

        public double Vector(Simulation sim, int i) => i switch
        {
            0 => -kp * alpha * _tau * _err,
            1 => -ki * alpha * _tau * _tau * _sumErr,
            _ => -kd * alpha * _deltaErr,
        };

        public bool ExtensiveVector(int i) => false;
    }
}
