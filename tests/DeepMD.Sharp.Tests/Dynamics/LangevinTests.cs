namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Dynamics.Thermo;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>fix langevin brings an lj crystal to the target temperature (statistical check; not bit-matched to LAMMPS).</summary>
[TestFixture]
public class LangevinTests
{
    [Test]
    public void LangevinThermalisesToTheTarget()
    {
        using var s = new DeckSession(new StringWriter(), RepoPaths.TempDir(), null);
        s.Runner.RunText("d", """
            units lj
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 0.3 87287 loop geom
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0 2.5
            neigh_modify delay 0
            fix 1 all nve
            fix 2 all langevin 1.5 1.5 0.05 48279
            thermo 0
            run 400
            """);
        double sum = 0;
        for (var k = 0; k < 10; k++)
        {
            s.Runner.RunText("more", "run 20");
            sum += Thermodynamics.Temperature(s.Simulation!);
        }
        Assert.That(sum / 10, Is.EqualTo(1.5).Within(0.15));
    }
}
