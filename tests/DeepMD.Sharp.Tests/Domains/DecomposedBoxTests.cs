namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Tests.Support;
using static DecomposedDeckTests;

/// <summary>
/// Decks whose box changes during the run (fix npt, nph), triclinic boxes, non-periodic boundaries and thin subdomains
/// run decomposed on virtual ranks (<see cref="LoopbackCommunicator"/>) against the one-process run: thermo equal to
/// 1e-10 relative.
/// </summary>
[TestFixture]
public class DecomposedBoxTests
{
    private const string CuPotential = "/usr/share/lammps/potentials/Cu_u3.eam";

    /// <summary>fcc copper, pair_style eam, 100 steps of FIX (LAMMPS' examples style), thermo with the box.</summary>
    internal static string CopperNpt(string fix = "fix 1 all npt temp 300 300 0.1 iso 0 0 1", string processors = "", int cells = 4,
        string boundary = "", string box = "")
    {
        Requirement.That(File.Exists(CuPotential), Requirement.Lammps, $"{CuPotential} is missing (apt-get install lammps-data)");
        return $"""
            units       metal
            atom_style  atomic
            {boundary}
            {processors}
            lattice     fcc 3.615
            region      box {(box.Length > 0 ? box : $"block 0 {cells} 0 {cells} 0 {cells}")}
            create_box  1 box
            create_atoms 1 box
            pair_style  eam
            pair_coeff  1 1 {CuPotential}
            velocity    all create 600.0 4928459 mom yes rot yes dist gaussian
            neighbor    1.0 bin
            neigh_modify every 1 delay 0 check yes
            timestep    0.002
            {fix}
            thermo_style custom step temp pe ke etotal press vol lx ly lz xy xz yz pxx pyy pzz pxy pxz pyz ecouple econserve
            thermo_modify format float %.17g
            thermo      10
            run         100
            """;
    }

    [TestCase(1, "", "fix 1 all npt temp 300 300 0.1 iso 0 0 1")]
    [TestCase(2, "", "fix 1 all npt temp 300 300 0.1 iso 0 0 1")]
    [TestCase(3, "", "fix 1 all npt temp 300 300 0.1 iso 0 0 1")]
    [TestCase(4, "processors 2 2 1", "fix 1 all npt temp 300 300 0.1 aniso 0 0 0.5")]
    [TestCase(3, "processors 1 3 1", "fix 1 all nph iso 5000 5000 0.5")]
    [TestCase(2, "", "fix 1 all nph aniso 0 -2000 0.5 couple xy")]
    public void CopperNpt_OnVirtualRanks_EqualsTheOneProcessRun(int ranks, string processors, string fix)
    {
        var deck = CopperNpt(fix, processors);
        var serial = RunSerial(CopperNpt(fix));
        var decomposed = RunOnVirtualRanks(ranks, deck);
        AssertBoxChanged(serial);
        AssertSameThermo(serial, decomposed, ranks);
    }

    /// <summary>The volume column moved (the barostat did something) — otherwise the comparison proves little.</summary>
    private static void AssertBoxChanged(string output)
    {
        var rows = Thermo(output);
        Assert.That(Math.Abs(rows[^1][6] - rows[0][6]), Is.GreaterThan(1e-4 * rows[0][6]), "the box should change during the run");
    }
}
