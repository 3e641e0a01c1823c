namespace DeepMD.Sharp.MpiDriver;

using DeepMD.Sharp.Domains.Communication;

/// <summary>Checks of every <see cref="ICommunicator"/> operation whose results each rank can predict by itself.</summary>
public static class CollectiveChecks
{
    public static List<string> Run(ICommunicator comm)
    {
        var fail = new List<string>();
        int p = comm.Size, r = comm.Rank;

        comm.Barrier();

        Span<double> b = [r == p - 1 ? 3.25 : -1, r == p - 1 ? 1e300 : 0];
        comm.Broadcast(b, p - 1);
        if (b[0] != 3.25 || b[1] != 1e300) fail.Add($"broadcast gave {b[0]}, {b[1]}");
        Span<int> bi = [r == 0 ? 42 : 0];
        comm.Broadcast(bi, 0);
        if (bi[0] != 42) fail.Add($"int broadcast gave {bi[0]}");

        // A sum whose value depends on the order: rank order (0, 1, 2, ...) from the left is required.
        static double Term(int k) => k % 2 == 0 ? 1e16 * (k + 1) : 1.0 + k * 0.1;
        Span<double> s = [Term(r), r, -r];
        comm.AllReduce(s, ReduceOp.Sum);
        var expected = 0.0;
        for (var k = 0; k < p; k++) expected = k == 0 ? Term(0) : expected + Term(k);
        if (BitConverter.DoubleToInt64Bits(s[0]) != BitConverter.DoubleToInt64Bits(expected)) fail.Add($"sum {s[0]:R}, rank order gives {expected:R}");
        if (s[1] != p * (p - 1) / 2.0 || s[2] != -p * (p - 1) / 2.0) fail.Add($"sum of ranks {s[1]}, {s[2]}");
        Span<double> mn = [10.0 - r, r];
        comm.AllReduce(mn, ReduceOp.Min);
        if (mn[0] != 11 - p || mn[1] != 0) fail.Add($"min {mn[0]}, {mn[1]}");
        Span<double> mx = [10.0 - r, r];
        comm.AllReduce(mx, ReduceOp.Max);
        if (mx[0] != 10 || mx[1] != p - 1) fail.Add($"max {mx[0]}, {mx[1]}");
        Span<long> l = [(1L << 40) + r, -r];
        comm.AllReduce(l, ReduceOp.Sum);
        if (l[0] != p * (1L << 40) + p * (p - 1) / 2 || l[1] != -p * (p - 1) / 2) fail.Add($"long sum {l[0]}, {l[1]}");
        Span<long> lm = [r * 5L];
        comm.AllReduce(lm, ReduceOp.Max);
        if (lm[0] != 5L * (p - 1)) fail.Add($"long max {lm[0]}");

        // Ring: send r+1 values to the right, receive from the left (any length, then exact length).
        var right = (r + 1) % p;
        var left = (r + p - 1) % p;
        var send = Enumerable.Range(0, r + 1).Select(k => r * 100.0 + k).ToArray();
        var receive = Array.Empty<double>();
        var n = comm.SendReceiveAny<double>(send, right, ref receive, left);
        if (n != left + 1 || Enumerable.Range(0, n).Any(k => receive[k] != left * 100.0 + k)) fail.Add($"ring send/receive got {n} values");
        var exact = new int[2];
        comm.SendReceive<int>([r, -r], left, exact, right);
        if (exact[0] != right || exact[1] != -right) fail.Add($"exact send/receive got {exact[0]}, {exact[1]}");

        // Gatherv: rank k sends k values (rank 0 none) to the last rank.
        var part = Enumerable.Range(0, r).Select(k => (long)(r * 1000 + k)).ToArray();
        var all = comm.GatherV<long>(part, p - 1);
        if (r == p - 1)
        {
            var want = Enumerable.Range(0, p).SelectMany(q => Enumerable.Range(0, q).Select(k => (long)(q * 1000 + k))).ToArray();
            if (!all.SequenceEqual(want)) fail.Add($"gatherv gave [{string.Join(",", all)}]");
        }
        else if (all.Length != 0) fail.Add("gatherv gave data to a non-root rank");

        comm.Barrier();
        return fail;
    }
}
