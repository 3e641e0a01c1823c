namespace DeepMD.Sharp.Tests.Domains;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.MpiDriver;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;

/// <summary>
/// The decomposition on virtual ranks (one thread each, <see cref="LoopbackCommunicator"/>) against the serial neighbor
/// list: see <see cref="DecompositionChecks"/> for what is compared. MpiRunTests runs the same checks on MPI ranks.
/// </summary>
public class DomainDecompositionTests
{
    public static IEnumerable<TestCaseData> Cases() =>
        from ranks in new[] { 1, 2, 3, 4, 6 }
        from c in DecompositionChecks.Cases()
        select new TestCaseData(c, ranks).SetName($"{{m}}({c.Name}, {ranks} ranks)");

    [TestCaseSource(nameof(Cases))]
    public void GhostShellAndReverseCommunication_ReproduceTheSerialList(DecompositionChecks.Case c, int ranks)
    {
        var results = new (long Failures, string Messages, long Fewest)[ranks];
        LoopbackCommunicator.Run(ranks, comm => results[comm.Rank] = DecompositionChecks.Run(comm, c));
        Assert.That(results[0].Failures, Is.Zero, string.Concat(results.Select(r => r.Messages)));
        if (c.Name == "empty subdomains" && ranks > 1)
            Assert.That(results[0].Fewest, Is.Zero, "the case should leave a rank without atoms");
    }

    [Test]
    public void SwapsPerSide_GrowWhenTheSubdomainIsThinnerThanTheGhostCutoff()
    {
        var box = Box.Orthorhombic(12, 12, 3);
        LoopbackCommunicator.Run(3, comm =>
        {
            var dd = new DomainDecomposition(comm, new ProcessorGrid(3, 1, 1), box, 5.0);
            // a: subdomains 4 Å wide, shell 5 Å: 2 swaps; b: one rank, 12 Å > 5 Å: 1; c: 3 Å box: ⌊5/3⌋ + 1 = 2.
            Assert.That((dd.SwapsPerSide(0), dd.SwapsPerSide(1), dd.SwapsPerSide(2)), Is.EqualTo((2, 1, 2)));
        });
    }

    [Test]
    public void Exchange_ReportsAtomsThatMovedFartherThanOneSubdomain()
    {
        var box = Box.Orthorhombic(20, 10, 10);
        var e = Assert.Throws<InvalidOperationException>(() => LoopbackCommunicator.Run(4, comm =>
        {
            var dd = new DomainDecomposition(comm, new ProcessorGrid(4, 1, 1), box, 2.0);
            dd.Distribute([1, 2], [0, 0], [1.0, 11.0], [5.0, 5.0], [5.0, 5.0]);
            // Atom 1 jumps from subdomain 0 to subdomain 2 (10 Å along a): no neighbour of rank 0 keeps it.
            for (var i = 0; i < dd.Atoms.NLocal; i++)
                if (dd.Atoms.Id[i] == 1) dd.Atoms.X[i] += 10;
            dd.Exchange();
        }));
        Assert.That(e!.Message, Does.Contain("lost atoms: 2 before the exchange, 1 after"));
    }
}
