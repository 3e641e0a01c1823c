namespace DeepMD.Sharp.Dynamics.Fixes;

using DeepMD.Sharp.Core.Errors;

/// <summary>
/// LAMMPS' fix wall/lj93, wall/lj126, wall/lj1043 and wall/harmonic: flat walls normal to x, y or z that push the
/// group's atoms with a force depending on the distance δ from the wall (δ = x − coord for a lo face, coord − x for hi),
/// cut off at δ ≥ cutoff and shifted to zero energy there (harmonic: ε (rc − δ)², repulsive only). Forces are added
/// after every force evaluation (setup, MD post-force, minimizer post-force). Wall positions, ε and σ are functions so
/// equal-style variables are evaluated at each evaluation, as LAMMPS does. The fix scalar is the wall energy, the vector
/// the force on each wall (both extensive); the energy is not added to the potential energy (LAMMPS adds it only with
/// fix_modify energy yes) and the walls add nothing to the pressure (LAMMPS' default fix_modify virial no).
/// An atom on or behind a lj93, lj126 or harmonic wall stops the run, with LAMMPS' message; lj1043 ignores it.
/// </summary>
public sealed class FixWall : GroupForceFix, IFixGlobalValues
{
    public enum Form { Lj93, Lj126, Lj1043, Harmonic }

    /// <summary>One wall: dimension (0 x, 1 y, 2 z), upper face or not, position, ε, σ (functions of the step), cutoff.</summary>
    public sealed record Wall(int Dim, bool Hi, Func<double> Coord, Func<double> Epsilon, Func<double> Sigma, double Cutoff, bool VariableParameters);

    private readonly Form _form;
    private readonly Wall[] _walls;
    private readonly double[] _c1, _c2, _c3, _c4, _c5, _c6, _c7, _offset, _eps;
    private readonly double[] _energy;

