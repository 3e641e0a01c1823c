namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix spring tether and couple compared with LAMMPS on a small melt whose groups drift across periodic faces (centres
/// of mass from unwrapped positions): the same thermo rows, the spring energy and force (f_ID, f_ID[1..4]) included.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class SpringFixVersusLammpsTests
{
    [TestCase("fix 2 left spring tether 5.0 1.0 NULL 2.0 0.5")]
    [TestCase("fix 2 left spring couple right 2.0 3.0 0.0 NULL 0.0")]
    [TestCase("fix 2 right spring couple left 2.0 NULL NULL NULL 0.0")]
    public void SpringMatchesLammps(string spring)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        File.WriteAllText(path, $"""
            units lj
            lattice fcc 0.8442
            region box block 0 5 0 5 0 5
            create_box 2 box
            create_atoms 1 box
            mass 1 1.0
            mass 2 2.0
            region left block INF 2.5 INF INF INF INF
            group left region left
            group right subtract all left
            set group left type 2
            velocity all create 1.5 87287 loop geom
            velocity left set 0.6 0.2 -0.3 sum yes
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            fix 1 all nve
            {spring}
            thermo_style custom step temp pe etotal press f_2 f_2[1] f_2[2] f_2[3] f_2[4]
            thermo_modify format float %20.15g
            thermo 50
            run 300
            """);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }
}
