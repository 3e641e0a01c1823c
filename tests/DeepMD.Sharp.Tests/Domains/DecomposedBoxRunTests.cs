namespace DeepMD.Sharp.Tests.Domains;

/// <summary>
/// <c>mpirun -np N dpsharp run</c> (real Open MPI ranks) with a box that changes during the run (fix npt), a triclinic
/// box and a non-periodic boundary, against the one-process run: thermo equal to 1e-10 relative for 100 steps, dumps
/// identical after sorting by id (<see cref="DecomposedRunTests.Compare"/>).
/// </summary>
[NonParallelizable]
public class DecomposedBoxRunTests
{
    private const string Dump = "dump d all custom 50 out.dump id type x y z vx vy vz fx fy fz ix iy iz\nrun         100";

    /// <summary>The EAM copper NPT deck (fcc Cu 4×4×4, Cu_u3.eam, fix npt temp 300 300 0.1 iso 0 0 1) with a dump.</summary>
    private static string CopperNpt(string fix = "fix 1 all npt temp 300 300 0.1 iso 0 0 1", string processors = "", string boundary = "", string box = "") =>
        DecomposedBoxTests.CopperNpt(fix, processors, boundary: boundary, box: box).Replace("run         100", Dump);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void CopperNpt_OnRanks_EqualsTheOneProcessRun(int ranks) =>
        DecomposedRunTests.Compare(CopperNpt(), CopperNpt(), ranks, "copper npt");

    /// <summary>The water example (float64 test model) with fix npt instead of nvt.</summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void WaterNpt_OnRanks_EqualsTheOneProcessRun(int ranks)
    {
        static string Deck() => DecomposedRunTests.Water().Replace("fix             1 all nvt temp 330.0 330.0 0.5", "fix             1 all npt temp 330.0 330.0 0.5 iso 1.0 1.0 0.5\nthermo_style custom step temp pe ke etotal press vol lx ecouple econserve");
        Assert.That(Deck(), Does.Contain("all npt"), "the water example changed");
        DecomposedRunTests.Compare(Deck(), Deck(), ranks, "water npt");
    }

    [Test]
    public void TriclinicCopperNpt_OnThreeRanks_EqualsTheOneProcessRun()
    {
        var deck = CopperNpt("fix 1 all npt temp 300 300 0.1 tri 0 0 0.5", box: "prism 0 4 0 4 0 4 1.2 0.8 -0.6");
        DecomposedRunTests.Compare(deck, deck, 3, "triclinic copper npt");
    }

    [Test]
    public void NonPeriodicCopperSlab_OnTwoRanks_EqualsTheOneProcessRun()
    {
        var deck = CopperNpt("fix 1 all npt temp 300 300 0.1 x 0 0 0.5 y 0 0 0.5", boundary: "boundary p p f", box: "block 0 4 0 4 0 5")
            .Replace("create_atoms 1 box", "region slab block INF INF INF INF 0.5 4.4\ncreate_atoms 1 region slab");
        DecomposedRunTests.Compare(deck, deck.Replace("atom_style  atomic", "atom_style  atomic\nprocessors 1 1 2"), 2, "copper slab p p f");
    }
}
