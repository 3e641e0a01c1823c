namespace DeepMD.Sharp.Tests.Input;

using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// fix ave/chunk with compute chunk/atom bin/1d and bin/2d against LAMMPS (Debian's lmp) on an LJ liquid: every file
/// the fixes write must be the same (header lines equal, step lines, every number to 1e-8 relative or LAMMPS' last
/// %g digit), as must the thermo table, which reads f_ID[i][j] through a variable as KAPPA/in.mp does. Covered: units
/// reduced, box and lattice; origins lower, center, upper and a coordinate; norm all, sample, none; ave one, running,
/// window; values vx, fy, density/number, density/mass, mass, temp, c_ID (per-atom vector and array column), v_name
/// (atom-style); compress yes with bound (empty bins dropped, OrigID column); discard yes and no; nchunk every;
/// adof/cdof; a user format and titles.
/// </summary>
[TestFixture]
[Category("Lammps")]
public class AveChunkVersusLammpsTests
{
    private const string Deck = """
        units       lj
        atom_style  atomic
        lattice     fcc 0.8442
        region      box block 0 5 0 5 0 6
        create_box  2 box
        create_atoms 1 box
        region      half block 0 2.5 INF INF INF INF
        group       half region half
        set         group half type 2
        mass        1 1.0
        mass        2 2.0
        velocity    all create 2.0 87287 loop geom
        pair_style  lj/cut 2.5
        pair_coeff  * * 1.0 1.0 2.5
        neighbor    0.3 bin
        neigh_modify every 1 delay 0 check yes
        fix         1 all nve
        compute     ke all ke/atom
        compute     st all stress/atom NULL
        variable    temp atom c_ke/1.5
        compute     layers all chunk/atom bin/1d z lower 0.1 units reduced
        compute     slabs all chunk/atom bin/1d x center 1.3 units box
        compute     cols all chunk/atom bin/2d x lower 0.5 y 2.0 0.7 units lattice
        compute     sparse half chunk/atom bin/1d x lower 0.5 units lattice compress yes bound x 0.5 4.0
        compute     edge all chunk/atom bin/1d y upper 1.1 units lattice discard yes bound y 1.0 4.5 nchunk every
        compute     clamp all chunk/atom bin/1d y lower 0.9 units lattice discard no bound y 1.0 4.0
        fix         2 all ave/chunk 10 5 100 layers v_temp vx density/number temp file profile.z
        fix         3 all ave/chunk 5 4 50 slabs density/mass mass c_ke c_st[3] norm sample ave running file profile.x
        fix         4 all ave/chunk 10 2 50 cols vx fy temp norm none ave window 3 adof 2 cdof 1 file profile.xy format %20.12g
        fix         5 half ave/chunk 25 2 50 sparse vz density/number file profile.c title1 "# sparse" title2 "# t n c"
        fix         6 all ave/chunk 50 1 50 edge vx temp norm sample file profile.e
        fix         7 all ave/chunk 50 1 50 clamp density/number norm sample file profile.n
        variable    tdiff equal f_2[6][4]-f_2[1][4]
        variable    dens equal f_3[2][4]
        thermo_style custom step temp pe v_tdiff v_dens
        thermo_modify format float %20.15g
        thermo      100
        run         300
        """;

    private static readonly string[] Files = ["profile.z", "profile.x", "profile.xy", "profile.c", "profile.e", "profile.n"];

    [Test]
    public void AveChunkFilesAndThermoMatchLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        var theirsDir = RepoPaths.TempDir();
        var oursDir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(theirsDir, "in.lj"), Deck);
        File.WriteAllText(Path.Combine(oursDir, "in.lj"), Deck);
        var theirs = LammpsHarness.RunLammps(lmp, Path.Combine(theirsDir, "in.lj"), theirsDir);
        var ours = LammpsHarness.RunDpsharp(Path.Combine(oursDir, "in.lj"), oursDir);
        LammpsHarness.AssertSameThermo(theirs, ours, 1e-8);
        foreach (var f in Files)
        {
            var worst = ComputeVersusLammpsTests.AssertSameFile(Path.Combine(theirsDir, f), Path.Combine(oursDir, f));
            TestContext.Out.WriteLine($"{f}: largest relative difference {worst.Relative:E2} {worst.Where}");
        }
    }

    /// <summary>
    /// LAMMPS' KAPPA/in.mp made small (5x5x10 fcc cells, 600 steps): fix thermal/conductivity swaps the hottest
    /// atom of the bottom slab with the coldest of the middle one every 10 steps, fix ave/chunk writes the temperature
    /// profile of 20 reduced-unit layers (v_temp of compute ke/atom), and thermo prints f_3 (energy moved) and
    /// f_2[11][3] − f_2[1][3] through a variable: the thermo table and the profile file equal LAMMPS'.
    /// </summary>
    [Test]
    public void MullerPlatheHeatFluxDeckMatchesLammps()
    {
        var lmp = LammpsHarness.RequireLammps();
        const string deck = """
            units lj
            atom_style atomic
            lattice fcc 0.6
            region box block 0 5 0 5 0 10
            create_box 1 box
            create_atoms 1 box
            mass 1 1.0
            velocity all create 1.35 87287
            pair_style lj/cut 2.5
            pair_coeff 1 1 1.0 1.0
            neighbor 0.3 bin
            neigh_modify delay 0 every 1
            fix 1 all nve
            compute ke all ke/atom
            variable temp atom c_ke/1.5
            compute layers all chunk/atom bin/1d z lower 0.05 units reduced
            fix 2 all ave/chunk 10 20 200 layers v_temp file profile.mp
            fix 3 all thermal/conductivity 10 z 20
            variable tdiff equal f_2[11][3]-f_2[1][3]
            thermo_style custom step temp epair etotal f_3 v_tdiff
            thermo_modify format float %20.15g
            thermo 200
            run 600
            """;
        var theirsDir = RepoPaths.TempDir();
        var oursDir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(theirsDir, "in.mp"), deck);
        File.WriteAllText(Path.Combine(oursDir, "in.mp"), deck);
        var theirs = LammpsHarness.RunLammps(lmp, Path.Combine(theirsDir, "in.mp"), theirsDir);
        var ours = LammpsHarness.RunDpsharp(Path.Combine(oursDir, "in.mp"), oursDir);
        LammpsHarness.AssertSameThermo(theirs, ours, 1e-8);
        var worst = ComputeVersusLammpsTests.AssertSameFile(Path.Combine(theirsDir, "profile.mp"), Path.Combine(oursDir, "profile.mp"));
        TestContext.Out.WriteLine($"profile.mp: largest relative difference {worst.Relative:E2} {worst.Where}");
    }
}
