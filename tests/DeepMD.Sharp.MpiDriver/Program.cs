// The MPI test driver: `mpirun -np N dotnet DeepMD.Sharp.MpiDriver.dll <mode>`.
//   info         prints the communicator each rank got
//   collectives  checks broadcast, fixed-order reductions, send/receive in a ring, gatherv, barrier
//   check        runs the domain decomposition checks (DecompositionChecks) on the ranks
//   water <model> <data> [triclinic]
//                evaluates the model on the data file's atoms decomposed over the ranks (reference backend) and
//                compares energy, forces and virial with the serial evaluation (1e-12 relative)
//   kill         the last rank kills itself with SIGKILL after a barrier; the others keep communicating
//   wait         every rank prints "rank R pid P" and keeps communicating for 120 s (for a kill -9 from outside)
//   null         a NullReferenceException and a division by zero on every rank, caught: the runtime's own signal
//                handling must survive MPI_Init (Open MPI installs handlers for SIGSEGV, SIGFPE, ...)
//   comm-bench N [steps]
//                N random atoms at water's atom density (0.1 Å⁻³), ghost cutoff 7 Å: times Borders, ForwardPositions
//                and ReverseForces (slowest rank) and prints the doubles each rank sends per step
//   throw        the last rank fails with an exception, which aborts the run
// Exit 0 when every check passed (rank 0 prints "ok ..."), 1 on a failed check.
using DeepMD.Sharp.MpiDriver;
using DeepMD.Sharp.Domains.Communication;

var mode = args.Length > 0 ? args[0] : "info";
var comm = Communicators.World();
try
{
    var ok = mode switch
    {
        "info" => Info(comm),
        "collectives" => Collectives(comm),
        "check" => Check(comm),
        "water" => Water(comm, args[1], args[2], args.Length > 3 && args[3] == "triclinic"),
        "kill" => Kill(comm),
        "wait" => Wait(comm),
        "comm-bench" => CommBench(comm, int.Parse(args[1]), args.Length > 2 ? int.Parse(args[2]) : 20),
        "null" => NullReference(comm),
        "throw" => Throw(comm),
        _ => throw new ArgumentException($"unknown mode '{mode}'"),
    };
    comm.Barrier();
    comm.Dispose();
    return ok ? 0 : 1;
}
catch (Exception e)
{
    // Any rank that cannot go on ends the whole run: the others would wait for it in their next collective.
    comm.Abort(2, $"rank {comm.Rank}: {e.GetType().Name}: {e.Message}");
    return 2;
}

static bool Info(ICommunicator comm)
{
    Console.WriteLine($"rank {comm.Rank} of {comm.Size}: {comm.Description}");
    return true;
}

static bool Collectives(ICommunicator comm)
{
    var failures = CollectiveChecks.Run(comm);
    foreach (var f in failures) Console.Error.WriteLine($"rank {comm.Rank}: {f}");
    Span<long> total = [failures.Count];
    comm.AllReduce(total, ReduceOp.Sum);
    if (comm.Rank == 0 && total[0] == 0) Console.WriteLine($"ok collectives on {comm.Size} ranks");
    return total[0] == 0;
}

static bool Check(ICommunicator comm)
{
    var all = 0L;
    foreach (var c in DecompositionChecks.Cases())
    {
        var (failures, messages, fewest) = DecompositionChecks.Run(comm, c);
        if (messages.Length > 0) Console.Error.Write(messages);
        if (comm.Rank == 0) Console.WriteLine($"{c.Name}: {failures} failures, fewest owned atoms on a rank {fewest}");
        all += failures;
    }
    if (comm.Rank == 0 && all == 0) Console.WriteLine($"ok decomposition on {comm.Size} ranks");
    return all == 0;
}

static bool Water(ICommunicator comm, string modelPath, string dataPath, bool triclinic)
{
    var model = DeepMD.Sharp.Models.ModelLoader.Load(modelPath);
    var evaluator = new DeepMD.Sharp.Models.Evaluation.ReferenceBackend(model);
    var (x, y, z, types, box) = DecomposedEvaluation.Water(dataPath, model, triclinic);
    var (energy, virial, forces, owned, ghosts) = DecomposedEvaluation.Run(comm, evaluator, model.Cutoff, x, y, z, types, box);
    Span<long> ok = [1];
    if (comm.Rank == 0)
    {
        var serial = DecomposedEvaluation.Serial(evaluator, model.Cutoff, x, y, z, types, box);
        var (de, df, dv) = DecomposedEvaluation.Deviation(serial, energy, virial, forces);
        Console.WriteLine($"water on {comm.Size} ranks (owned atoms per rank {string.Join(" ", owned)}, ghosts {string.Join(" ", ghosts)}): energy {energy:R} eV, serial {serial.Energy:R} eV; " +
                          $"relative deviations: energy {de:E2}, forces {df:E2}, virial {dv:E2}");
        ok[0] = de <= 1e-12 && df <= 1e-12 && dv <= 1e-12 ? 1 : 0;
        if (ok[0] == 1) Console.WriteLine($"ok water on {comm.Size} ranks");
    }
    comm.Broadcast(ok, 0);
    return ok[0] == 1;
}

