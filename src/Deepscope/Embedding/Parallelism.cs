namespace Deepscope.Embedding;

/// <summary>Loops over index ranges split into a fixed number of blocks, so sums come out the same on any machine.</summary>
static class Parallelism
{
    public const int Blocks = 64;

    /// <summary>Runs <paramref name="body"/>(block, start, end) over <see cref="Blocks"/> contiguous ranges of [0, n).</summary>
    public static void ForBlocks(int n, Action<int, int, int> body)
    {
        int blocks = Math.Min(Blocks, Math.Max(n, 1));
        Parallel.For(0, blocks, b => body(b, (int)((long)n * b / blocks), (int)((long)n * (b + 1) / blocks)));
    }

    /// <summary>Σ over blocks of <paramref name="body"/>(start, end), added in block order.</summary>
    public static double Sum(int n, Func<int, int, double> body)
    {
        var partial = new double[Blocks];
        ForBlocks(n, (b, start, end) => partial[b] = body(start, end));
        double total = 0;
        foreach (var v in partial) total += v;
        return total;
    }
}
