using static TorchSharp.torch;

namespace Deepscope.Embedding;

public enum UmapInitialization
{
    /// <summary>Bottom eigenvectors of the fuzzy graph's normalised Laplacian (UMAP's default).</summary>
    Spectral,
    /// <summary>Uniform in [-10, 10].</summary>
    Random,
}

/// <summary>
/// UMAP (McInnes, Healy and Melville 2018) after the reference implementation: fuzzy simplicial set on the exact
/// k-nearest-neighbour graph (local connectivity 1, fuzzy union), spectral initialisation, then stochastic gradient
/// descent on the cross-entropy with edges sampled in proportion to their weight and negative sampling, with the
/// low-dimensional curve 1/(1 + a d^2b) fitted to min_dist and spread. Single-threaded SGD, so a seed reproduces it.
/// </summary>
public sealed record UmapOptions : EmbeddingOptions
{
    public int Neighbors { get; init; } = 15;
    public double MinDist { get; init; } = 0.1;
    public double Spread { get; init; } = 1.0;
    /// <summary>null = 500 for N ≤ 10,000, else 200 (the reference's default).</summary>
    public int? Epochs { get; init; }
    public double LearningRate { get; init; } = 1.0;
    public int NegativeSampleRate { get; init; } = 5;
    public double RepulsionStrength { get; init; } = 1.0;
    public UmapInitialization Init { get; init; } = UmapInitialization.Spectral;

    public override string Method => "umap";
    public override string DisplayName => "UMAP";

    protected override (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress)
    {
        int n = (int)x.shape[0];
        if (Neighbors < 2 || Neighbors > n) throw new DeepscopeException($"umap: neighbors (the sample itself included) must be in [2, {n}], got {Neighbors}");
        if (MinDist < 0 || Spread <= 0 || MinDist > Spread) throw new DeepscopeException($"umap: need 0 ≤ min_dist ≤ spread and spread > 0, got {F(MinDist)}, {F(Spread)}");
        if (Epochs is < 1 || LearningRate <= 0 || NegativeSampleRate < 0) throw new DeepscopeException("umap: epochs ≥ 1, learning_rate > 0 and negative_sample_rate ≥ 0");
        int epochs = Epochs ?? (n <= 10_000 ? 500 : 200);
        var graph = FuzzySimplicialSet(NearestNeighbors.Exact(x, Neighbors - 1, progress));
        var (a, b) = FitCurve(MinDist, Spread);
        var (y, initialisation) = Initial(graph, n);
        Optimize(graph, y, n, epochs, a, b, progress);
        string settings = $"{Neighbors} neighbours, min_dist {F(MinDist)}, {epochs} epochs, {initialisation} init";
        var diagnostics = new Dictionary<string, double> { ["a"] = a, ["b"] = b, ["epochs"] = epochs, ["graph_edges"] = graph.NonZeros };
        return (EmbeddingResult.FromRowMajor(y, n, Components), settings, diagnostics);
    }

    /// <summary>
    /// Memberships exp(-(d - ρᵢ)/σᵢ) with ρᵢ the nearest distance and σᵢ bisected so Σⱼ = log₂ k, symmetrised by the
    /// fuzzy union A + Aᵀ - A∘Aᵀ.
    /// </summary>
    internal SparseMatrix FuzzySimplicialSet(NeighborGraph graph)
    {
        int n = graph.Count, k = graph.K;
        double target = Math.Log2(Neighbors);
        double meanDistance = graph.Distances.Average(d => (double)d);
        var memberships = new double[n * k];
        Parallelism.ForBlocks(n, (_, start, end) =>
        {
            for (int i = start; i < end; i++)
            {
                double rho = 0;
                for (int j = 0; j < k; j++)
                    if (graph.Distance(i, j) > 0) { rho = graph.Distance(i, j); break; }
                double lo = 0, hi = double.PositiveInfinity, sigma = 1;
                for (int step = 0; step < 64; step++)
                {
                    // The sample itself (distance 0, counted as membership 1 in the reference's sum) is implicit here.
                    double sum = 0;
                    for (int j = 0; j < k; j++)
                    {
                        double d = graph.Distance(i, j) - rho;
                        sum += d > 0 ? Math.Exp(-d / sigma) : 1;
                    }
                    if (Math.Abs(sum - target) < 1e-5) break;
                    if (sum > target) { hi = sigma; sigma = (lo + hi) / 2; }
                    else { lo = sigma; sigma = double.IsPositiveInfinity(hi) ? sigma * 2 : (lo + hi) / 2; }
                }
                double rowMean = 0;
                for (int j = 0; j < k; j++) rowMean += graph.Distance(i, j);
                rowMean /= k + 1;
                sigma = Math.Max(sigma, 1e-3 * (rho > 0 ? rowMean : meanDistance));
                for (int j = 0; j < k; j++)
                {
                    double d = graph.Distance(i, j) - rho;
                    memberships[i * k + j] = d <= 0 ? 1 : Math.Exp(-d / sigma);
                }
            }
        });
        return SparseMatrix.Symmetrize(graph, memberships, (u, v) => u + v - u * v);
    }

