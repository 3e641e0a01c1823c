namespace DeepMD.Sharp.Tests.Domains;

/// <summary>
/// fix langevin and fix temp/csvr under <c>mpirun -np N dpsharp run</c> (real Open MPI ranks) on LAMMPS' melt example
/// against the one-process run (<see cref="DecomposedRunTests.Compare"/>: thermo to 1e-10 relative, dumps sorted by id).
/// Langevin's numbers are keyed by atom id and step under MPI; the one-process run draws the same with <c>stream keyed</c>.
/// </summary>
[NonParallelizable]
public class DecomposedThermostatRunTests
{
    private static string Melt(string fix) => DecomposedRunTests.Melt().Replace("fix\t\t1 all nve", "fix\t\t1 all nve\n" + fix);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Langevin_OnRanks_EqualsTheOneProcessRunWithKeyedNumbers(int ranks)
    {
        const string fix = "fix 2 all langevin 3.0 3.0 1.0 48279";
        Assert.That(Melt(fix), Does.Contain(fix), "the melt example changed");
        DecomposedRunTests.Compare(Melt(fix + " stream keyed"), Melt(fix), ranks, "melt langevin");
    }

    [TestCase(3)]
    public void TempCsvr_OnRanks_EqualsTheOneProcessRun(int ranks)
    {
        var deck = Melt("fix 2 all temp/csvr 2.0 2.0 0.5 12345");
        DecomposedRunTests.Compare(deck, deck, ranks, "melt temp/csvr");
    }
}
