namespace DeepMD.Sharp.Dynamics.Domains;

using System.Globalization;
using System.Text;
using DeepMD.Sharp.Domains.Communication;
using DeepMD.Sharp.Domains.Decomposition;

/// <summary>
/// With <c>DPSHARP_COMM_REPORT=1</c>, a decomposed run prints after its loop, one line per rank, what each rank sent per
/// step: the ghost positions forwarded and the ghost forces reverse-communicated (every step), the borders and migration
/// of the reneighboring steps (averaged over the steps), and the communicator's totals (point-to-point bytes and messages
/// to other ranks and to itself, collectives). The figures a network model needs (docs/domain-decomposition.md, "Weak
/// scaling"). Collective: every rank calls <see cref="Start"/> and <see cref="Finish"/>.
/// </summary>
internal sealed class CommunicationReport
{
    private readonly long[] _doubles;
    private readonly long[] _traffic;

    private CommunicationReport(DomainDecomposition dd, ICommunicator comm)
    {
        _doubles = (long[])dd.DoublesSent.Clone();
        _traffic = comm.Traffic.Snapshot();
    }

    /// <summary>Whether the report is asked for (<c>DPSHARP_COMM_REPORT</c> set and not 0).</summary>
    public static bool Wanted => Environment.GetEnvironmentVariable("DPSHARP_COMM_REPORT") is { Length: > 0 } v && v != "0";

    /// <summary>Remembers the counters at the start of the loop; null when the report is not wanted.</summary>
    public static CommunicationReport? Start(DomainDecomposition? dd, ICommunicator comm) => dd is not null && Wanted ? new(dd, comm) : null;

    /// <summary>Gathers every rank's figures per step to rank 0, which writes them to <paramref name="write"/>.</summary>
    public void Finish(DomainDecomposition dd, ICommunicator comm, long steps, int reneighborings, Action<string>? write)
    {
        var per = Math.Max(1, steps);
        var t = comm.Traffic.Snapshot();
        long D(int k) => dd.DoublesSent[k] - _doubles[k];
        long[] row =
        [
            comm.Rank, dd.Atoms.NLocal, dd.Atoms.NGhost,
            8 * D(1) / per, 8 * D(2) / per, 8 * (D(0) + D(3)) / per,
            (t[0] - _traffic[0]) / per, (t[1] - _traffic[1]) / per, (t[2] - _traffic[2]) / per, (t[3] - _traffic[3]) / per,
            (t[4] - _traffic[4]) / per, (t[5] - _traffic[5]) / per,
        ];
        var all = comm.GatherV<long>(row, 0);
        if (comm.Rank != 0 || write is null) return;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"Communication per step and rank ({steps} steps, {reneighborings} reneighborings; bytes; positions and forces are doubles, 24 B per ghost each way):\n");
        sb.Append("  rank    owned   ghosts  forward  reverse  borders+exchange  p2p-to-others msgs  p2p-to-self msgs  collectives calls\n");
        for (var r = 0; r < all.Length / row.Length; r++)
        {
            var v = all.AsSpan(r * row.Length, row.Length);
            sb.Append(ci, $"  {v[0],4} {v[1],8} {v[2],8} {v[3],8} {v[4],8} {v[5],17} {v[6],14} {v[7],4} {v[8],12} {v[9],4} {v[10],12} {v[11],5}\n");
        }
        write(sb.ToString().TrimEnd('\n'));
    }
}
