namespace DeepMD.Sharp.Tests.Dynamics;

using DeepMD.Sharp.Dynamics;
using DeepMD.Sharp.Dynamics.Checkpoints;
using DeepMD.Sharp.Tests.Support;

/// <summary>
/// write_restart / restart / read_restart: a run of 2N steps and a run of N steps, a checkpoint, and N more steps in a
/// new process give the same thermo output at <c>%20.15g</c> and the same final positions, velocities and forces,
/// bit for bit, for lj/cut, eam and deepmd with fix nvt and with fix langevin.
/// </summary>
[TestFixture]
public class RestartTests
{
    private const string Thermo = """
        thermo_style custom step temp pe ke etotal press
        thermo_modify format float %20.15g
        thermo 5
        """;

    private static string LjSetup(string _) => """
        units lj
        lattice fcc 0.8442
        region box block 0 4 0 4 0 4
        create_box 1 box
        create_atoms 1 box
        mass 1 1.0
        velocity all create 3.0 87287 loop geom
        neighbor 0.3 bin
        neigh_modify every 1 delay 0 check yes
        """;

    private static string LjPair(string _) => """
        pair_style lj/cut 2.5
        pair_coeff 1 1 1.0 1.0 2.5
        """;

    private static string EamSetup(string _) => """
        units metal
        lattice fcc 3.615
        region box block 0 3 0 3 0 3
        create_box 1 box
        create_atoms 1 box
        mass 1 63.55
        velocity all create 1600.0 376847 loop geom
        neighbor 1.0 bin
        neigh_modify every 1 delay 0 check yes
        timestep 0.002
        """;

    private static string EamPair(string _) => """
        pair_style eam
        pair_coeff 1 1 /usr/share/lammps/potentials/Cu_u3.eam
        """;

    private static string WaterSetup(string dir) => $"""
        units metal
        neighbor 2.0 bin
        neigh_modify every 10 delay 0 check no
        read_data {RepoPaths.Get("examples", "water", "water.lmp")}
        mass 1 16
        mass 2 2
        velocity all create 330.0 23456789
        timestep 0.0005
        """;

    private static string WaterPair(string _) => $"""
        pair_style deepmd {RepoPaths.TestModel("deeppot_sea.yaml")}
        pair_coeff * * O H
        """;

    private static readonly Dictionary<string, (Func<string, string> Setup, Func<string, string> Pair, string Nvt, string Langevin, int N)> Cases = new()
    {
        ["lj"] = (LjSetup, LjPair, "fix 1 all nvt temp 1.5 1.5 0.5", "fix 1 all nve\nfix 2 all langevin 1.5 1.5 0.5 48279", 50),
        ["eam"] = (EamSetup, EamPair, "fix 1 all nvt temp 1200 1200 0.1", "fix 1 all nve\nfix 2 all langevin 1200 1200 0.1 48279", 40),
        ["deepmd"] = (WaterSetup, WaterPair, "fix 1 all nvt temp 330.0 330.0 0.05", "fix 1 all nve\nfix 2 all langevin 330 330 0.05 48279", 10),
    };

    [TestCase("lj", "nvt", false)]
    [TestCase("lj", "langevin", true)]
    [TestCase("eam", "nvt", true)]
    [TestCase("eam", "langevin", false)]
    [TestCase("deepmd", "nvt", false)]
    [TestCase("deepmd", "langevin", true)]
    [TestCase("lj", "npt", true)]
    [TestCase("eam", "npt", false)]
    [TestCase("deepmd", "npt", false)]
    public void HalfRunPlusRestartInANewProcessIsBitIdenticalToTheFullRun(string pair, string thermostat, bool periodicRestart)
    {
        if (pair == "eam" && !File.Exists("/usr/share/lammps/potentials/Cu_u3.eam"))
        {
            Requirement.That(false, Requirement.Lammps, "Cu_u3.eam is missing; install lammps-data");
        }
        var c = Cases[pair];
        var dir = RepoPaths.TempDir();
        var fixes = thermostat switch
        {
            "nvt" => c.Nvt,
            // the barostat variant: the box changes every step (box check in the rebuild rule, saved barostat state)
            "npt" => c.Nvt.Replace(" nvt ", " npt ") + (pair == "lj" ? " iso 1.0 1.0 2.0" : " iso 0.0 0.0 1.0"),
            _ => c.Langevin,
        };
        var head = c.Setup(dir) + "\n" + c.Pair(dir) + "\n" + fixes + "\n" + Thermo + "\n";

        var full = ProcessRunner.RunDeck(dir, "in.full", head + $"run {2 * c.N}\nwrite_restart full.restart\n");
        // First half: either a periodic checkpoint during the run or write_restart after it.
        var firstDeck = periodicRestart
            ? head + $"restart {c.N} half.*.restart\nrun {c.N}\n"
            : head + $"run {c.N}\nwrite_restart half.{c.N}.restart\n";
        var first = ProcessRunner.RunDeck(dir, "in.first", firstDeck);
        var second = ProcessRunner.RunDeck(dir, "in.second",
            $"read_restart half.{c.N}.restart\n" + c.Pair(dir) + "\n" + fixes + "\n" + Thermo + $"\nrun {c.N}\nwrite_restart second.restart\n");

        var fullRows = ThermoRows(full);
        var firstRows = ThermoRows(first);
        var secondRows = ThermoRows(second);
        Assert.That(fullRows, Has.Count.EqualTo(2 * c.N / 5 + 1));
        Assert.That(firstRows, Is.EqualTo(fullRows.Take(c.N / 5 + 1).ToList()), "first half = the full run's first half");
        Assert.That(secondRows, Is.EqualTo(fullRows.Skip(c.N / 5).ToList()), "continuation = the full run's second half, at %20.15g");

        var a = CheckpointFile.Read(Path.Combine(dir, "full.restart"));
        var b = CheckpointFile.Read(Path.Combine(dir, "second.restart"));
        Assert.That(a.Fx, Is.Not.Null, "the final restart stores forces");
        CheckpointAssert.Identical(a, b, "final state");
        // The trajectory moved: the comparison is not between two copies of the initial state.
        var start = CheckpointFile.Read(Path.Combine(dir, $"half.{c.N}.restart"));
        Assert.That(Bits(a.X), Is.Not.EqualTo(Bits(start.X)));
        Directory.Delete(dir, true);
    }