    /// <summary>Least-squares fit of 1/(1 + a x^2b) to 1 for x &lt; min_dist and exp(-(x - min_dist)/spread) beyond, on [0, 3·spread] (Levenberg-Marquardt).</summary>
    public static (double A, double B) FitCurve(double minDist, double spread)
    {
        var xs = Enumerable.Range(0, 300).Select(i => 3 * spread * i / 299.0).ToArray();
        var target = xs.Select(x => x < minDist ? 1 : Math.Exp(-(x - minDist) / spread)).ToArray();
        double a = 1, b = 1, lambda = 1e-3;
        double Loss(double pa, double pb) => xs.Select((x, i) => Math.Pow(1 / (1 + pa * Math.Pow(x, 2 * pb)) - target[i], 2)).Sum();
        double loss = Loss(a, b);
        for (int iteration = 0; iteration < 500 && lambda < 1e12; iteration++)
        {
            double jaa = 0, jab = 0, jbb = 0, ga = 0, gb = 0;
            for (int i = 1; i < xs.Length; i++)
            {
                double x2b = Math.Pow(xs[i], 2 * b), f = 1 / (1 + a * x2b);
                double da = -x2b * f * f, db = -a * x2b * 2 * Math.Log(xs[i]) * f * f;
                double r = f - target[i];
                jaa += da * da; jab += da * db; jbb += db * db; ga += da * r; gb += db * r;
            }
            double aa = jaa * (1 + lambda), bb = jbb * (1 + lambda), det = aa * bb - jab * jab;
            double stepA = -(bb * ga - jab * gb) / det, stepB = -(aa * gb - jab * ga) / det;
            double candidate = a + stepA > 0 && b + stepB > 0 ? Loss(a + stepA, b + stepB) : double.PositiveInfinity;
            if (candidate < loss)
            {
                bool converged = loss - candidate < 1e-14 * Math.Max(loss, 1e-300);
                (a, b, loss, lambda) = (a + stepA, b + stepB, candidate, lambda / 10);
                if (converged) break;
            }
            else lambda *= 10;
        }
        return (a, b);
    }

