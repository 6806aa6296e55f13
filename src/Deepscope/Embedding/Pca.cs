using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Embedding;

public enum PcaSolver
{
    /// <summary>scikit-learn's rule: randomized when max(N, D) > 500 and components &lt; 80% of min(N, D), else full.</summary>
    Auto,
    /// <summary>Exact: eigendecomposition of the covariance (N ≥ D) or SVD of the centred data, in float64.</summary>
    Full,
    /// <summary>Halko et al.'s randomized SVD with power iterations (as scikit-learn's <c>randomized_svd</c>).</summary>
    Randomized,
}

/// <summary>Principal component analysis (scikit-learn's <c>PCA</c>): centred, no whitening.</summary>
public sealed record PcaOptions : EmbeddingOptions
{
    public PcaSolver Solver { get; init; } = PcaSolver.Auto;
    /// <summary>Power iterations of the randomized solver; null = scikit-learn's (7 if components &lt; 10% of min(N, D), else 4).</summary>
    public int? PowerIterations { get; init; }
    /// <summary>Extra random directions of the randomized solver.</summary>
    public int Oversamples { get; init; } = 10;

    public override string Method => "pca";
    public override string DisplayName => "PCA";

    /// <summary>
    /// Fits the principal axes: a model that projects any data onto them. The exact solver on tall data (N ≥ D) and the
    /// randomized solver read the float32 matrix in row blocks, centring each block in float64, so a 60,000 × 4,000
    /// matrix is never copied; only the exact SVD of wide data (N &lt; D) works on a centred float64 copy.
    /// </summary>
    public PcaModel Fit(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = Prepare(features);
        int n = (int)x.shape[0], d = (int)x.shape[1];
        int k = Components;
        if (k < 1 || k > Math.Min(n, d)) throw new DeepscopeException($"pca: components ({k}) must be in [1, min(N, D) = {Math.Min(n, d)}]");
        var solver = Solver != PcaSolver.Auto ? Solver
            : Math.Max(n, d) > 500 && k < 0.8 * Math.Min(n, d) ? PcaSolver.Randomized : PcaSolver.Full;
        var mean = RowBlocks.ColumnMeans(x);
        var centered = new CenteredRows(x, mean);
        double totalVariance = centered.SumOfSquares() / Math.Max(n - 1, 1);
        Tensor components, singular;
        if (solver == PcaSolver.Randomized) (components, singular) = Randomized(centered, k);
        else if (n >= d)
        {
            // The covariance is D×D: cheaper than the SVD of N×D for tall data, and as exact in float64.
            var (eigenvalues, eigenvectors) = linalg.eigh(centered.TransposeTimes(null));
            var order = eigenvalues.argsort(descending: true).narrow(0, 0, k);
            (components, singular) = (eigenvectors.index_select(1, order).t(), eigenvalues.index_select(0, order).clamp_min(0).sqrt());
        }
        else
        {
            var (_, s, vh) = linalg.svd(x.to_type(ScalarType.Float64) - mean, fullMatrices: false);
            (components, singular) = (vh.narrow(0, 0, k), s.narrow(0, 0, k));
        }
        // scikit-learn's svd_flip: each axis points so that the largest |score| is positive, which makes signs reproducible.
        var components32 = components.to_type(ScalarType.Float32);
        var mean32 = mean.to_type(ScalarType.Float32);
        var scores = RowBlocks.Map(x, block => (block - mean32).mm(components32.t()));
        var signs = scores.gather(0, scores.abs().argmax(dim: 0).unsqueeze(0)).sign().squeeze(0);
        signs = where(signs == 0, ones_like(signs), signs);
        components32 = components32 * signs.unsqueeze(1);
        var variance = singular.pow(2) / Math.Max(n - 1, 1);
        return new PcaModel(mean32.MoveToOuterDisposeScope(), components32.MoveToOuterDisposeScope(),
            variance.data<double>().ToArray(), variance.data<double>().Select(v => v / totalVariance).ToArray(), solver);
    }

