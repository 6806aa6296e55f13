using static TorchSharp.torch;

namespace Deepscope.Embedding;

/// <summary>
/// Isomap (Tenenbaum et al. 2000): classical scaling of geodesic distances, the shortest paths through the
/// k-nearest-neighbour graph (scikit-learn's <c>Isomap</c>: 5 neighbours, Dijkstra, kernel PCA of -½G²). A graph in
/// several pieces is joined by the shortest edge from each piece to the rest, as scikit-learn does, with a note.
/// </summary>
public sealed record IsomapOptions : EmbeddingOptions
{
    public int Neighbors { get; init; } = 5;

    public override string Method => "isomap";
    public override string DisplayName => "Isomap";

    protected override (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress)
    {
        int n = (int)x.shape[0];
        if (Neighbors < 1 || Neighbors >= n) throw new DeepscopeException($"isomap: neighbors must be in [1, {n - 1}], got {Neighbors}");
        DenseEmbedding.RequireFits(Method, n);
        var graph = NearestNeighbors.Exact(x, Neighbors, progress);
        var edges = SparseMatrix.Symmetrize(graph, Array.ConvertAll(graph.Distances, d => (double)d), Math.Max);
        var (pieces, labels) = edges.Components();
        if (pieces > 1) edges = Connect(x, edges, labels, pieces);
        var geodesic = ShortestPaths(edges, progress);
        var (points, eigenvalues) = DenseEmbedding.ClassicalScaling(geodesic.pow_(2), Components, Seed);
        var diagnostics = new Dictionary<string, double> { ["graph_components"] = pieces };
        for (int i = 0; i < eigenvalues.Length; i++) diagnostics[$"eigenvalue_{i + 1}"] = eigenvalues[i];
        string settings = $"{Neighbors} neighbours" + (pieces > 1 ? $", {pieces} graph pieces joined" : "");
        return (EmbeddingResult.FromTensor(points), settings, diagnostics);
    }

    /// <summary>All-pairs shortest path lengths (N, N, float64): Dijkstra from every sample, sources in parallel.</summary>
    static Tensor ShortestPaths(SparseMatrix edges, IProgressReporter progress)
    {
        int n = edges.Size;
        var result = new double[(long)n * n];
        using var task = progress.Start("geodesic distances", n, "sources");
        Parallelism.ForBlocks(n, (_, start, end) =>
        {
            var queue = new PriorityQueue<int, double>();
            for (int source = start; source < end; source++)
            {
                var row = result.AsSpan((int)((long)source * n), n);
                row.Fill(double.PositiveInfinity);
                row[source] = 0;
                queue.Enqueue(source, 0);
                while (queue.TryDequeue(out int i, out double d))
                {
                    if (d > row[i]) continue;
                    for (int e = edges.RowStart[i]; e < edges.RowStart[i + 1]; e++)
                    {
                        int j = edges.Columns[e];
                        double candidate = d + edges.Values[e];
                        if (candidate < row[j]) { row[j] = candidate; queue.Enqueue(j, candidate); }
                    }
                }
            }
            lock (task) task.Advance(end - start);
        });
        return tensor(result, [n, n]);
    }

    /// <summary>Adds, for every piece of the graph but the largest, the shortest Euclidean edge to a sample outside it; repeats until connected.</summary>
    static SparseMatrix Connect(Tensor x, SparseMatrix edges, int[] labels, int pieces)
    {
        var (current, currentLabels) = (pieces, labels);
        var x64 = x.to_type(ScalarType.Float64);
        while (current > 1)
        {
            var extra = new List<(int A, int B, double D)>();
            int largest = Enumerable.Range(0, current).MaxBy(c => currentLabels.Count(l => l == c));
            for (int c = 0; c < current; c++)
            {
                if (c == largest) continue;
                using var scope = NewDisposeScope();
                var members = tensor(Enumerable.Range(0, currentLabels.Length).Where(i => currentLabels[i] == c).Select(i => (long)i).ToArray());
                var others = tensor(Enumerable.Range(0, currentLabels.Length).Where(i => currentLabels[i] != c).Select(i => (long)i).ToArray());
                var d = cdist(x64.index_select(0, members), x64.index_select(0, others));
                long flat = d.argmin().item<long>();
                long cols = d.shape[1];
                extra.Add(((int)members[flat / cols].item<long>(), (int)others[flat % cols].item<long>(), d.flatten()[flat].item<double>()));
            }
            edges = WithEdges(edges, extra);
            (current, currentLabels) = edges.Components();
        }
        return edges;
    }

    static SparseMatrix WithEdges(SparseMatrix edges, List<(int A, int B, double D)> extra)
    {
        int n = edges.Size;
        var rows = Enumerable.Range(0, n).Select(i => Enumerable.Range(edges.RowStart[i], edges.RowStart[i + 1] - edges.RowStart[i])
            .Select(e => (Column: edges.Columns[e], Value: edges.Values[e])).ToList()).ToArray();
        foreach (var (a, b, d) in extra)
        {
            rows[a].Add((b, d));
            rows[b].Add((a, d));
        }
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rows[i].Count;
        var all = rows.SelectMany(r => r).ToArray();
        return new SparseMatrix(n, rowStart, all.Select(e => e.Column).ToArray(), all.Select(e => e.Value).ToArray());
    }
}