    public FixWall(string id, Form form, IEnumerable<Wall> walls) : base(id)
    {
        _form = form;
        _walls = [.. walls];
        var n = _walls.Length;
        (_c1, _c2, _c3, _c4, _c5, _c6, _c7, _offset, _eps) = (new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], new double[n], new double[n]);
        _energy = new double[n + 1];
    }

    public override string Style => _form switch
    {
        Form.Lj93 => "wall/lj93",
        Form.Lj126 => "wall/lj126",
        Form.Lj1043 => "wall/lj1043",
        _ => "wall/harmonic",
    };

    /// <summary>Wall energy of the last evaluation (LAMMPS' f_ID).</summary>
    public double Energy => _energy[0];

    /// <summary>Force on wall <paramref name="m"/> (0-based, in definition order) of the last evaluation (LAMMPS' f_ID[m+1]).</summary>
    public double WallForce(int m) => _energy[m + 1];

    public bool HasScalar => true;

    public bool ExtensiveScalar => true;

    public double Scalar(Simulation sim) => _energy[0];

    public int VectorLength => _walls.Length;

    public double Vector(Simulation sim, int i) => _energy[i + 1];

    public bool ExtensiveVector(int i) => true;

    protected override void Check(Simulation sim)
    {
        for (var m = 0; m < _walls.Length; m++) Precompute(m, _walls[m].Epsilon(), _walls[m].Sigma());
    }

    private void Precompute(int m, double epsilon, double sigma)
    {
        var rc = _walls[m].Cutoff;
        _eps[m] = epsilon;
        switch (_form)
        {
            case Form.Lj93:
            {
                _c1[m] = 6.0 / 5.0 * epsilon * Math.Pow(sigma, 9.0);
                _c2[m] = 3.0 * epsilon * Math.Pow(sigma, 3.0);
                _c3[m] = 2.0 / 15.0 * epsilon * Math.Pow(sigma, 9.0);
                _c4[m] = epsilon * Math.Pow(sigma, 3.0);
                var rinv = 1.0 / rc;
                var r2inv = rinv * rinv;
                var r4inv = r2inv * r2inv;
                _offset[m] = _c3[m] * r4inv * r4inv * rinv - _c4[m] * r2inv * rinv;
                break;
            }
            case Form.Lj126:
            {
                _c1[m] = 48.0 * epsilon * Math.Pow(sigma, 12.0);
                _c2[m] = 24.0 * epsilon * Math.Pow(sigma, 6.0);
                _c3[m] = 4.0 * epsilon * Math.Pow(sigma, 12.0);
                _c4[m] = 4.0 * epsilon * Math.Pow(sigma, 6.0);
                var r2inv = 1.0 / (rc * rc);
                var r6inv = r2inv * r2inv * r2inv;
                _offset[m] = r6inv * (_c3[m] * r6inv - _c4[m]);
                break;
            }
            case Form.Lj1043:
            {
                const double TwoPi = 2.0 * Math.PI;
                _c1[m] = TwoPi * 2.0 / 5.0 * epsilon * Math.Pow(sigma, 10.0);
                _c2[m] = TwoPi * epsilon * Math.Pow(sigma, 4.0);
                _c3[m] = TwoPi * Math.Pow(2.0, 1 / 2.0) / 3 * epsilon * Math.Pow(sigma, 3.0);
                _c4[m] = 0.61 / Math.Pow(2.0, 1 / 2.0) * sigma;
                _c5[m] = _c1[m] * 10.0;
                _c6[m] = _c2[m] * 4.0;
                _c7[m] = _c3[m] * 3.0;
                var rinv = 1.0 / rc;
                var r2inv = rinv * rinv;
                var r4inv = r2inv * r2inv;
                _offset[m] = _c1[m] * r4inv * r4inv * r2inv - _c2[m] * r4inv - _c3[m] * Math.Pow(rc + _c4[m], -3.0);
                break;
            }
        }
    }

    protected override void Apply(Simulation sim)
    {
        Array.Clear(_energy);
        var a = sim.Atoms;
        for (var m = 0; m < _walls.Length; m++)
        {
            var w = _walls[m];
            var coord = w.Coord();
            if (w.VariableParameters)
            {
                var epsilon = w.Epsilon();
                var sigma = w.Sigma();
                if (epsilon < 0.0 || sigma < 0.0) throw new SimulationException("Variable evaluation in fix wall gave bad value", sim.Step, 0);
                Precompute(m, epsilon, sigma);
            }
            var x = w.Dim switch { 0 => a.X, 1 => a.Y, _ => a.Z };
            var f = w.Dim switch { 0 => a.Fx, 1 => a.Fy, _ => a.Fz };
            var side = w.Hi ? 1.0 : -1.0;
            var rc = w.Cutoff;
            var on = -1;
            for (var i = 0; i < a.Count; i++)
            {
                if (!Member[i]) continue;
                var delta = w.Hi ? coord - x[i] : x[i] - coord;
                double fwall, e;
                if (_form == Form.Lj1043)
                {
                    if (delta <= 0.0 || delta > rc) continue;
                    var rinv = 1.0 / delta;
                    var r2inv = rinv * rinv;
                    var r4inv = r2inv * r2inv;
                    var r10inv = r4inv * r4inv * r2inv;
                    fwall = side * (_c5[m] * r10inv * rinv - _c6[m] * r4inv * rinv - _c7[m] * Math.Pow(delta + _c4[m], -4.0));
                    e = _c1[m] * r10inv - _c2[m] * r4inv - _c3[m] * Math.Pow(delta + _c4[m], -3.0) - _offset[m];
                }
                else
                {
                    if (delta >= rc) continue;
                    if (delta <= 0.0)
                    {
                        if (on < 0) on = i;
                        continue;
                    }
                    switch (_form)
                    {
                        case Form.Lj93:
                        {
                            var rinv = 1.0 / delta;
                            var r2inv = rinv * rinv;
                            var r4inv = r2inv * r2inv;
                            var r10inv = r4inv * r4inv * r2inv;
                            fwall = side * (_c1[m] * r10inv - _c2[m] * r4inv);
                            e = _c3[m] * r4inv * r4inv * rinv - _c4[m] * r2inv * rinv - _offset[m];
                            break;
                        }
                        case Form.Lj126:
                        {
                            var rinv = 1.0 / delta;
                            var r2inv = rinv * rinv;
                            var r6inv = r2inv * r2inv * r2inv;
                            fwall = side * r6inv * (_c1[m] * r6inv - _c2[m]) * rinv;
                            e = r6inv * (_c3[m] * r6inv - _c4[m]) - _offset[m];
                            break;
                        }
                        default:
                        {
                            var dr = rc - delta;
                            fwall = side * 2.0 * _eps[m] * dr;
                            e = _eps[m] * dr * dr;
                            break;
                        }
                    }
                }
                f[i] -= fwall;
                _energy[0] += e;
                _energy[m + 1] += fwall;
            }
            if (on >= 0)
                throw new SimulationException($"Particle on or inside fix wall surface (fix {Id} {Style}, atom {a.Id[on]} at {"xyz"[w.Dim]} = {x[on]} against the {"xyz"[w.Dim]}{(w.Hi ? "hi" : "lo")} wall at {coord})", sim.Step, a.Id[on]);
        }
    }
}
