using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>Trustworthiness and continuity at k neighbours (Venna and Kaski 2001), and how many queries they used.</summary>
public sealed record EmbeddingQuality(int K, double Trustworthiness, double Continuity, int Queries, int Count)
{
    public bool Sampled => Queries < Count;

    public override string ToString() =>
        $"trustworthiness({K}) = {Trustworthiness:F4}, continuity({K}) = {Continuity:F4}" +
        (Sampled ? $" (estimated on {Queries:N0} of {Count:N0} samples)" : "");

    /// <summary>Above this many samples, <see cref="Measure"/> estimates on a seeded random sample of query points.</summary>
    public const int DefaultMaxQueries = 10_000;

    /// <summary>
    /// T(k) = 1 - 2/(nk(2n-3k-1)) Σᵢ Σ_{j ∈ Uᵢ} (r(i,j) - k), Uᵢ the embedding's k nearest neighbours of i that are not
    /// among its k nearest in the input, r the rank in the input (scikit-learn's <c>trustworthiness</c>); continuity is
    /// the same with input and embedding swapped. Computed exactly over all N points, in chunks of query rows against
    /// all samples in float64; beyond <paramref name="maxQueries"/> samples the sum runs over a seeded random subset of
    /// query points (each still ranked against all N), an unbiased estimate.
    /// </summary>
    public static EmbeddingQuality Measure(Tensor features, Tensor embedding, int k = 10, int maxQueries = DefaultMaxQueries, long seed = 0)
    {
        using var scope = NewDisposeScope();
        var x = EmbeddingOptions.Prepare(features).to_type(ScalarType.Float64);
        var y = EmbeddingOptions.Prepare(embedding).to_type(ScalarType.Float64);
        int n = (int)x.shape[0];
        if (y.shape[0] != n) throw new DeepscopeException($"quality: {n} samples in the input but {y.shape[0]} in the embedding");
        if (k < 1 || k >= n / 2.0) throw new DeepscopeException($"quality: k must be in [1, N/2) = [1, {n / 2.0}), got {k}");

        var queries = n <= maxQueries ? arange(n, dtype: ScalarType.Int64)
            : randperm(n, generator: new Generator((ulong)seed)).narrow(0, 0, maxQueries).sort().Values;
        int m = (int)queries.shape[0];
        var (xNorms, yNorms) = (x.pow(2).sum(1), y.pow(2).sum(1));
        // Chunk so that the (rows, k, N) rank comparison stays near 64 MB.
        int chunk = (int)Math.Clamp((64L << 20) / (k * (long)n), 1, m);
        double trustPenalty = 0, continuityPenalty = 0;
        for (int start = 0; start < m; start += chunk)
        {
            using var inner = NewDisposeScope();
            var rows = queries.narrow(0, start, Math.Min(chunk, m - start));
            var dx = SquaredDistances(x, xNorms, rows);
            var dy = SquaredDistances(y, yNorms, rows);
            var nearX = dx.topk(k, 1, largest: false).indexes;
            var nearY = dy.topk(k, 1, largest: false).indexes;
            trustPenalty += RankExcess(dx, nearY, k);
            continuityPenalty += RankExcess(dy, nearX, k);
        }
        double norm = 2.0 / (m * (double)k * (2.0 * n - 3.0 * k - 1.0));
        return new EmbeddingQuality(k, 1 - norm * trustPenalty, 1 - norm * continuityPenalty, m, n);
    }

    /// <summary>Squared distances from the query rows to all samples, with each query's own column set to +inf.</summary>
    static Tensor SquaredDistances(Tensor data, Tensor norms, Tensor rows)
    {
        var q = data.index_select(0, rows);
        var d = (norms.index_select(0, rows).unsqueeze(1) + norms.unsqueeze(0) - 2 * q.mm(data.t())).clamp_min_(0);
        var self = rows.unsqueeze(1);
        return d.scatter_(1, self, full(self.shape, double.PositiveInfinity, ScalarType.Float64));
    }

    /// <summary>Σ max(0, r - k) where r is the 1-based rank in <paramref name="distances"/> of each chosen neighbour.</summary>
    static double RankExcess(Tensor distances, Tensor chosen, int k)
    {
        var chosenDistances = distances.gather(1, chosen);
        var ranks = (distances.unsqueeze(1) < chosenDistances.unsqueeze(2)).sum(2) + 1;
        return (ranks - k).clamp_min(0).sum().item<long>();
    }
}