    (double[] Y, string How) Initial(SparseMatrix graph, int n)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator((ulong)Seed);
        Tensor y;
        string how = "spectral";
        var (pieces, _) = graph.Components();
        if (Init == UmapInitialization.Spectral && pieces == 1 && n > Components + 1)
        {
            // Top eigenvectors of (I + D^-½ W D^-½)/2 are the bottom ones of the normalised Laplacian; the first is trivial.
            var scale = graph.RowSums().Select(d => 1 / Math.Sqrt(d)).ToArray();
            var (_, vectors) = SymmetricEigen.Largest(v =>
            {
                var flat = v.contiguous().data<double>().ToArray();
                int p = (int)v.shape[1];
                for (int i = 0; i < n; i++) for (int c = 0; c < p; c++) flat[i * p + c] *= scale[i];
                var product = graph.Multiply(flat, p);
                for (int i = 0; i < n; i++) for (int c = 0; c < p; c++) product[i * p + c] = 0.5 * (flat[i * p + c] / scale[i] + product[i * p + c] * scale[i]);
                return tensor(product, [n, p]);
            }, n, Components + 1, Seed, maxIterations: 300, tolerance: 1e-4);
            y = vectors.narrow(1, 1, Components);
            y = y * (10.0 / y.abs().max()) + normal(0, 1e-4, [n, Components], ScalarType.Float64, generator: generator);
        }
        else
        {
            how = pieces > 1 && Init == UmapInitialization.Spectral ? $"random (graph in {pieces} pieces)" : "random";
            y = rand([n, Components], ScalarType.Float64, generator: generator) * 20 - 10;
        }
        // The reference rescales every axis to [0, 10] before the optimisation.
        var min = y.amin([0], keepdim: true);
        var max = y.amax([0], keepdim: true);
        y = 10 * (y - min) / (max - min).clamp_min(1e-12);
        return (y.contiguous().data<double>().ToArray(), how);
    }

    /// <summary>SGD over epochs with the reference's edge schedule, clipped gradients (±4) and a linearly decaying rate.</summary>
    void Optimize(SparseMatrix graph, double[] y, int n, int epochs, double a, double b, IProgressReporter progress)
    {
        int dim = Components;
        double maxWeight = graph.Values.Max();
        var heads = new List<int>();
        var tails = new List<int>();
        var perSample = new List<double>();
        for (int i = 0; i < n; i++)
            for (int e = graph.RowStart[i]; e < graph.RowStart[i + 1]; e++)
                if (graph.Values[e] >= maxWeight / epochs)
                {
                    heads.Add(i);
                    tails.Add(graph.Columns[e]);
                    perSample.Add(maxWeight / graph.Values[e]);
                }
        int edges = heads.Count;
        var epochsPerSample = perSample.ToArray();
        var nextSample = (double[])epochsPerSample.Clone();
        var epochsPerNegative = epochsPerSample.Select(v => NegativeSampleRate > 0 ? v / NegativeSampleRate : double.PositiveInfinity).ToArray();
        var nextNegative = (double[])epochsPerNegative.Clone();
        var random = new Random((int)(Seed ^ (Seed >> 32)));
        using var task = progress.Start($"UMAP of {n:N0} samples", epochs, "epochs");
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            double alpha = LearningRate * (1 - (double)epoch / epochs);
            for (int e = 0; e < edges; e++)
            {
                if (nextSample[e] > epoch) continue;
                int i = heads[e], j = tails[e];
                double d2 = SquaredDistance(y, i, j, dim);
                double attract = d2 > 0 ? -2 * a * b * Math.Pow(d2, b - 1) / (a * Math.Pow(d2, b) + 1) : 0;
                for (int c = 0; c < dim; c++)
                {
                    double g = Clip(attract * (y[i * dim + c] - y[j * dim + c]));
                    y[i * dim + c] += g * alpha;
                    y[j * dim + c] -= g * alpha;
                }
                nextSample[e] += epochsPerSample[e];
                int negatives = (int)((epoch - nextNegative[e]) / epochsPerNegative[e]);
                for (int s = 0; s < negatives; s++)
                {
                    int m = random.Next(n);
                    if (m == i) continue;
                    double dn = SquaredDistance(y, i, m, dim);
                    double repel = dn > 0 ? 2 * RepulsionStrength * b / ((0.001 + dn) * (a * Math.Pow(dn, b) + 1)) : 0;
                    for (int c = 0; c < dim; c++)
                        y[i * dim + c] += (repel > 0 ? Clip(repel * (y[i * dim + c] - y[m * dim + c])) : 4) * alpha;
                }
                nextNegative[e] += Math.Max(negatives, 0) * epochsPerNegative[e];
            }
            task.Advance(1);
        }
    }

    static double SquaredDistance(double[] y, int i, int j, int dim)
    {
        double s = 0;
        for (int c = 0; c < dim; c++) { double d = y[i * dim + c] - y[j * dim + c]; s += d * d; }
        return s;
    }

    static double Clip(double g) => Math.Clamp(g, -4, 4);
}
