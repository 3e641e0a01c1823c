namespace DeepMD.Sharp.Input.Commands;

using System.Globalization;
using DeepMD.Sharp.Core.Errors;

/// <summary>
/// <c>read_dump FILE Nstep FIELD ... [KEYWORD value ...]</c> as LAMMPS: the snapshot at timestep Nstep of a native
/// text dump replaces positions, velocities, charges, image flags or forces of the atoms with the same ids (see
/// <see cref="DumpSnapshots"/> for the fields and keywords), the box becomes the snapshot's (<c>box yes</c>), and the
/// step becomes Nstep. Prints LAMMPS' counts of atoms read, purged, replaced, trimmed and added.
/// </summary>
[DeckCommand("read_dump")]
public sealed class ReadDumpCommand : IDeckCommand
{
    public void Execute(DeckContext context, DeckArguments args)
    {
        if (!context.HasSimulation) throw new UserInputException("Read_dump command before simulation box is defined");
        if (args.Count < 2) throw new UserInputException("Illegal read_dump command");
        var sim = context.Simulation;
        using var snaps = new DumpSnapshots(context, [args[0]]);
        var step = args.Long(1, "Nstep");
        snaps.Parse(context, args.Words.Skip(2).ToList());
        context.Out.WriteLine("Scanning dump file ...");
        if (snaps.Seek(step, exact: true) is null) throw new UserInputException("Dump file does not contain requested snapshot");
        snaps.Header(context, check: true);
        RerunCommand.ResetTimestep(sim, step);
        context.Out.WriteLine("Reading snapshot from dump file ...");
        var before = sim.AtomCount;
        snaps.Atoms(context);
        var b = sim.Box!;
        static string G(double v) => IO.CFormat.G(v, 8);
        var o = context.Out;
        o.WriteLine($"  {(b.IsTriclinic ? "triclinic" : "orthogonal")} box = ({G(b.Lo[0])} {G(b.Lo[1])} {G(b.Lo[2])}) to ({G(b.Hi[0])} {G(b.Hi[1])} {G(b.Hi[2])})");
        o.WriteLine($"  {before} atoms before read");
        o.WriteLine($"  {snaps.InSnapshot} atoms in snapshot");
        o.WriteLine($"  {snaps.Purged} atoms purged");
        o.WriteLine($"  {snaps.Replaced} atoms replaced");
        o.WriteLine($"  {snaps.Trimmed} atoms trimmed");
        o.WriteLine($"  {snaps.Added} atoms added");
        o.WriteLine($"  {sim.AtomCount} atoms after read");
    }
}

/// <summary>
/// <c>rerun FILE ... [first N] [last N] [every N] [skip N] [start N] [stop N] [post yes|no] dump FIELD ... [KEYWORD value ...]</c>
/// as LAMMPS: for each selected snapshot of the dump files (timesteps from <c>first</c> to <c>last</c>, multiples of
/// <c>every</c>, each <c>skip</c>-th), the atoms and box are read as <c>read_dump</c> does, then energies, forces,
/// computes and fixes' end-of-step are evaluated with no time integration and thermo and dumps write as a run would at
/// that step (thermo always for the last snapshot). <c>start</c>/<c>stop</c> are the run's first and last step for
/// fixes and outputs.
/// </summary>
[DeckCommand("rerun")]
public sealed class RerunCommand : IDeckCommand
{
    private static readonly HashSet<string> Keywords = ["first", "last", "every", "skip", "start", "stop", "dump", "post"];

    /// <summary>LAMMPS' update->reset_timestep checks and the new step.</summary>
    internal static void ResetTimestep(Dynamics.Simulation sim, long step)
    {
        if (step < 0) throw new UserInputException("Timestep must be >= 0");
        sim.Step = step;
    }

    public void Execute(DeckContext context, DeckArguments args)
    {
        if (!context.HasSimulation) throw new UserInputException("Rerun command before simulation box is defined");
        var narg = args.Count;
        if (narg < 2) throw Illegal();
        var w = args.Words;
        var iarg = 0;
        while (iarg < narg && !Keywords.Contains(w[iarg])) iarg++;
        var nfile = iarg;
        if (nfile == 0 || nfile == narg) throw Illegal();

        long first = 0, last = long.MaxValue - 1, start = -1, stop = -1;
        int every = 0, skip = 1;
        bool startFlag = false, stopFlag = false, post = false;
        while (iarg < narg && w[iarg] != "dump")
        {
            if (iarg + 2 > narg) throw Illegal();
            var v = w[iarg + 1];
            switch (w[iarg])
            {
                case "first": first = Big(v); if (first < 0) throw Illegal(); break;
                case "last": last = Big(v); if (last < 0) throw Illegal(); break;
                case "every": every = (int)Big(v); if (every < 0) throw Illegal(); break;
                case "skip": skip = (int)Big(v); if (skip <= 0) throw Illegal(); break;
                case "start": startFlag = true; start = Big(v); if (start < 0) throw Illegal(); break;
                case "stop": stopFlag = true; stop = Big(v); if (stop < 0) throw Illegal(); break;
                case "post": post = v switch { "yes" => true, "no" => false, _ => throw Illegal() }; break;
                default: throw Illegal();
            }
            iarg += 2;
        }
        var nremain = narg - iarg - 1;
        if (nremain <= 0) throw Illegal();
        if (first > last) throw Illegal();
        if (startFlag && stopFlag && start > stop) throw Illegal();

        var sim = context.Simulation;
        using var snaps = new DumpSnapshots(context, w.Take(nfile).ToList());
        snaps.Parse(context, w.Skip(iarg + 1).ToList());
        RunSetup.Prepare(context);

        var o = context.Out;
        o.WriteLine("Setting up rerun ...");
        var cpu = TimerReport.CpuNow();
        var dangerous = sim.Verlet.DangerousBuilds;
        var buildsBefore = sim.Verlet.BuildCount;
        var next = snaps.Seek(first, exact: false) ?? throw new UserInputException("Rerun dump file does not contain requested snapshot");
        var current = next;
        bool Load(bool firstFrame)
        {
            if (!firstFrame)
            {
                var n = snaps.Next(current, last, every, skip);
                if (n is { } s && stopFlag && s > stop) throw new UserInputException("Read rerun dump file timestep > specified stop");
                if (n is null) return false;
                next = n.Value;
            }
            snaps.Header(context, check: firstFrame);
            ResetTimestep(sim, next);
            snaps.Atoms(context);
            current = next;
            return true;
        }
        var frames = sim.Rerun(startFlag ? start : first, stopFlag ? stop : last, Load);
        o.WriteLine($"Loop time of {IO.CFormat.G(sim.RunClock.Elapsed.TotalSeconds)} on {TimerReport.Procs(sim)} procs for {frames} steps with {sim.AtomCount} atoms");
        o.WriteLine();
        if (post)
        {
            TimerReport.CpuUse(o, sim, cpu);
            o.WriteLine();
            o.WriteLine($"Neighbor list builds = {sim.Verlet.BuildCount - buildsBefore}");
            o.WriteLine(sim.Neighbor.Check ? $"Dangerous builds = {sim.Verlet.DangerousBuilds - dangerous}" : "Dangerous builds not checked");
            o.WriteLine();
        }
        o.Flush();
    }

    private static long Big(string v) => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : throw new UserInputException($"Expected integer parameter instead of '{v}' in input script or data file");

    private static UserInputException Illegal() => new("Illegal rerun command");
}
