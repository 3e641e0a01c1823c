namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix viscosity (Müller-Plathe momentum exchange). Debian's LAMMPS is built without the EXTRA-FIX package that has it,
/// so these are physics checks: every swap is an elastic exchange in the pair's centre-of-mass frame, so the kinetic
/// energy and the total momentum stay what they were, and f_ID accumulates the momentum moved between the slabs.
/// </summary>
[TestFixture]
public class FixViscosityTests
{
    [Test]
    public void SwapsKeepKineticEnergyAndMomentumAndAccumulateTheExchangedMomentum()
    {
        // a two-mass lj crystal frozen in place (timestep 1e-9): only the swaps change velocities, 3 pairs every step
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.visc");
        File.WriteAllText(path, """
            units lj
            atom_style atomic
            lattice fcc 0.8442
            region box block 0 4 0 8 0 4
            create_box 2 box
            create_atoms 1 box
            set type 1 type/fraction 2 0.4 5512
            mass 1 1.0
            mass 2 2.5
            velocity all create 1.5 87287 loop geom mom yes
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            compute p all momentum
            fix 1 all nve
            fix 4 all viscosity 1 x y 10 swap 3
            timestep 1.0e-9
            thermo_style custom step ke c_p[1] c_p[2] c_p[3] f_4
            thermo_modify format float %20.15g norm no
            thermo 1
            run 5
            """);
        var table = LammpsHarness.ThermoTables(LammpsHarness.RunDpsharp(path, dir)).Single();
        Assert.That(table.Header, Is.EqualTo(new[] { "Step", "KinEng", "c_p[1]", "c_p[2]", "c_p[3]", "f_4" }));
        var rows = table.Rows;
        Assert.That(rows, Has.Count.EqualTo(6));
        var ke0 = rows[0][1];
        for (var r = 1; r < rows.Count; r++)
        {
            Assert.That(rows[r][1], Is.EqualTo(ke0).Within(1e-12 * ke0), $"kinetic energy at step {rows[r][0]}");
            for (var c = 2; c <= 4; c++) Assert.That(Math.Abs(rows[r][c]), Is.LessThan(1e-10), $"momentum component {c - 1} at step {rows[r][0]}");
            // the bottom slab's fastest +x atoms give momentum to the middle slab's fastest −x atoms: f_4 decreases
            Assert.That(rows[r][5], Is.LessThan(rows[r - 1][5]), $"f_4 at step {rows[r][0]}");
        }
    }

    [Test]
    public void BadArgumentsGetLammpsTexts()
    {
        var dir = RepoPaths.TempDir();
        foreach (var (fix, text) in new[]
        {
            ("fix 4 all viscosity 1 x y 9", "Illegal fix viscosity command"),
            ("fix 4 all viscosity 1 x q 10", "Illegal fix viscosity command"),
            ("fix 4 all viscosity 1 x y 10 swap 0", "Fix viscosity swap value must be positive"),
            ("fix 4 all viscosity 1 x y 10 vtarget -1", "Fix viscosity vtarget value must be positive"),
        })
        {
            var path = Path.Combine(dir, "in.bad");
            File.WriteAllText(path, "units lj\nlattice fcc 0.8\nregion box block 0 2 0 4 0 2\ncreate_box 1 box\ncreate_atoms 1 box\nmass 1 1.0\n"
                + "pair_style lj/cut 2.5\npair_coeff * * 1.0 1.0\n" + fix + "\n");
            var e = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => LammpsHarness.RunDpsharp(path, dir));
            Assert.That(e!.Message, Does.Contain(text), fix);
        }
    }
}
