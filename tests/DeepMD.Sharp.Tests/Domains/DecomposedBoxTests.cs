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

    /// <summary>
    /// A barostat that compresses the box faster than the skin allows (LAMMPS' check_distance leaves no room: a rebuild,
    /// with the decomposition and its ghost shell remade for the new box, at every step).
    /// </summary>
    [TestCase(2, "")]
    [TestCase(3, "processors 1 1 3")]
    public void CopperFastCompression_OnVirtualRanks_EqualsTheOneProcessRun(int ranks, string processors)
    {
        const string fix = "fix 1 all nph iso 200000 200000 0.05";
        static string Thin(string deck) => deck.Replace("neighbor    1.0 bin", "neighbor    0.2 bin");
        var serial = RunSerial(Thin(CopperNpt(fix)));
        var rows = Thermo(serial);
        Assert.That(rows[0][7] - rows[^1][7], Is.GreaterThan(0.2), "the box should shrink by more than the skin (0.2 Å)");
        var decomposed = RunOnVirtualRanks(ranks, Thin(CopperNpt(fix, processors)));
        AssertSameThermo(serial, decomposed, ranks);
        // the same rebuild decisions as the one-process loop (the corners' movement counted): the same number of builds
        Assert.That(Builds(decomposed), Is.EqualTo(Builds(serial)).And.GreaterThan(10));
    }

    /// <summary>Triclinic boxes: subdomains in fractional coordinates, ghosts through tilted faces; fix npt tri changes the tilts.</summary>
    [TestCase(2, "", "fix 1 all nvt temp 300 300 0.1")]
    [TestCase(3, "", "fix 1 all npt temp 300 300 0.1 tri 0 0 0.5")]
    [TestCase(3, "processors 1 3 1", "fix 1 all npt temp 300 300 0.1 aniso 0 0 0.5")]
    public void TriclinicCopper_OnVirtualRanks_EqualsTheOneProcessRun(int ranks, string processors, string fix)
    {
        const string prism = "prism 0 4 0 4 0 4 1.2 0.8 -0.6";
        var serial = RunSerial(CopperNpt(fix, box: prism));
        Assert.That(serial, Does.Contain("triclinic box"), "the box should be triclinic");
        AssertSameThermo(serial, RunOnVirtualRanks(ranks, CopperNpt(fix, processors, box: prism)), ranks);
    }

    /// <summary>A slab with a non-periodic direction (no ghosts across it); a barostat on the periodic directions only.</summary>
    [TestCase(2, "processors 1 1 2", "boundary p p f", "block INF INF INF INF 0.5 4.4", "fix 1 all nvt temp 300 300 0.1")]
    [TestCase(3, "processors 1 1 3", "boundary p p f", "block INF INF INF INF 0.5 4.4", "fix 1 all npt temp 300 300 0.1 x 0 0 0.5 y 0 0 0.5")]
    [TestCase(3, "", "boundary f p f", "block 0.5 4.4 INF INF 0.5 4.4", "fix 1 all nve")]
    public void NonPeriodicCopper_OnVirtualRanks_EqualsTheOneProcessRun(int ranks, string processors, string boundary, string slab, string fix)
    {
        AssertSameThermo(RunSerial(SlabDeck(fix, "", boundary, slab)), RunOnVirtualRanks(ranks, SlabDeck(fix, processors, boundary, slab)), ranks);
    }

    private static string SlabDeck(string fix, string processors, string boundary, string slab) =>
        CopperNpt(fix, processors, boundary: boundary, box: "block 0 5 0 4 0 5")
            .Replace("create_atoms 1 box", $"region slab {slab}\ncreate_atoms 1 region slab");

    /// <summary>
    /// Shrink-wrapped faces (s, m) follow the atoms in one process (LAMMPS' reset_box); several ranks do not carry them
    /// yet and stop before the run with a message saying so, instead of running them as fixed faces.
    /// </summary>
    [TestCase(3, "processors 1 1 3", "boundary p p s", "block INF INF INF INF 0.5 4.4", "fix 1 all npt temp 300 300 0.1 x 0 0 0.5 y 0 0 0.5")]
    [TestCase(3, "", "boundary f p m", "block 0.5 4.4 INF INF 0.5 4.4", "fix 1 all nve")]
    public void ShrinkWrappedCopper_OnVirtualRanks_IsRefusedClearly(int ranks, string processors, string boundary, string slab, string fix)
    {
        Assert.That(RunSerial(SlabDeck(fix, "", boundary, slab)), Does.Contain("Loop time"), "one process runs it");
        var ex = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => RunOnVirtualRanks(ranks, SlabDeck(fix, processors, boundary, slab)))!;
        Assert.That(ex.Message, Does.Contain("shrink-wrapped boundaries (s, m) are not carried over several processes yet"));
    }

    /// <summary>An atom that leaves through a non-periodic face stops the run on every rank, as in one process.</summary>
    [Test]
    public void AtomLeavingThroughANonPeriodicFace_StopsTheRunAsInOneProcess()
    {
        string Deck(string p) => CopperNpt("fix 1 all nve", p, boundary: "boundary p p f", box: "block 0 4 0 4 0 5")
            .Replace("create_atoms 1 box", "region slab block INF INF INF INF 0.5 4.4\ncreate_atoms 1 region slab")
            .Replace("neighbor    1.0 bin", "group one id 1\nneighbor    1.0 bin")
            .Replace("timestep    0.002", "timestep    0.002\nvelocity one set 0.0 0.0 -60.0");
        var serial = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => RunSerial(Deck("")))!;
        Assert.That(serial.Message, Does.Contain("atom 1 is lost"));
        var decomposed = Assert.Throws<DeepMD.Sharp.Core.Errors.UserInputException>(() => RunOnVirtualRanks(2, Deck("processors 1 1 2")))!;
        Assert.That(decomposed.Message, Does.Contain("atom 1 is lost: it left the box through a non-periodic boundary"));
        Assert.That(Step(decomposed.Message), Is.EqualTo(Step(serial.Message)), "the same step as in one process");
    }

    private static string Step(string message) => System.Text.RegularExpressions.Regex.Match(message, @"step (\d+): atom").Groups[1].Value;

    /// <summary>Subdomains far thinner than the ghost cutoff (3.6 Å against 5.95 Å: two swaps per side) while the box changes.</summary>
    [Test]
    public void ThinSubdomains_OnVirtualRanks_EqualTheOneProcessRun() =>
        AssertSameThermo(RunSerial(CopperNpt()), RunOnVirtualRanks(4, CopperNpt(processors: "processors 1 1 4")), 4);

    private static int Builds(string output)
    {
        var m = System.Text.RegularExpressions.Regex.Match(output, @"Neighbor list builds = (\d+)");
        Assert.That(m.Success, output);
        return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The volume column moved (the barostat did something) — otherwise the comparison proves little.</summary>
    private static void AssertBoxChanged(string output)
    {
        var rows = Thermo(output);
        Assert.That(Math.Abs(rows[^1][6] - rows[0][6]), Is.GreaterThan(1e-4 * rows[0][6]), "the box should change during the run");
    }
}
