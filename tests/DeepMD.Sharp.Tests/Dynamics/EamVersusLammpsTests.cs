namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Tests.Support;

/// <summary>EAM copper (funcfl and setfl files shipped with LAMMPS) run by LAMMPS and dpsharp.</summary>
[TestFixture]
[Category("Lammps")]
public class EamVersusLammpsTests
{
    private const string Potentials = "/usr/share/lammps/potentials";

    private static void Compare(string deck, double tol)
    {
        var lmp = LammpsHarness.RequireLammps();
        if (!Directory.Exists(Potentials))
        {
            Requirement.That(false, Requirement.Lammps, $"{Potentials} missing; install lammps-data");
        }
        var dir = RepoPaths.TempDir();
        var path = Path.Combine(dir, "in.cu");
        File.WriteAllText(path, deck);
        LammpsHarness.AssertSameThermo(LammpsHarness.RunLammps(lmp, path, dir), LammpsHarness.RunDpsharp(path, dir), tol);
    }

    [Test]
    public void CopperFuncflNvtFirst100StepsMatchLammps() => Compare($"""
        units       metal
        atom_style  atomic
        lattice     fcc 3.615
        region      box block 0 5 0 5 0 5
        create_box  1 box
        create_atoms 1 box
        pair_style  eam
        pair_coeff  1 1 {Potentials}/Cu_u3.eam
        velocity    all create 800.0 4928459 mom yes rot yes dist gaussian
        neighbor    1.0 bin
        neigh_modify every 1 delay 0 check yes
        timestep    0.002
        fix         1 all nvt temp 800.0 800.0 0.1
        thermo_style custom step temp pe ke etotal press vol pxx pyy pzz pxy pxz pyz
        thermo      10
        run         100
        """, 1e-6);

    [Test]
    public void CopperNickelSetflNveMatchesLammps() => Compare($"""
        units       metal
        lattice     fcc 3.56
        region      box block 0 4 0 4 0 4
        create_box  2 box
        region      left block 0 1.9 INF INF INF INF
        region      right block 1.9 4 INF INF INF INF
        create_atoms 1 region left
        create_atoms 2 region right
        pair_style  eam/alloy
        pair_coeff  * * {Potentials}/CuNi.eam.alloy Cu Ni
        velocity    all create 600.0 87287 loop geom
        fix         1 all nve
        thermo_style custom step temp pe ke etotal press
        thermo      20
        run         100
        """, 1e-6);
}
