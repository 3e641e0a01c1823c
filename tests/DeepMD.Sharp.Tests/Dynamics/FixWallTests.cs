namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Fixes;
using DeepMD.Sharp.Dynamics.Units;

/// <summary>
/// The wall potentials of <see cref="FixWall"/> against physics: each force is minus the derivative of the wall energy
/// (central differences at two step sizes, the error shrinking as h²), the energy is zero at the cutoff, and the force
/// on the wall (the fix vector) is minus the sum of the forces the wall puts on the atoms.
/// </summary>
[TestFixture]
public class FixWallTests
{
    private static (Simulation Sim, FixWall Fix) Setup(FixWall.Form form, double[] zs)
    {
        var sim = new Simulation(UnitSystem.Lj);
        sim.CreateBox(new SimulationBox(0, 10, 0, 10, 0, 10, periodicZ: false), 1);
        sim.SetMass(0, 1.0);
        for (var i = 0; i < zs.Length; i++) sim.Atoms.Add(i + 1, 0, 1.0 + i, 2.0, zs[i]);
        (sim.Atoms.Fx, sim.Atoms.Fy, sim.Atoms.Fz) = (new double[zs.Length], new double[zs.Length], new double[zs.Length]);
        FixWall.Wall W(bool hi, double c, double eps, double sigma, double rc) => new(2, hi, () => c, () => eps, () => sigma, rc, false);
        var fix = new FixWall("w", form, [W(false, 0.5, 1.3, 0.9, 2.5), W(true, 9.0, 0.7, 1.1, 3.0)]);
        fix.Init(sim);
        return (sim, fix);
    }

    private static double Energy(Simulation sim, FixWall fix)
    {
        Array.Clear(sim.Atoms.Fz);
        fix.Setup(sim);
        return fix.Energy;
    }

    [TestCase(FixWall.Form.Lj93)]
    [TestCase(FixWall.Form.Lj126)]
    [TestCase(FixWall.Form.Lj1043)]
    [TestCase(FixWall.Form.Harmonic)]
    public void ForceIsMinusTheEnergyGradient(FixWall.Form form)
    {
        double[] zs = [1.3, 1.6, 2.1, 2.9, 6.4, 7.2, 7.6, 7.9];
        var (sim, fix) = Setup(form, zs);
        var n = zs.Length;
        Energy(sim, fix);
        var forces = (double[])sim.Atoms.Fz.Clone();
        Assert.That(fix.WallForce(0) + fix.WallForce(1), Is.EqualTo(-forces.Sum()).Within(1e-12 * (1 + forces.Sum(Math.Abs))), "wall forces balance the atoms'");
        for (var i = 0; i < n; i++)
        {
            double Fd(double h)
            {
                var z0 = sim.Atoms.Z[i];
                sim.Atoms.Z[i] = z0 + h;
                var ep = Energy(sim, fix);
                sim.Atoms.Z[i] = z0 - h;
                var em = Energy(sim, fix);
                sim.Atoms.Z[i] = z0;
                return -(ep - em) / (2 * h);
            }
            var e1 = Math.Abs(Fd(2e-4) - forces[i]);
            var e2 = Math.Abs(Fd(1e-4) - forces[i]);
            var scale = 1 + Math.Abs(forces[i]);
            Assert.That(e2, Is.LessThan(1e-6 * scale), $"atom {i + 1} at z = {zs[i]}: force {forces[i]}, differences {Fd(2e-4)} {Fd(1e-4)}");
            if (e1 > 1e-9 * scale) Assert.That(e2 / e1, Is.InRange(0.15, 0.35), $"atom {i + 1}: central-difference error falls as h²");
        }
    }

    [TestCase(FixWall.Form.Lj93)]
    [TestCase(FixWall.Form.Lj126)]
    [TestCase(FixWall.Form.Lj1043)]
    [TestCase(FixWall.Form.Harmonic)]
    public void EnergyVanishesAtTheCutoff(FixWall.Form form)
    {
        var (sim, fix) = Setup(form, [0.5 + 2.5 - 1e-9]);
        Assert.That(Energy(sim, fix), Is.EqualTo(0.0).Within(1e-7));
        sim.Atoms.Z[0] = 0.5 + 2.5 + 1e-9;
        Assert.That(Energy(sim, fix), Is.EqualTo(0.0));
    }

    [Test]
    public void AnAtomBehindTheWallStopsTheRunExceptForLj1043()
    {
        var (sim, fix) = Setup(FixWall.Form.Lj93, [3.0, 0.4]);
        var e = Assert.Throws<SimulationException>(() => Energy(sim, fix));
        Assert.That(e!.Message, Does.Contain("Particle on or inside fix wall surface"));
        Assert.That(e.AtomId, Is.EqualTo(2));
        var (sim2, fix2) = Setup(FixWall.Form.Lj1043, [3.0, 0.4]);
        Assert.DoesNotThrow(() => Energy(sim2, fix2));
    }
}