    /// <summary>Halko et al.'s randomized SVD with power iterations: right singular vectors (k, D) and singular values.</summary>
    (Tensor Components, Tensor Singular) Randomized(CenteredRows centered, int k)
    {
        int n = (int)centered.Rows, d = (int)centered.Columns;
        int p = Math.Min(k + Oversamples, Math.Min(n, d));
        int iterations = PowerIterations ?? (k < 0.1 * Math.Min(n, d) ? 7 : 4);
        var generator = new Generator((ulong)Seed);
        var q = centered.Times(randn([d, p], ScalarType.Float64, generator: generator));
        for (int i = 0; i < iterations; i++)
        {
            // Each pass holds two (N, p) matrices at most: the previous one is freed at once.
            using var pass = NewDisposeScope();
            var next = centered.Times(centered.TransposeTimes(linalg.qr(q).Q)).MoveToOuterDisposeScope();
            q.Dispose();
            q = next;
        }
        q = linalg.qr(q).Q;
        var (_, s, vh) = linalg.svd(centered.TransposeTimes(q).t(), fullMatrices: false);
        return (vh.narrow(0, 0, k), s.narrow(0, 0, k));
    }

    /// <summary>
    /// Products with the centred matrix X - mean (float64) computed from float32 row blocks of X, never materialised
    /// unless X fits in one block (then it is centred once, which is faster for the repeated products).
    /// </summary>
    sealed class CenteredRows
    {
        readonly Tensor _x, _mean;
        readonly Tensor? _whole;

        public CenteredRows(Tensor x, Tensor mean)
        {
            (_x, _mean) = (x, mean);
            if (x.shape[0] <= RowBlocks.BlockRows(x.shape[1])) _whole = Centre(x);
        }

        public long Rows => _x.shape[0];
        public long Columns => _x.shape[1];

        Tensor Centre(Tensor rows) => rows.to_type(ScalarType.Float64).sub_(_mean);

        IEnumerable<(long Start, Tensor Block)> Blocks()
        {
            if (_whole is not null) { yield return (0, _whole); yield break; }
            foreach (var (start, length) in RowBlocks.Of(Rows, Columns))
            {
                using var scope = NewDisposeScope();
                yield return (start, Centre(_x.narrow(0, start, length)));
            }
        }

        /// <summary>(X - mean) M, (N, p).</summary>
        public Tensor Times(Tensor m) => _whole is not null ? _whole.mm(m) : RowBlocks.Map(_x, rows => Centre(rows).mm(m));

        /// <summary>(X - mean)ᵀ M for M (N, p), or the scatter matrix (X - mean)ᵀ(X - mean) when M is null.</summary>
        public Tensor TransposeTimes(Tensor? m)
        {
            var result = zeros(Columns, m is null ? Columns : m.shape[1], ScalarType.Float64);
            foreach (var (start, block) in Blocks())
                result.addmm_(block.t(), m is null ? block : m.narrow(0, start, block.shape[0]));
            return result;
        }

        public double SumOfSquares() => Blocks().Sum(b => b.Block.square().sum().item<double>());
    }

    protected override (float[,] Points, string Settings, Dictionary<string, double> Diagnostics) Run(Tensor x, IProgressReporter progress)
    {
        using var model = Fit(x);
        var diagnostics = new Dictionary<string, double>();
        for (int i = 0; i < Components; i++) diagnostics[$"explained_variance_ratio_{i + 1}"] = model.ExplainedVarianceRatio[i];
        string settings = $"{model.Solver.ToString().ToLowerInvariant()}, explained variance {100 * model.ExplainedVarianceRatio.Sum():F1}%";
        using var projected = model.Transform(x);
        return (EmbeddingResult.FromTensor(projected), settings, diagnostics);
    }
}

/// <summary>Fitted principal axes: mean (D), components (k, D), variance explained by each.</summary>
public sealed class PcaModel(Tensor mean, Tensor components, double[] explainedVariance, double[] explainedVarianceRatio, PcaSolver solver) : IDisposable
{
    public Tensor Mean { get; } = mean;
    public Tensor Components { get; } = components;
    public IReadOnlyList<double> ExplainedVariance { get; } = explainedVariance;
    public IReadOnlyList<double> ExplainedVarianceRatio { get; } = explainedVarianceRatio;
    /// <summary>The solver that ran (Auto resolved).</summary>
    public PcaSolver Solver { get; } = solver;

    /// <summary>Total variance explained by the kept components, as a fraction.</summary>
    public double TotalExplainedVarianceRatio => ExplainedVarianceRatio.Sum();

    /// <summary>Scores (N, k) of new data on the fitted axes, computed in row blocks (no centred copy of a large matrix).</summary>
    public Tensor Transform(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = EmbeddingOptions.Prepare(features);
        if (x.shape[1] != Mean.shape[0]) throw new DeepscopeException($"pca: fitted on {Mean.shape[0]} features, got {x.shape[1]}");
        return RowBlocks.Map(x, block => (block - Mean).mm(Components.t())).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Mean.Dispose();
        Components.Dispose();
    }
}