static bool Kill(ICommunicator comm)
{
    comm.Barrier();
    if (comm.Rank == comm.Size - 1)
    {
        Console.WriteLine($"rank {comm.Rank} kills itself");
        Console.Out.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill();
    }
    var until = DateTime.UtcNow.AddSeconds(120);
    Span<double> v = [1.0];
    while (DateTime.UtcNow < until)
    {
        comm.AllReduce(v, ReduceOp.Sum);
        Thread.Sleep(10);
    }
    Console.WriteLine($"rank {comm.Rank} still running 120 s after a rank died");
    return false;
}

static bool Wait(ICommunicator comm)
{
    Console.WriteLine($"rank {comm.Rank} pid {Environment.ProcessId}");
    Console.Out.Flush();
    var until = DateTime.UtcNow.AddSeconds(120);
    Span<double> v = [1.0];
    while (DateTime.UtcNow < until)
    {
        comm.AllReduce(v, ReduceOp.Sum);
        Thread.Sleep(10);
    }
    Console.WriteLine($"rank {comm.Rank} still running after 120 s");
    return false;
}

static bool NullReference(ICommunicator comm)
{
    var caught = 0;
    try
    {
        string? s = Environment.GetEnvironmentVariable("DPSHARP_NO_SUCH_VARIABLE_" + comm.Rank);
        Console.WriteLine(s!.Length);
    }
    catch (NullReferenceException)
    {
        caught++;
    }
    try
    {
        var zero = comm.Rank - comm.Rank;
        Console.WriteLine(1 / zero);
    }
    catch (DivideByZeroException)
    {
        caught++;
    }
    Span<long> total = [caught];
    comm.AllReduce(total, ReduceOp.Sum);
    if (comm.Rank == 0) Console.WriteLine($"ok caught {total[0]} exceptions on {comm.Size} ranks");
    return total[0] == 2 * comm.Size;
}

static bool CommBench(ICommunicator comm, int atoms, int steps)
{
    var l = Math.Cbrt(atoms / 0.1);
    var box = DeepMD.Sharp.Core.Geometry.Box.Orthorhombic(l, l, l);
    var rng = new Random(1);
    var id = new long[atoms];
    var type = new int[atoms];
    var x = new double[atoms];
    var y = new double[atoms];
    var z = new double[atoms];
    for (var i = 0; i < atoms; i++) (id[i], x[i], y[i], z[i]) = (i + 1, rng.NextDouble() * l, rng.NextDouble() * l, rng.NextDouble() * l);
    var grid = DeepMD.Sharp.Domains.Decomposition.ProcessorGrid.Choose(comm.Size, box);
    var dd = new DeepMD.Sharp.Domains.Decomposition.DomainDecomposition(comm, grid, box, 7.0);
    dd.Distribute(id, type, x, y, z);
    var watch = new System.Diagnostics.Stopwatch();
    Span<double> t = [0, 0, 0];
    for (var rep = 0; rep < 3; rep++)
    {
        comm.Barrier();
        watch.Restart();
        dd.Borders();
        t[0] = watch.Elapsed.TotalMilliseconds;
    }
    var f = new double[3 * dd.Atoms.NAll];
    var fx = f.AsSpan(0, dd.Atoms.NAll);
    var sentForward = dd.DoublesSent[1];
    var sentReverse = dd.DoublesSent[2];
    comm.Barrier();
    watch.Restart();
    for (var s = 0; s < steps; s++) dd.ForwardPositions();
    t[1] = watch.Elapsed.TotalMilliseconds / steps;
    comm.Barrier();
    watch.Restart();
    for (var s = 0; s < steps; s++) dd.ReverseForces(f.AsSpan(0, dd.Atoms.NAll), f.AsSpan(dd.Atoms.NAll, dd.Atoms.NAll), f.AsSpan(2 * dd.Atoms.NAll, dd.Atoms.NAll));
    t[2] = watch.Elapsed.TotalMilliseconds / steps;
    comm.AllReduce(t, ReduceOp.Max);
    Span<long> counts = [dd.Atoms.NLocal, dd.Atoms.NGhost, (dd.DoublesSent[1] - sentForward) / steps, (dd.DoublesSent[2] - sentReverse) / steps];
    Span<long> most = [.. counts];
    comm.AllReduce(most, ReduceOp.Max);
    if (comm.Rank == 0)
        Console.WriteLine($"{atoms} atoms, {comm.Size} ranks ({grid}), box {l:F1} Å: most owned {most[0]}, most ghosts {most[1]}; " +
                          $"per step and rank at most {most[2] * 8 / 1024.0:F0} KiB forward + {most[3] * 8 / 1024.0:F0} KiB reverse; " +
                          $"slowest rank: borders {t[0]:F2} ms, forward {t[1]:F3} ms, reverse {t[2]:F3} ms");
    return true;
}

static bool Throw(ICommunicator comm)
{
    comm.Barrier();
    if (comm.Rank == comm.Size - 1) throw new InvalidOperationException("deliberate failure on the last rank");
    while (true) comm.Barrier();
}
