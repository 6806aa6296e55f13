using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>The k nearest other samples of every sample: indices and Euclidean distances, row-major (N, k), nearest first.</summary>
public sealed record NeighborGraph(int Count, int K, int[] Indices, float[] Distances)
{
    public int Neighbor(int i, int j) => Indices[i * K + j];
    public float Distance(int i, int j) => Distances[i * K + j];
}

/// <summary>
/// Exact k-nearest-neighbour search on TorchSharp: ||x||² + ||y||² - 2xyᵀ on chunks of query rows, so memory stays
/// at one chunk × N distances whatever N (70,000 × 784 MNIST fits in a few hundred MB).
/// </summary>
public static class NearestNeighbors
{
    /// <summary>Bytes of distances held at once per chunk.</summary>
    const long ChunkBytes = 256L << 20;

    public static NeighborGraph Exact(Tensor features, int k, IProgressReporter? progress = null)
    {
        using var scope = NewDisposeScope();
        var x = EmbeddingOptions.Prepare(features);
        int n = (int)x.shape[0];
        if (k < 1 || k >= n) throw new DeepscopeException($"nearest neighbours: k must be in [1, {n - 1}] for {n} samples, got {k}");
        var norms = x.pow(2).sum(1);
        var indices = new int[n * k];
        var distances = new float[n * k];
        int chunk = (int)Math.Clamp(ChunkBytes / (4L * n), 16, n);
        using var task = (progress ?? NoProgress.Instance).Start($"{k}-nearest neighbours of {n:N0} samples", n, "samples");
        for (int start = 0; start < n; start += chunk)
        {
            using var inner = NewDisposeScope();
            int rows = Math.Min(chunk, n - start);
            var q = x.narrow(0, start, rows);
            var d2 = norms.narrow(0, start, rows).unsqueeze(1) + norms.unsqueeze(0) - 2 * q.mm(x.t());
            // Exclude each sample itself by index (duplicates of it stay, at distance 0, as scikit-learn keeps them).
            var self = arange(start, start + rows, dtype: ScalarType.Int64).unsqueeze(1);
            d2.scatter_(1, self, full(self.shape, float.PositiveInfinity, ScalarType.Float32));
            var (values, index) = d2.topk(k, dim: 1, largest: false, sorted: true);
            var dist = values.clamp_min(0).sqrt_().contiguous().data<float>().ToArray();
            var idx = index.to_type(ScalarType.Int32).contiguous().data<int>().ToArray();
            Array.Copy(dist, 0, distances, (long)start * k, dist.Length);
            Array.Copy(idx, 0, indices, (long)start * k, idx.Length);
            task.Advance(rows);
        }
        return new NeighborGraph(n, k, indices, distances);
    }
}
