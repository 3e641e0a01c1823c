namespace DeepMD.Sharp.Tests.Domains;

using System.Globalization;
using DeepMD.Sharp.Tests.Dynamics;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// LAMMPS itself under MPI against dpsharp under MPI: <c>mpirun -np 2 lmp -in deck</c> and
/// <c>mpirun -np 2 dpsharp run deck</c> on the same EAM copper NPT deck (LAMMPS' Cu_u3.eam, fcc Cu 4×4×4, velocity create,
/// fix npt temp 300 300 0.1 iso 0 0 1, 100 steps): the thermo tables agree at LAMMPS' printed precision (8 significant
/// digits: within one unit of the 8th digit).
/// </summary>
[NonParallelizable]
public class DecomposedVersusLammpsTests
{
    private const string Potential = "/usr/share/lammps/potentials/Cu_u3.eam";

    private const string Deck = $"""
        units       metal
        atom_style  atomic
        lattice     fcc 3.615
        region      box block 0 4 0 4 0 4
        create_box  1 box
        create_atoms 1 box
        pair_style  eam
        pair_coeff  1 1 {Potential}
        velocity    all create 600.0 4928459 mom yes rot yes dist gaussian
        neighbor    1.0 bin
        neigh_modify every 1 delay 0 check yes
        timestep    0.002
        FIX
        thermo_style custom step temp pe ke etotal press vol lx
        thermo      10
        run         100
        """;

    [TestCase("fix 1 all npt temp 300 300 0.1 iso 0 0 1")]
    [TestCase("fix 1 all npt temp 300 300 0.1 aniso 0 0 0.5")]
    public void CopperNpt_OnTwoRanks_AgreesWithLammpsOnTwoRanks(string fix)
    {
        var mpirun = MpiRun.Require();
        var lmp = LammpsHarness.RequireLammps();
        Requirement.That(File.Exists(Potential), Requirement.Lammps, $"{Potential} is missing (apt-get install lammps-data)");
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "in.cu"), Deck.Replace("FIX", fix));

        var lammps = MpiRun.Run(mpirun, 2, lmp, ["-in", "in.cu", "-log", "none"], dir, TimeSpan.FromSeconds(120));
        Assert.That(lammps.ExitCode, Is.Zero, lammps.Output + lammps.Error);
        Assert.That(lammps.Output, Does.Contain("on 2 procs"), "LAMMPS should run on 2 ranks");
        var ours = DecomposedRunTests.Mpi(mpirun, 2, dir, "in.cu");
        Assert.That(ours.ExitCode, Is.Zero, ours.Output + ours.Error);
        Assert.That(ours.Output, Does.Contain("with 2 MPI tasks"));

        var expected = DecomposedRunTests.Thermo(lammps.Output);
        var actual = DecomposedRunTests.Thermo(ours.Output);
        Assert.That(expected, Has.Count.EqualTo(11), lammps.Output);
        Assert.That(actual, Has.Count.EqualTo(expected.Count), ours.Output);
        double worst = 0;
        for (var r = 0; r < expected.Count; r++)
            for (var c = 0; c < expected[r].Length; c++)
            {
                var (e, a) = (expected[r][c], actual[r][c]);
                worst = Math.Max(worst, Math.Abs(a - e) / Math.Max(Math.Abs(e), 1e-300));
                Assert.That(a, Is.EqualTo(e).Within(1e-7 * Math.Abs(e)), $"step {expected[r][0]} column {c}: dpsharp {a.ToString("R", CultureInfo.InvariantCulture)}, LAMMPS {e.ToString("R", CultureInfo.InvariantCulture)}");
            }
        // the box moved: the comparison covers the barostat
        Assert.That(expected[^1][6], Is.Not.EqualTo(expected[0][6]));
        TestContext.Out.WriteLine($"{fix}: largest relative deviation from LAMMPS' printed thermo {worst:G3}");
    }
}
