namespace DeepMD.Sharp.Dynamics.Text;

/// <summary>Levenshtein distance, for "did you mean" suggestions on misspelt names.</summary>
public static class EditDistance
{
    /// <summary>Number of single-character insertions, deletions or substitutions turning a into b.</summary>
    public static int Compute(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }

    /// <summary>The candidate closest to <paramref name="name"/>, or null when none is reasonably close.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestD = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Compute(c, name);
            if (d < bestD) (best, bestD) = (c, d);
        }
        return best is not null && bestD <= Math.Max(2, name.Length / 2) ? best : null;
    }
}
