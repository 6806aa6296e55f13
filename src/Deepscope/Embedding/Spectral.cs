using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// Laplacian eigenmaps (Belkin and Niyogi 2003) as scikit-learn's <c>SpectralEmbedding</c>: a symmetrised k-nearest
/// neighbour connectivity graph (k = max(N/10, 1), the sample itself counted), the bottom eigenvectors of the
/// normalised Laplacian divided by √degree, the trivial one dropped.
/// </summary>
public sealed record SpectralOptions : EmbeddingOptions
{
    /// <summary>null = max(N / 10, 1), scikit-learn's default.</summary>
    public int? Neighbors { get; init; }

    public override string Method => "spectral";
    public override string DisplayName => "Spectral (Laplacian eigenmaps)";

    protected override (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress)
    {
        int n = (int)x.shape[0];
        int k = Neighbors ?? Math.Max(n / 10, 1);
        if (k < 2 || k > n) throw new DeepscopeException($"spectral: neighbors (the sample itself included) must be in [2, {n}], got {k}");
        DenseEmbedding.RequireFits(Method, n);
        var graph = NearestNeighbors.Exact(x, k - 1, progress);
        var adjacency = SparseMatrix.Symmetrize(graph, Enumerable.Repeat(1.0, graph.Indices.Length).ToArray(), (a, b) => 0.5 * (a + b));
        var (pieces, _) = adjacency.Components();
        var degree = adjacency.RowSums();
        var sqrtDegree = degree.Select(Math.Sqrt).ToArray();
        var laplacian = new double[(long)n * n];
        for (int i = 0; i < n; i++)
        {
            laplacian[(long)i * n + i] = 1;
            for (int e = adjacency.RowStart[i]; e < adjacency.RowStart[i + 1]; e++)
            {
                int j = adjacency.Columns[e];
                laplacian[(long)i * n + j] -= adjacency.Values[e] / (sqrtDegree[i] * sqrtDegree[j]);
            }
        }
        var (values, vectors) = SymmetricEigen.SmallestPositiveSemidefinite(tensor(laplacian, [n, n]), Components + 1, Seed);
        var points = DenseEmbedding.FlipSigns(vectors / tensor(sqrtDegree).unsqueeze(1)).narrow(1, 1, Components);
        var diagnostics = new Dictionary<string, double> { ["graph_components"] = pieces };
        for (int i = 0; i < values.Length; i++) diagnostics[$"laplacian_eigenvalue_{i}"] = values[i];
        return (EmbeddingResult.FromTensor(points), $"{k} neighbours" + (pieces > 1 ? $", graph in {pieces} pieces" : ""), diagnostics);
    }
}
