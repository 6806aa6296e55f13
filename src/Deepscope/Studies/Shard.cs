using System.Globalization;

namespace Deepscope.Studies;

/// <summary>
/// Which cells of a study's grid this process runs: shard <see cref="Index"/> of <see cref="Count"/> takes every
/// Count-th cell starting at Index (0-based), so a Slurm job array or a Kubernetes indexed Job spreads a grid over
/// machines that share the run folder.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    public static Shard Whole { get; } = new(0, 1);

    public bool IsWhole => Count == 1;

    public bool Owns(int cell) => cell % Count == Index;

    /// <summary>Parses <c>I/N</c> (0 &lt;= I &lt; N).</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && i < n)
            return new Shard(i, n);
        throw new DeepscopeException($"--shard must be I/N with 0 <= I < N (e.g. 0/4 for the first of four shards); got '{text}'");
    }

    public override string ToString() => $"{Index}/{Count}";
}
