namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Input;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// A run stopped half way, whose atoms, box and fix states (<c>SaveState</c>) are put into a fresh simulation built from
/// the same deck, continues like the uninterrupted run: what a restart file must carry for fix npt/nph/csvr. In one
/// process, through write_restart/read_restart, the continuation is bit for bit the uninterrupted run.
/// </summary>
[TestFixture]
public class FixStateContinuationTests
{
    private sealed record Snapshot(double[][] Arrays, int[][] Images, double[] Box, long Step, Dictionary<string, double[]> Fixes)
    {
        /// <summary>Unwrapped coordinate <paramref name="k"/> (0..2) of atom <paramref name="i"/> (wrapping depends on when lists were rebuilt).</summary>
        public double Unwrapped(int k, int i)
        {
            double lx = Box[1] - Box[0], ly = Box[3] - Box[2], lz = Box[5] - Box[4];
            int ia = Images[0][i], ib = Images[1][i], ic = Images[2][i];
            return k switch
            {
                0 => Arrays[0][i] + ia * lx + ib * Box[6] + ic * Box[7],
                1 => Arrays[1][i] + ib * ly + ic * Box[8],
                _ => Arrays[2][i] + ic * lz,
            };
        }
    }

    private static Simulation RunDeck(string deck, string dir, string name)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, deck);
        var session = new DeckSession(new StringWriter(), dir, logFile: null);
        session.RunFile(path);
        return session.Simulation!;
    }

    private static Snapshot Take(Simulation sim)
    {
        var a = sim.Atoms;
        var n = a.Count;
        double[] Copy(double[] v) => v.AsSpan(0, n).ToArray();
        int[] CopyI(int[] v) => v.AsSpan(0, n).ToArray();
        var b = sim.Box!;
        return new Snapshot(
            [Copy(a.X), Copy(a.Y), Copy(a.Z), Copy(a.Vx), Copy(a.Vy), Copy(a.Vz)],
            [CopyI(a.ImageA), CopyI(a.ImageB), CopyI(a.ImageC)],
            [b.Lo[0], b.Hi[0], b.Lo[1], b.Hi[1], b.Lo[2], b.Hi[2], b.Xy, b.Xz, b.Yz],
            sim.Step,
            sim.Fixes.ToDictionary(f => f.Id, f => f.SaveState()));
    }

    private static void Restore(Simulation sim, Snapshot s)
    {
        var a = sim.Atoms;
        double[][] into = [a.X, a.Y, a.Z, a.Vx, a.Vy, a.Vz];
        for (var k = 0; k < 6; k++) s.Arrays[k].CopyTo(into[k], 0);
        int[][] images = [a.ImageA, a.ImageB, a.ImageC];
        for (var k = 0; k < 3; k++) s.Images[k].CopyTo(images[k], 0);
        var b = s.Box;
        sim.Box!.Reshape(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]);
        sim.Step = s.Step;
        foreach (var f in sim.Fixes) f.RestoreState(s.Fixes[f.Id]);
    }

    private static void AssertContinues(string fix)
    {
        NptVersusLammpsTests.RequirePotentials();
        var dir = RepoPaths.TempDir();
        File.WriteAllText(Path.Combine(dir, "cu.data"), NptVersusLammpsTests.ShearedCopperData(0.5, 0.3, -0.2));
        string Deck(int steps) => NptVersusLammpsTests.CopperDeck(fix, box: "read_data cu.data", velocityLoop: "all", steps: steps);

        var whole = Take(RunDeck(Deck(60), dir, "in.whole"));
        var half = Take(RunDeck(Deck(30) + "\nwrite_restart half.restart\n", dir, "in.half"));
        // In the same process, the saved state (atoms, box, fix states and the neighbor list the forces were summed
        // over) continues bit for bit: read_restart, the pair style and the fixes again, run 30.
        var resumedDeck = $"""
            read_restart half.restart
            pair_style  eam
            pair_coeff  1 1 {NptVersusLammpsTests.Potentials}/Cu_u3.eam
            neighbor    1.0 bin
            neigh_modify every 1 delay 0 check yes
            {fix}
            run         30
            """;
        var resumed = Take(RunDeck(resumedDeck, dir, "in.resumed"));

        Assert.That(resumed.Step, Is.EqualTo(whole.Step));
        double worst = 0;
        for (var k = 0; k < 6; k++)
            for (var i = 0; i < whole.Arrays[k].Length; i++)
                worst = Math.Max(worst, Math.Abs(whole.Arrays[k][i] - resumed.Arrays[k][i]));
        for (var k = 0; k < 9; k++) worst = Math.Max(worst, Math.Abs(whole.Box[k] - resumed.Box[k]));
        TestContext.Out.WriteLine($"largest difference resumed vs uninterrupted: {worst:E2}");
        string[] names = ["x", "y", "z", "vx", "vy", "vz"];
        for (var k = 0; k < 6; k++)
            Assert.That(Bits(resumed.Arrays[k]), Is.EqualTo(Bits(whole.Arrays[k])), $"{names[k]}: the resumed run left the uninterrupted trajectory (bit for bit)");
        for (var k = 0; k < 3; k++) Assert.That(resumed.Images[k], Is.EqualTo(whole.Images[k]), "image flags");
        Assert.That(Bits(resumed.Box), Is.EqualTo(Bits(whole.Box)), "box and tilts, bit for bit");
        foreach (var (id, state) in whole.Fixes)
            Assert.That(Bits(resumed.Fixes[id]), Is.EqualTo(Bits(state)), $"state of fix {id}, bit for bit");

        // and the state matters: resuming with fresh fix states does not continue the same way
        var naive = RunDeck(Deck(0), dir, "in.naive");
        Restore(naive, half with { Fixes = naive.Fixes.ToDictionary(f => f.Id, f => f.SaveState()) });
        naive.Run(30);
        var lost = Take(naive);
        Assert.That(Math.Abs(lost.Box[1] - lost.Box[0] - (whole.Box[1] - whole.Box[0])) + Math.Abs(lost.Arrays[3][0] - whole.Arrays[3][0]), Is.GreaterThan(1e-8),
            "without the saved fix state the run should differ (otherwise this test proves nothing)");
    }

    [Test]
    public void TriclinicNptResumesExactly() => AssertContinues("fix 2 all npt temp 800.0 800.0 0.1 tri 0.0 0.0 1.0");

    [Test]
    public void NphResumesExactly() => AssertContinues("fix 2 all nph aniso 0.0 0.0 1.0 couple xy");

    [Test]
    public void CsvrResumesExactly() => AssertContinues("fix 2 all nve\nfix 3 all temp/csvr 800.0 800.0 0.05 777");

    private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