    /// <summary>
    /// The deck goes on after write_restart: <c>run 50; write_restart; run 50</c> in one process and
    /// <c>read_restart; run 50</c> in another give the same last 50 steps, bit for bit (EAM copper, fix nvt, a list
    /// checked every step, thermo at <c>%22.15g</c>), as LAMMPS does; also for lj/cut and with a barostat. Before, the
    /// in-process run rebuilt the list at its setup (another summation order), the continuation did not. (Fix langevin
    /// is not among them: LAMMPS draws new random forces at each run's setup, and the engine follows it in process.)
    /// </summary>
    [TestCase("eam", "nvt", 50)]
    [TestCase("lj", "nvt", 50)]
    [TestCase("eam", "npt", 30)]
    public void RunWriteRestartRunInOneProcessIsBitIdenticalToReadRestartRunInAnother(string pair, string thermostat, int n)
    {
        if (pair == "eam" && !File.Exists("/usr/share/lammps/potentials/Cu_u3.eam"))
        {
            Requirement.That(false, Requirement.Lammps, "Cu_u3.eam is missing; install lammps-data");
        }
        var c = Cases[pair];
        var dir = RepoPaths.TempDir();
        var fixes = thermostat == "npt" ? c.Nvt.Replace(" nvt ", " npt ") + (pair == "lj" ? " iso 1.0 1.0 2.0" : " iso 0.0 0.0 1.0") : c.Nvt;
        const string thermo = """
            thermo_style custom step temp pe ke etotal press
            thermo_modify format float %22.15g
            thermo 1
            """;
        var setup = c.Setup(dir);
        // neighbor settings again, as LAMMPS (29 Sep 2021) needs them: its restart files do not carry them
        var neighbor = string.Join("\n", setup.Split('\n').Where(l => l.StartsWith("neigh")));
        var pairAndFixes = c.Pair(dir) + "\n" + fixes + "\n" + thermo + "\n";
        var one = ProcessRunner.RunDeck(dir, "in.one",
            setup + "\n" + pairAndFixes + $"run {n}\nwrite_restart half.restart\nrun {n}\nwrite_restart one.restart\n");
        var two = ProcessRunner.RunDeck(dir, "in.two",
            "read_restart half.restart\n" + neighbor + "\n" + pairAndFixes + $"run {n}\nwrite_restart two.restart\n");

        var oneRows = ThermoRows(one);
        var twoRows = ThermoRows(two);
        Assert.That(oneRows, Has.Count.EqualTo(2 * (n + 1)), "two runs, thermo every step");
        Assert.That(twoRows, Has.Count.EqualTo(n + 1));
        Assert.That(twoRows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], Is.EqualTo($"{n}"));
        Assert.That(twoRows, Is.EqualTo(oneRows.Skip(n + 1).ToList()), "the last steps at %22.15g: read_restart + run = the same process's second run");

        var a = CheckpointFile.Read(Path.Combine(dir, "one.restart"));
        var b = CheckpointFile.Read(Path.Combine(dir, "two.restart"));
        Assert.That(b.Step, Is.EqualTo(2 * n));
        Assert.That(a.Fx, Is.Not.Null, "the final restart stores forces");
        CheckpointAssert.Identical(a, b, "final state");
        Directory.Delete(dir, true);
    }

    private static List<string> ThermoRows(string output) =>
        output.Replace("\r", "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && char.IsDigit(l[0]) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6).ToList();

    private static long[] Bits(double[] v) => v.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
