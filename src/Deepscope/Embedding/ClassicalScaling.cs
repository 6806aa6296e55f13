using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// Shared pieces of the methods that work on dense N×N matrices (classical MDS, SMACOF, Isomap, LLE, spectral).
/// </summary>
static class DenseEmbedding
{
    /// <summary>Largest N×N float64 matrix the dense methods accept (4 GiB).</summary>
    const long MaxBytes = 4L << 30;

    /// <summary>Refuses N whose N×N float64 matrix would not fit, naming the memory it would need.</summary>
    public static void RequireFits(string method, long n)
    {
        long bytes = n * n * sizeof(double);
        if (bytes > MaxBytes)
            throw new DeepscopeException($"{method}: needs a dense {n:N0}×{n:N0} matrix ({bytes / (1L << 30):N1} GiB, limit {MaxBytes >> 30} GiB); embed fewer samples or use tsne/umap/pca");
    }

    /// <summary>
    /// Classical (Torgerson) scaling: the top-k eigenvectors of B = -½ J D² J scaled by √λ, for squared distances
    /// <paramref name="squared"/> (N, N, float64). Returns the coordinates (N, k) and the eigenvalues.
    /// </summary>
    public static (Tensor Points, double[] Eigenvalues) ClassicalScaling(Tensor squared, int k, long seed)
    {
        var rowMeans = squared.mean([1], keepdim: true);
        var b = -0.5 * (squared - rowMeans - rowMeans.t() + squared.mean());
        var (values, vectors) = SymmetricEigen.Largest(v => b.mm(v), (int)squared.shape[0], k, seed);
        var scale = tensor(values.Select(v => Math.Sqrt(Math.Max(v, 0))).ToArray(), ScalarType.Float64);
        return (FlipSigns(vectors * scale.unsqueeze(0)), values);
    }

    /// <summary>Each column times the sign of its largest-magnitude entry, so that eigen-solvers' arbitrary signs do not reach the output.</summary>
    public static Tensor FlipSigns(Tensor columns)
    {
        var signs = columns.gather(0, columns.abs().argmax(dim: 0).unsqueeze(0)).sign();
        return columns * where(signs == 0, ones_like(signs), signs);
    }

    /// <summary>Squared Euclidean distances between all rows, float64, (N, N).</summary>
    public static Tensor SquaredDistances(Tensor x)
    {
        var x64 = x.to_type(ScalarType.Float64);
        var norms = x64.pow(2).sum(1);
        var squared = (norms.unsqueeze(1) + norms.unsqueeze(0) - 2 * x64.mm(x64.t())).clamp_min_(0);
        squared.diagonal().zero_();
        return squared;
    }
}
