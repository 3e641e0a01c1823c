namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>
/// compute temp/partial, temp/com and temp/region (scalar, kinetic tensor, and as the temperature of compute pressure)
/// and fix viscous compared with LAMMPS on a small melt with a drifting group: the same thermo rows.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class TemperatureComputesVersusLammpsTests
{
    [TestCase("3")]
    [TestCase("2")]
    public void TemperatureComputesAndViscousMatchLammps(string dimension)
    {
        var lmp = LammpsHarness.RequireLammps();
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.deck");
        var geometry = dimension == "2"
            ? "dimension 2\nlattice sq2 0.8442\nregion box block 0 10 0 8 -0.5 0.5\n"
            : "lattice fcc 0.8442\nregion box block 0 5 0 5 0 5\n";
        var partial = dimension == "2" ? "1 0 0" : "1 0 1";
        File.WriteAllText(path, $"""
            units lj
            {geometry}
            create_box 2 box
            create_atoms 1 box
            mass 1 1.0
            mass 2 2.0
            region half block INF 2.5 INF INF INF INF
            group half region half
            set group half type 2
            velocity all create 1.5 87287 loop geom
            velocity half set 0.5 0.2 NULL sum yes
            pair_style lj/cut 2.5
            pair_coeff * * 1.0 1.0 2.5
            fix 1 all nve
            fix 2 half viscous 0.5 scale 2 0.3
            {(dimension == "2" ? "fix 3 all enforce2d" : "")}
            region mid block 1 4 INF INF INF INF
            compute tp all temp/partial {partial}
            compute tc half temp/com
            compute tr all temp/region mid
            compute trh half temp/region mid
            compute pc all pressure tc
            compute pr all pressure tr
            thermo_style custom step temp pe etotal c_tp c_tp[1] c_tp[3] c_tc c_tc[2] c_tc[4] c_tr c_tr[5] c_trh c_pc c_pc[4] c_pr
            thermo_modify format float %20.15g
            thermo 50
            run 300
            """);
        var lammps = LammpsHarness.RunLammps(lmp, path, dir);
        var ours = LammpsHarness.RunDpsharp(path, dir);
        LammpsHarness.AssertSameThermo(lammps, ours, 1e-9);
    }
}
