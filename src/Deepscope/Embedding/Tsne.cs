using static TorchSharp.torch;

namespace Deepscope.Embedding;

public enum TsneInitialization
{
    /// <summary>The first principal components, scaled to standard deviation 1e-4 (scikit-learn's default since 1.2).</summary>
    Pca,
    /// <summary>Gaussian with standard deviation 1e-4.</summary>
    Random,
}

/// <summary>How t-SNE computes the repulsive half of its gradient (openTSNE's <c>negative_gradient_method</c>).</summary>
public enum TsneGradientMethod
{
    /// <summary>Barnes-Hut below <see cref="TsneOptions.BarnesHutBelow"/> points, FFT interpolation from there on.</summary>
    Auto,
    /// <summary>Quadtree with the <see cref="TsneOptions.Angle"/> criterion (scikit-learn's method).</summary>
    BarnesHut,
    /// <summary>Polynomial interpolation on a grid and FFT convolution (FIt-SNE's method): O(N) for large N.</summary>
    Fft,
}

/// <summary>
/// t-SNE (van der Maaten and Hinton 2008) that scales to N in the tens of thousands: sparse input affinities from the
/// exact 3·perplexity nearest neighbours (as scikit-learn's Barnes-Hut path), repulsion by Barnes-Hut for small N and
/// FFT-accelerated interpolation for large N (<see cref="BarnesHutRepulsion"/>, <see cref="FftRepulsion"/>), and
/// scikit-learn's optimiser (momentum 0.5 then 0.8, gains, early exaggeration).
/// </summary>
public sealed record TsneOptions : EmbeddingOptions
{
    public double Perplexity { get; init; } = 30;
    public double EarlyExaggeration { get; init; } = 12;
    /// <summary>null = "auto": max(N / early_exaggeration / 4, 50) (Belkina et al. 2019, scikit-learn ≥ 1.2).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Total iterations, early exaggeration included.</summary>
    public int MaxIter { get; init; } = 1000;
    /// <summary>Iterations with early exaggeration and momentum 0.5.</summary>
    public int ExaggerationIter { get; init; } = 250;
    public int IterWithoutProgress { get; init; } = 300;
    public double MinGradNorm { get; init; } = 1e-7;
    public TsneInitialization Init { get; init; } = TsneInitialization.Pca;
    public TsneGradientMethod NegativeGradientMethod { get; init; } = TsneGradientMethod.Auto;
    /// <summary>Barnes-Hut: a cell stands for its points when its width / distance is below this (scikit-learn's default).</summary>
    public double Angle { get; init; } = 0.5;
    /// <summary>Interpolation nodes per grid box and axis (FIt-SNE's default).</summary>
    public int InterpolationPoints { get; init; } = 3;
    /// <summary>At least this many grid boxes per axis.</summary>
    public int MinIntervals { get; init; } = 50;
    /// <summary>Grid boxes per unit of embedding extent, once the extent exceeds <see cref="MinIntervals"/>.</summary>
    public double IntervalsPerUnit { get; init; } = 1;

    public override string Method => "tsne";
    public override string DisplayName => "t-SNE";
    protected override int MinimumSamples => 4;

    const int CheckEvery = 50;
    /// <summary>
    /// Where <see cref="TsneGradientMethod.Auto"/> switches to the FFT (openTSNE's threshold too): the FFT grid grows with
    /// the embedding's extent, which is wide already for a few thousand points, while Barnes-Hut's cost follows N log N.
    /// Measured on MNIST, one core: Barnes-Hut 13 s faster at 10,000 points, the FFT 13 s faster at 20,000.
    /// </summary>
    public const int BarnesHutBelow = 15_000;

    /// <summary>The learning rate this run uses for N samples.</summary>
    public double EffectiveLearningRate(int n) => LearningRate ?? Math.Max(n / EarlyExaggeration / 4, 50);

    protected override (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress)
    {
        int n = (int)x.shape[0];
        Validate(n);
        var p = Affinities(x, progress);
        var y = Initial(x);
        // One libtorch thread while optimising: its only torch work is small FFTs between parallel .NET loops, and an
        // OpenMP team spinning at barriers beside the .NET pool costs more than it gains (several times on a busy machine).
        int threads = get_num_threads();
        set_num_threads(1);
        double kl;
        int iterations;
        try { (kl, iterations) = Optimize(p, y, n, progress); }
        finally { set_num_threads(threads); }
        double lr = EffectiveLearningRate(n);
        string settings = $"perplexity {F(Perplexity)}, lr {(LearningRate == null ? $"auto ({F(lr)})" : F(lr))}, exaggeration {F(EarlyExaggeration)}, {iterations} iter, {Init.ToString().ToLowerInvariant()} init, {(UsesBarnesHut(n) ? $"Barnes-Hut angle {F(Angle)}" : "FFT")}";
        var diagnostics = new Dictionary<string, double> { ["kl_divergence"] = kl, ["iterations"] = iterations, ["learning_rate"] = lr };
        return (EmbeddingResult.FromRowMajor(y, n, 2), settings, diagnostics);
    }

