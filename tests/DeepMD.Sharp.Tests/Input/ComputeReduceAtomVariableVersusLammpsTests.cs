namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Core.Errors;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// Atom-style variables as inputs of compute reduce (LAMMPS' PACKAGES/momentum deck reduces m·v this way) against
/// Debian's <c>lmp</c>: sums, averages, extrema over a group, thermo at <c>%20.15g</c> to 1e-9; LAMMPS' error texts.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class ComputeReduceAtomVariableVersusLammpsTests
{
    [Test]
    public void ReducedAtomVariablesMatchLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, """
            units lj
            lattice fcc 0.8442
            region box block 0 4 0 4 0 4
            create_box 2 box
            create_atoms 1 box
            region half block 0 2 INF INF INF INF
            set region half type 2
            mass 1 1.0
            mass 2 2.5
            group heavy type 2
            velocity all create 1.3 4928459 loop geom
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0
            neigh_modify delay 0 every 1 check yes
            fix 1 all nve
            variable mx atom mass*vx
            variable my atom mass*vy
            variable e atom 0.5*mass*(vx*vx+vy*vy+vz*vz)+0.1*x
            compute p all reduce sum v_mx v_my
            compute h heavy reduce ave v_e v_mx
            compute m all reduce max v_e
            compute n heavy reduce min v_my
            compute q all reduce sumsq v_mx
            thermo_style custom step temp pe c_p[1] c_p[2] c_h[1] c_h[2] c_m c_n c_q
            thermo_modify format float %20.15g norm no
            thermo 20
            run 100
            """ + "\n");
        LammpsHarness.AssertSameThermo(LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir), 1e-9);
    }

    [TestCase("variable a equal 1.0\ncompute r all reduce sum v_a\n", "Compute reduce variable is not atom-style variable")]
    [TestCase("compute r all reduce sum v_nothing\n", "Variable name for compute reduce does not exist")]
    public void RefusesWithLammpsErrorText(string lines, string text)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.bad");
        File.WriteAllText(path, "units lj\nlattice sc 0.8\nregion box block 0 3 0 3 0 3\ncreate_box 1 box\ncreate_atoms 1 box\nmass * 1.0\n" +
            "pair_style lj/cut 2.5\npair_coeff * * 1 1\n" + lines + "thermo_style custom step c_r\nrun 0\n");
        var lammps = LammpsHarness.RunLammps(lmp, path, dir, expectFailure: true);
        Assert.That(lammps, Does.Contain("ERROR: " + text));
        var e = Assert.Throws(Is.InstanceOf<UserInputException>(), () => LammpsHarness.RunDpsharp(path, dir));
        Assert.That(e!.Message, Does.Contain(text));
    }
}
