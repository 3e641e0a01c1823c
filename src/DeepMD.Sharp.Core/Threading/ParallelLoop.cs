namespace DeepMD.Sharp.Core.Threading;

using System.Diagnostics;
using System.Runtime.ExceptionServices;

/// <summary>The body of a <see cref="ParallelLoop"/>: called once for each index of the range.</summary>
public interface IParallelBody
{
    /// <summary>
    /// Runs iteration <paramref name="index"/> on the thread numbered <paramref name="worker"/> (0 is the calling thread,
    /// the others 1 … degree − 1); no two threads run with the same worker number at once, so it can pick a per-thread
    /// workspace.
    /// </summary>
    void Invoke(int index, int worker);
}

/// <summary>
/// A parallel loop that allocates nothing: <c>body.Invoke(i, worker)</c> for i in [0, count) on persistent worker
/// threads and the calling thread, indices claimed one at a time (Interlocked), at most the given degree of
/// parallelism. Unlike <see cref="Parallel.For(int, int, Action{int})"/> there is no task, closure, partitioner or
/// options object per call: the body is an object the caller keeps. Results that do not depend on which thread runs
/// which index stay bit-identical whatever the scheduling.
/// </summary>
/// <remarks>
/// Each caller takes a pool of worker threads for the duration of its loop: a call while every pool is busy with
/// another thread's loop makes a new pool (kept for later calls), so concurrent simulations still run in parallel. A
/// call from inside a body runs sequentially on its thread. Workers spin for 200 µs after a loop before sleeping (MD
/// steps run several loops in a row). After an exception no further indices are started; the exception of the
/// lowest index that threw is rethrown (not wrapped in an AggregateException). Allocates only when a pool or thread is
/// first made.
/// </remarks>
public static class ParallelLoop
{
    private static readonly Stack<WorkerPool> FreePools = new();
    private static readonly List<WorkerPool> AllPools = [];
    private static readonly object Gate = new();

    [ThreadStatic] private static int t_depth;

    /// <summary>The number of threads a loop uses for a <see cref="ParallelOptions.MaxDegreeOfParallelism"/>-style limit (≤ 0: all cores).</summary>
    public static int Degree(int maxDegreeOfParallelism) => maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;

    /// <summary>The number of threads a loop uses under <paramref name="options"/> (null: all cores).</summary>
    public static int Degree(ParallelOptions? options) => Degree(options?.MaxDegreeOfParallelism ?? -1);

    /// <summary>Runs <c>body.Invoke(i, worker)</c> for i in [0, count) on at most <paramref name="maxDegreeOfParallelism"/> threads (≤ 0: all cores).</summary>
    public static void For(int count, int maxDegreeOfParallelism, IParallelBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 0) return;
        var threads = Math.Min(Degree(maxDegreeOfParallelism), count);
        if (threads <= 1 || t_depth > 0)
        {
            t_depth++;
            try
            {
                for (var i = 0; i < count; i++) body.Invoke(i, 0);
            }
            finally
            {
                t_depth--;
            }
            return;
        }
        WorkerPool? pool;
        lock (Gate) FreePools.TryPop(out pool);
        if (pool is null)
        {
            pool = new WorkerPool();
            lock (Gate) AllPools.Add(pool);
        }
        try
        {
            pool.Run(count, threads - 1, body);
        }
        finally
        {
            lock (Gate) FreePools.Push(pool);
        }
    }

    /// <summary>Runs <c>body.Invoke(i, worker)</c> for i in [0, count) with the thread limit of <paramref name="options"/> (null: all cores).</summary>
    public static void For(int count, ParallelOptions? options, IParallelBody body) => For(count, options?.MaxDegreeOfParallelism ?? -1, body);

    /// <summary>
    /// Managed bytes allocated so far by the loops' worker threads (each thread's
    /// <see cref="GC.GetAllocatedBytesForCurrentThread"/>, as of the end of its last share of a loop). With the calling
    /// thread's own count it gives what a piece of code allocated, without other threads of the process.
    /// </summary>
    public static long WorkerAllocatedBytes()
    {
        long sum = 0;
        lock (Gate)
            foreach (var pool in AllPools) sum += pool.AllocatedBytes();
        return sum;
    }

    /// <summary>Persistent background threads that one caller at a time hands a loop to.</summary>
    private sealed class WorkerPool
    {
        private readonly SemaphoreSlim _wake = new(0);
        private readonly ManualResetEventSlim _done = new(false);
        private readonly object _errorGate = new();
        private static readonly long SpinTicks = Stopwatch.Frequency / 5000; // 200 µs
        private int _threads;
        private long[] _allocated = new long[4]; // per worker thread: its allocated bytes after its last share
        private IParallelBody? _body;
        private int _count, _next, _ids, _pending, _stop;
        private Exception? _error;
        private int _errorIndex;

        public void Run(int count, int helpers, IParallelBody body)
        {
            while (_threads < helpers)
            {
                if (_allocated.Length <= _threads)
                {
                    var grown = new long[2 * _allocated.Length];
                    Array.Copy(_allocated, grown, _allocated.Length); // the workers are idle between loops
                    _allocated = grown;
                }
                var slot = _threads;
                var thread = new Thread(() => WorkerLoop(slot)) { IsBackground = true, Name = "dpsharp worker" };
                thread.Start();
                _threads++;
            }
            _body = body;
            _count = count;
            _next = 0;
            _ids = 0;
            _stop = 0;
            _error = null;
            _errorIndex = int.MaxValue;
            _pending = helpers;
            _done.Reset();
            _wake.Release(helpers); // each token: one share of the loop, on whichever worker takes it
            Share(0);
            // Every index is claimed: shares that no worker has picked up yet are taken back, so a busy machine's
            // sleeping worker is not waited for (Wait(0) neither blocks nor allocates).
            while (Volatile.Read(ref _pending) > 0 && _wake.Wait(0))
                if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
            _done.Wait();
            _body = null;
            if (_error is { } e)
            {
                _error = null;
                ExceptionDispatchInfo.Throw(e);
            }
        }

        public long AllocatedBytes()
        {
            long sum = 0;
            var counts = _allocated;
            for (var k = 0; k < _threads && k < counts.Length; k++) sum += Volatile.Read(ref counts[k]);
            return sum;
        }

        private void WorkerLoop(int slot)
        {
            while (true)
            {
                // Loops come in bursts (several per MD step, a few µs to ms apart): spin a little before sleeping, so
                // the next loop finds this thread awake (a token released meanwhile is taken at once by Wait).
                var until = Stopwatch.GetTimestamp() + SpinTicks;
                var spin = new SpinWait();
                while (_wake.CurrentCount == 0 && Stopwatch.GetTimestamp() < until) spin.SpinOnce(sleep1Threshold: -1);
                _wake.Wait();
                Share(Interlocked.Increment(ref _ids));
                Volatile.Write(ref _allocated[slot], GC.GetAllocatedBytesForCurrentThread());
                if (Interlocked.Decrement(ref _pending) == 0) _done.Set();
            }
        }

        private void Share(int worker)
        {
            var body = _body!;
            t_depth++;
            try
            {
                while (Volatile.Read(ref _stop) == 0)
                {
                    var i = Interlocked.Increment(ref _next) - 1;
                    if (i >= _count) break;
                    try
                    {
                        body.Invoke(i, worker);
                    }
                    catch (Exception e)
                    {
                        Volatile.Write(ref _stop, 1);
                        lock (_errorGate)
                            if (i < _errorIndex)
                            {
                                _errorIndex = i;
                                _error = e;
                            }
                    }
                }
            }
            finally
            {
                t_depth--;
            }
        }
    }
}