    void Validate(int n)
    {
        if (Components != 2) throw new DeepscopeException($"tsne: the FFT-accelerated gradient embeds in 2 dimensions, got components={Components}");
        if (Perplexity <= 0 || Perplexity >= n) throw new DeepscopeException($"tsne: perplexity must be in (0, N) = (0, {n}), got {F(Perplexity)}");
        if (EarlyExaggeration < 1) throw new DeepscopeException($"tsne: early_exaggeration must be at least 1, got {F(EarlyExaggeration)}");
        if (LearningRate is <= 0) throw new DeepscopeException($"tsne: learning_rate must be positive or auto, got {F(LearningRate.Value)}");
        if (MaxIter < 1 || ExaggerationIter < 0 || ExaggerationIter > MaxIter)
            throw new DeepscopeException($"tsne: need max_iter ≥ 1 and 0 ≤ exaggeration_iter ≤ max_iter, got {MaxIter} and {ExaggerationIter}");
        if (Angle is <= 0 or >= 1) throw new DeepscopeException($"tsne: angle must be in (0, 1), got {F(Angle)}");
        if (InterpolationPoints < 2 || MinIntervals < 1 || IntervalsPerUnit <= 0)
            throw new DeepscopeException("tsne: interpolation_points must be ≥ 2, min_intervals ≥ 1, intervals_per_unit > 0");
    }

    /// <summary>
    /// Joint probabilities P (sum 1): conditional Gaussians over the ⌊3·perplexity+1⌋ nearest neighbours with the
    /// bandwidth found by bisection to match the perplexity, then symmetrised (P + Pᵀ)/sum.
    /// </summary>
    internal SparseMatrix Affinities(Tensor x, IProgressReporter progress)
    {
        int n = (int)x.shape[0];
        int k = Math.Min(n - 1, (int)(3 * Perplexity + 1));
        var graph = NearestNeighbors.Exact(x, k, progress);
        var conditional = ConditionalProbabilities(graph, Perplexity);
        var joint = SparseMatrix.Symmetrize(graph, conditional, (a, b) => a + b);
        double total = joint.Values.Sum();
        for (int e = 0; e < joint.Values.Length; e++) joint.Values[e] /= total;
        return joint;
    }

    /// <summary>Row-wise p_{j|i} ∝ exp(-β d²ᵢⱼ) with β bisected until the entropy is log(perplexity) (tolerance 1e-5, 100 steps).</summary>
    internal static double[] ConditionalProbabilities(NeighborGraph graph, double perplexity)
    {
        int n = graph.Count, k = graph.K;
        var result = new double[n * k];
        double target = Math.Log(perplexity);
        Parallelism.ForBlocks(n, (_, start, end) =>
        {
            var d2 = new double[k];
            for (int i = start; i < end; i++)
            {
                for (int j = 0; j < k; j++) d2[j] = (double)graph.Distance(i, j) * graph.Distance(i, j);
                double beta = 1, betaMin = double.NegativeInfinity, betaMax = double.PositiveInfinity;
                var row = result.AsSpan(i * k, k);
                for (int step = 0; step < 100; step++)
                {
                    double sum = 0, weighted = 0;
                    for (int j = 0; j < k; j++) { row[j] = Math.Exp(-d2[j] * beta); sum += row[j]; }
                    if (sum == 0) sum = 1e-8;
                    for (int j = 0; j < k; j++) { row[j] /= sum; weighted += d2[j] * row[j]; }
                    double entropy = Math.Log(sum) + beta * weighted;
                    double gap = entropy - target;
                    if (Math.Abs(gap) <= 1e-5) break;
                    if (gap > 0)
                    {
                        betaMin = beta;
                        beta = double.IsPositiveInfinity(betaMax) ? beta * 2 : (beta + betaMax) / 2;
                    }
                    else
                    {
                        betaMax = beta;
                        beta = double.IsNegativeInfinity(betaMin) ? beta / 2 : (beta + betaMin) / 2;
                    }
                }
            }
        });
        return result;
    }

    double[] Initial(Tensor x)
    {
        int n = (int)x.shape[0];
        using var scope = NewDisposeScope();
        Tensor y;
        if (Init == TsneInitialization.Pca && x.shape[1] >= 2)
        {
            using var pca = new PcaOptions { Components = 2, Solver = PcaSolver.Randomized, Seed = Seed }.Fit(x);
            y = pca.Transform(x).to_type(ScalarType.Float64);
            y = y / y[TensorIndex.Colon, 0].std(unbiased: false) * 1e-4;
        }
        else
            y = randn([n, 2], ScalarType.Float64, generator: new Generator((ulong)Seed)) * 1e-4;
        return y.contiguous().data<double>().ToArray();
    }

