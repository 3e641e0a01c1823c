namespace DeepMD.Sharp.Tests.Core;

using DeepMD.Sharp.Core.Geometry;
using DeepMD.Sharp.Core.Neighbors;
using DeepMD.Sharp.Core.Threading;

/// <summary>The allocation-free parallel loop of the MD step: coverage, worker numbers, exceptions, nesting, concurrency.</summary>
[NonParallelizable]
public class ParallelLoopTests
{
    private sealed class Recorder(int count) : IParallelBody
    {
        public readonly int[] Hits = new int[count];
        public readonly int[] Worker = new int[count];
        public Func<int, int>? Work;

        public void Invoke(int index, int worker)
        {
            Interlocked.Increment(ref Hits[index]);
            Worker[index] = worker;
            Work?.Invoke(index);
        }
    }

    [TestCase(1, 1)]
    [TestCase(1000, -1)]
    [TestCase(1000, 1)]
    [TestCase(1000, 3)]
    [TestCase(7, 16)]
    public void EveryIndexRunsOnceOnAWorkerBelowTheDegree(int count, int degree)
    {
        var body = new Recorder(count) { Work = i => i % 7 == 0 ? (int)Math.Sqrt(i * 1234.5) : 0 };
        ParallelLoop.For(count, degree, body);
        Assert.That(body.Hits, Is.All.EqualTo(1));
        var limit = Math.Min(ParallelLoop.Degree(degree), count);
        Assert.That(body.Worker, Is.All.InRange(0, limit - 1));
    }

    private sealed class Thrower : IParallelBody
    {
        public void Invoke(int index, int worker)
        {
            Thread.SpinWait(index % 5 * 100);
            if (index >= 3) throw new InvalidOperationException(index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public void TheLowestThrowingIndexIsRethrownUnwrapped()
    {
        for (var k = 0; k < 50; k++)
        {
            var e = Assert.Throws<InvalidOperationException>(() => ParallelLoop.For(200, 4, new Thrower()));
            Assert.That(e!.Message, Is.EqualTo("3"));
        }
        // The pool still works after a failed loop.
        var body = new Recorder(100);
        ParallelLoop.For(100, 4, body);
        Assert.That(body.Hits, Is.All.EqualTo(1));
    }

    private sealed class Nested : IParallelBody
    {
        public readonly Recorder[] Inner = Enumerable.Range(0, 8).Select(_ => new Recorder(50)).ToArray();

        public void Invoke(int index, int worker) => ParallelLoop.For(50, 4, Inner[index]);
    }

    [Test]
    public void ALoopInsideABodyRunsOnItsThread()
    {
        var outer = new Nested();
        ParallelLoop.For(8, 4, outer);
        foreach (var inner in outer.Inner)
        {
            Assert.That(inner.Hits, Is.All.EqualTo(1));
            Assert.That(inner.Worker, Is.All.EqualTo(0), "nested loops are sequential");
        }
    }

    [Test]
    public void ConcurrentCallersEachGetTheirLoop()
    {
        var bodies = Enumerable.Range(0, 6).Select(_ => new Recorder(500) { Work = i => (int)Math.Sqrt(i) }).ToArray();
        Parallel.For(0, bodies.Length, new ParallelOptions { MaxDegreeOfParallelism = bodies.Length }, k =>
        {
            for (var rep = 0; rep < 20; rep++) ParallelLoop.For(500, 3, bodies[k]);
        });
        foreach (var b in bodies) Assert.That(b.Hits, Is.All.EqualTo(20));
    }

    [Test]
    public void ALoopAllocatesNothingAfterWarmUp()
    {
        var body = new Recorder(256);
        for (var k = 0; k < 200; k++) ParallelLoop.For(256, -1, body);
        var before = GC.GetAllocatedBytesForCurrentThread() + ParallelLoop.WorkerAllocatedBytes();
        for (var k = 0; k < 200; k++) ParallelLoop.For(256, -1, body);
        var bytes = GC.GetAllocatedBytesForCurrentThread() + ParallelLoop.WorkerAllocatedBytes() - before;
        Assert.That(bytes, Is.EqualTo(0));
    }

    [Test]
    public void ARecycledListIsRebuiltInPlaceWithANewGeneration()
    {
        var rng = new Random(5);
        var box = new Box([9.0, 0, 0, 0.5, 8.5, 0, 0.3, 0.2, 8.0]);
        double[] Coords() => Enumerable.Range(0, 120).Select(_ => rng.NextDouble() * 8).ToArray();
        double[] x = Coords(), y = Coords(), z = Coords();
        var list = CellListNeighborSearch.Build(x, y, z, box, 3.5);
        var generation = list.Generation;
        double[] x2 = Coords(), y2 = Coords(), z2 = Coords();
        var again = CellListNeighborSearch.Build(x2, y2, z2, box, 3.5, list);
        Assert.That(again, Is.SameAs(list));
        Assert.That(again.Generation, Is.Not.EqualTo(generation));
        var fresh = CellListNeighborSearch.Build(x2, y2, z2, box, 3.5);
        Assert.That(again.Offsets.AsSpan(0, again.CenterCount + 1).ToArray(), Is.EqualTo(fresh.Offsets));
        var n = fresh.EntryCount;
        Assert.That(again.Owner.AsSpan(0, n).ToArray(), Is.EqualTo(fresh.Owner.AsSpan(0, n).ToArray()));
        Assert.That(again.Dx.AsSpan(0, n).ToArray(), Is.EqualTo(fresh.Dx.AsSpan(0, n).ToArray()));
        Assert.That(again.ShiftC.AsSpan(0, n).ToArray(), Is.EqualTo(fresh.ShiftC.AsSpan(0, n).ToArray()));
        Assert.That(again.SpatialOrder, Is.EqualTo(fresh.SpatialOrder));
    }
}
