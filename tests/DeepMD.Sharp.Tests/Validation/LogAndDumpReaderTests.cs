namespace DeepMD.Sharp.Tests.Validation;

using DeepMD.Sharp.Dynamics.Analysis;
using DeepMD.Sharp.IO;
using DeepMD.Sharp.Tests.Support;

/// <summary>Reading what a run leaves: thermo tables and warnings of a log, frames of a (triclinic, cut-short) dump.</summary>
[TestFixture]
public class LogAndDumpReaderTests
{
    [Test]
    public void ThermoLogKeepsEachRunsTableAndCountsExtrapolationWarnings()
    {
        string[] lines =
        [
            "Setting up Verlet run ...",
            "Step Temp TotEng ",
            "       0          300   -29936.906 ",
            "     100    314.40567   -29937.458 ",
            "WARNING: step 150: atoms 3 and 17 (O O) at 1.612 Å, below the training minimum 2.35 Å (extrapolation)",
            "     200    288.15985   -29938.114 ",
            "Loop time of 3.09 on 1 procs for 200 steps with 192 atoms",
            "WARNING: something else",
            "Step Time TotEng Density ",
            "     200  0.1  -29938.114   0.99 ",
            "     300  0.15  -29938.2   0.98 ",
            "     400  0.2  -29938.", // cut short
        ];
        var log = ThermoLog.Parse(lines);
        Assert.That(log.Blocks, Has.Count.EqualTo(2));
        Assert.That(log.Blocks[0].Column("TotEng"), Is.EqualTo(new[] { -29936.906, -29937.458, -29938.114 }));
        Assert.That(log.Blocks[1].Column("density"), Is.EqualTo(new[] { 0.99, 0.98 }));
        Assert.That(log.Blocks[1].Column("Press"), Is.Null);
        Assert.That(log.Warnings, Has.Count.EqualTo(2));
        Assert.That(log.ExtrapolationWarnings, Is.EqualTo(1));
    }

    [Test]
    public void DumpReaderUndoesTheTriclinicBoundingBoxAndDropsACutShortFrame()
    {
        // LAMMPS writes xlo_bound = xlo + min(0, xy, xz, xy + xz), xhi_bound = xhi + max(0, xy, xz, xy + xz),
        // ylo_bound = ylo + min(0, yz), yhi_bound = yhi + max(0, yz). Cell: lo (1, 2, 3), lengths 10, 11, 12, xy 2, xz −3, yz 1.5.
        var path = Path.Combine(RepoPaths.TempDir(), "t.dump");
        File.WriteAllText(path, string.Join('\n',
            "ITEM: TIMESTEP", "100", "ITEM: NUMBER OF ATOMS", "2",
            "ITEM: BOX BOUNDS xy xz yz pp pp ff",
            "-2 13 2", "2 14.5 -3", "3 15 1.5",
            "ITEM: ATOMS id type xs ys zs",
            "7 2 0.5 0.5 0.5",
            "3 1 0 0 0",
            "ITEM: TIMESTEP", "200", "ITEM: NUMBER OF ATOMS", "2",
            "ITEM: BOX BOUNDS pp pp pp", "0 10", "0 10", "0 10",
            "ITEM: ATOMS id type xu yu zu", "1 1 -0.5 11.5 3") + "\n");
        var frames = LammpsDumpReader.ReadFrames(path).ToList();
        Assert.That(frames, Has.Count.EqualTo(1), "the second frame lacks an atom line and is left out");
        var f = frames[0];
        Assert.That(f.Step, Is.EqualTo(100));
        Assert.That(f.Box.Lo, Is.EqualTo(new[] { 1.0, 2.0, 3.0 }).Within(1e-12));
        Assert.That(f.Box.Hi, Is.EqualTo(new[] { 11.0, 13.0, 15.0 }).Within(1e-12));
        Assert.That((f.Box.Xy, f.Box.Xz, f.Box.Yz), Is.EqualTo((2.0, -3.0, 1.5)));
        Assert.That(f.Box.Periodic, Is.EqualTo(new[] { true, true, false }));
        Assert.That(f.Ids, Is.EqualTo(new[] { 3, 7 }));
        Assert.That(f.Types, Is.EqualTo(new[] { 1, 2 }));
        // Atom 7 at the cell centre: lo + (a + b + c)/2 = (1, 2, 3) + (10 + 2 − 3, 11 + 1.5, 12)/2.
        Assert.That(new[] { f.X[1], f.Y[1], f.Z[1] }, Is.EqualTo(new[] { 5.5, 8.25, 9.0 }).Within(1e-12));
        Assert.That(new[] { f.X[0], f.Y[0], f.Z[0] }, Is.EqualTo(new[] { 1.0, 2.0, 3.0 }).Within(1e-12));
        Assert.That(f.Unwrapped, Is.False);
    }
}