    /// <summary>Gradient descent with momentum and per-coordinate gains (Jacobs 1988), as scikit-learn: returns final KL and iterations run.</summary>
    (double Kl, int Iterations) Optimize(SparseMatrix p, double[] y, int n, IProgressReporter progress)
    {
        IRepulsion repulsionForce = UsesBarnesHut(n)
            ? new BarnesHutRepulsion(Angle)
            : new FftRepulsion(InterpolationPoints, MinIntervals, IntervalsPerUnit);
        var attraction = new double[2 * n];
        var repulsion = new double[2 * n];
        var update = new double[2 * n];
        var gains = new double[2 * n];
        double learningRate = EffectiveLearningRate(n);
        double kl = double.NaN;
        int iteration = 0;
        using var task = progress.Start($"t-SNE of {n:N0} samples", MaxIter, "iterations");
        foreach (var (end, exaggeration, momentum) in new[] { (ExaggerationIter, EarlyExaggeration, 0.5), (MaxIter, 1.0, 0.8) })
        {
            // Each phase starts afresh (scikit-learn restarts its optimiser after early exaggeration).
            Array.Clear(update);
            Array.Fill(gains, 1.0);
            double bestError = double.MaxValue;
            int bestIteration = iteration;
            for (; iteration < end; iteration++)
            {
                bool check = (iteration + 1) % CheckEvery == 0 || iteration == MaxIter - 1;
                double z = repulsionForce.Compute(y, n, repulsion);
                double error = Attract(p, y, attraction, exaggeration, z, check);
                double gradNorm2 = 0;
                for (int c = 0; c < 2 * n; c++)
                {
                    double grad = 4 * (exaggeration * attraction[c] - repulsion[c] / z);
                    gains[c] = update[c] * grad < 0 ? gains[c] + 0.2 : Math.Max(gains[c] * 0.8, 0.01);
                    update[c] = momentum * update[c] - learningRate * gains[c] * grad;
                    y[c] += update[c];
                    gradNorm2 += grad * grad;
                }
                task.Advance(1);
                if (!check) continue;
                kl = error;
                task.Describe($"t-SNE of {n:N0} samples, KL {kl:F4}{(exaggeration > 1 ? " (exaggerated)" : "")}");
                if (error < bestError) { bestError = error; bestIteration = iteration; }
                else if (iteration - bestIteration > IterWithoutProgress) { iteration++; break; }
                if (Math.Sqrt(gradNorm2) < MinGradNorm) { iteration++; break; }
            }
        }
        kl = KullbackLeibler(p, y, repulsionForce, n);
        return (kl, iteration);
    }

    /// <summary>
    /// Writes the attractive forces Σⱼ pᵢⱼ qᵢⱼ (yᵢ - yⱼ) (q unnormalised) into <paramref name="force"/>; when
    /// <paramref name="withError"/>, returns KL(P‖Q) for the (exaggerated) P in use, else 0.
    /// </summary>
    static double Attract(SparseMatrix p, double[] y, double[] force, double exaggeration, double z, bool withError) =>
        Parallelism.Sum(p.Size, (start, end) =>
        {
            double error = 0;
            for (int i = start; i < end; i++)
            {
                double y0 = y[2 * i], y1 = y[2 * i + 1], f0 = 0, f1 = 0;
                for (int e = p.RowStart[i]; e < p.RowStart[i + 1]; e++)
                {
                    int j = p.Columns[e];
                    double d0 = y0 - y[2 * j], d1 = y1 - y[2 * j + 1];
                    double q = 1 / (1 + d0 * d0 + d1 * d1);
                    double pq = p.Values[e] * q;
                    f0 += pq * d0;
                    f1 += pq * d1;
                    if (withError)
                    {
                        double pij = exaggeration * p.Values[e];
                        error += pij * Math.Log(Math.Max(pij, 1e-300) / Math.Max(q / z, 1e-300));
                    }
                }
                force[2 * i] = f0;
                force[2 * i + 1] = f1;
            }
            return error;
        });

    bool UsesBarnesHut(int n) => NegativeGradientMethod == TsneGradientMethod.BarnesHut
        || (NegativeGradientMethod == TsneGradientMethod.Auto && n < BarnesHutBelow);

    static double KullbackLeibler(SparseMatrix p, double[] y, IRepulsion repulsion, int n)
    {
        double z = repulsion.Compute(y, n, new double[2 * n]);
        return Attract(p, y, new double[2 * n], 1, z, withError: true);
    }
}
