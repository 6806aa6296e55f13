using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// Standard locally linear embedding (Roweis and Saul 2000), as scikit-learn's: each sample's regularised barycentric
/// weights over its k neighbours, then the bottom eigenvectors of M = (I - W)ᵀ(I - W) after the constant one.
/// </summary>
public sealed record LleOptions : EmbeddingOptions
{
    public int Neighbors { get; init; } = 5;
    /// <summary>Regularisation of each local Gram matrix, relative to its trace.</summary>
    public double Reg { get; init; } = 1e-3;

    public override string Method => "lle";
    public override string DisplayName => "LLE";

    protected override (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress)
    {
        int n = (int)x.shape[0], k = Neighbors;
        if (k < 1 || k >= n) throw new DeepscopeException($"lle: neighbors must be in [1, {n - 1}], got {k}");
        if (Components + 1 > n) throw new DeepscopeException($"lle: components + 1 must not exceed N = {n}");
        DenseEmbedding.RequireFits(Method, n);
        var graph = NearestNeighbors.Exact(x, k, progress);
        var weights = BarycenterWeights(x, graph);
        var m = new double[(long)n * n];
        // M = I - W - Wᵀ + WᵀW, accumulated row by row of W (k entries each).
        for (int i = 0; i < n; i++)
        {
            m[(long)i * n + i] += 1;
            for (int a = 0; a < k; a++)
            {
                int ja = graph.Neighbor(i, a);
                double wa = weights[i * k + a];
                m[(long)i * n + ja] -= wa;
                m[(long)ja * n + i] -= wa;
                for (int b = 0; b < k; b++) m[(long)ja * n + graph.Neighbor(i, b)] += wa * weights[i * k + b];
            }
        }
        var (values, vectors) = SymmetricEigen.SmallestPositiveSemidefinite(tensor(m, [n, n]), Components + 1, Seed);
        var points = DenseEmbedding.FlipSigns(vectors.narrow(1, 1, Components));
        double error = values.Skip(1).Sum();
        return (EmbeddingResult.FromTensor(points), $"{k} neighbours, reg {F(Reg)}", new Dictionary<string, double> { ["reconstruction_error"] = error });
    }

    /// <summary>w minimising |xᵢ - Σ wⱼ xⱼ|² with Σ wⱼ = 1: solve (G + reg·tr(G)·I) w = 1, normalise; (N, k) row-major.</summary>
    double[] BarycenterWeights(Tensor x, NeighborGraph graph)
    {
        using var scope = NewDisposeScope();
        int n = graph.Count, k = graph.K;
        var x64 = x.to_type(ScalarType.Float64);
        var neighbors = tensor(graph.Indices.Select(i => (long)i).ToArray(), [n, k]);
        var local = x64.index_select(0, neighbors.flatten()).reshape(n, k, -1) - x64.unsqueeze(1);
        var gram = local.bmm(local.transpose(1, 2));
        var trace = gram.diagonal(0, 1, 2).sum(1);
        var r = where(trace > 0, Reg * trace, full_like(trace, Reg));
        gram = gram + r.reshape(n, 1, 1) * eye(k, dtype: ScalarType.Float64).unsqueeze(0);
        var w = linalg.solve(gram, ones([n, k, 1], ScalarType.Float64)).squeeze(2);
        w = w / w.sum(1, keepdim: true);
        return w.contiguous().data<double>().ToArray();
    }
}
