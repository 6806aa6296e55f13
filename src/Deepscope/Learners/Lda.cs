using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// Options of linear discriminant analysis. <see cref="Shrinkage"/>: null for none (scikit-learn's default),
/// a value in [0, 1], or <see cref="double.NaN"/> for the Ledoit-Wolf estimate ("auto"). Directions of the
/// standardised within-class covariance with variance below <see cref="Tolerance"/>^2 are dropped (rank threshold,
/// as scikit-learn's svd solver does on singular values).
/// </summary>
public sealed record LdaOptions(double? Shrinkage = null, double Tolerance = 1e-4, int? Components = null);

/// <summary>
/// Linear discriminant analysis: Gaussian classes with one shared covariance. Fitting whitens the standardised
/// pooled within-class covariance (eigendecomposition, rank-thresholded), so prediction is one linear map; the
/// fitted model also projects onto the K-1 most discriminant directions (<see cref="LdaModel.Transform"/>).
/// </summary>
public sealed class Lda(LdaOptions? options = null) : ILearner
{
    public LdaOptions Options { get; } = options ?? new LdaOptions();
    public string Name => "lda";

    public IReadOnlyDictionary<string, string> Parameters => new Dictionary<string, string>
    {
        ["shrinkage"] = Options.Shrinkage switch { null => "none", double s when double.IsNaN(s) => "auto", double s => Param.Format(s) },
        ["tol"] = Param.Format(Options.Tolerance),
    };

    public IClassifier Fit(Tensor x, Tensor y) => FitModel(x, y);

    public LdaModel FitModel(Tensor x, Tensor y)
    {
        if (Options.Shrinkage is double s && !double.IsNaN(s) && s is < 0 or > 1)
            throw new DeepscopeException($"lda: shrinkage must be in [0, 1] or auto; got {s}");
        var data = LearnerInput.Check(x, y);
        using var scope = NewDisposeScope();
        long n = data.Rows, d = data.Features;
        int k = data.ClassCount;
        var counts = data.ClassCounts();
        var index = data.IndexTensor();
        var means = RowBlocks.ClassMeans(data.X, index, counts);
        var priors = tensor(Array.ConvertAll(counts, c => (double)c / n));

        // Standardise by the pooled within-class spread so the rank threshold is scale-free (constant columns keep 1).
        var scatter = RowBlocks.Scatter(data.X, means, index);
        var variance = scatter.diagonal() / Math.Max(1, n - k);
        var std = variance.sqrt();
        std = where(std.eq(0), ones_like(std), std);
        var covariance = scatter.div_(std.outer(std)).div_(Math.Max(1, n - k));
        if (Options.Shrinkage is double shrink)
        {
            if (double.IsNaN(shrink)) shrink = LedoitWolf(data, means, index, std, covariance, n);
            double mu = covariance.trace().item<double>() / d;
            covariance.mul_(1 - shrink).add_(eye(d, dtype: ScalarType.Float64).mul_(shrink * mu));
        }

        var (values, vectors) = linalg.eigh(covariance);
        var keep = values.gt(Options.Tolerance * Options.Tolerance).nonzero().squeeze(1);
        if (keep.shape[0] == 0) throw new DeepscopeException("lda: the within-class covariance is zero (every class is a single point)");
        // Whitening map in raw feature space: x -> (x / std) V diag(lambda^-1/2).
        var whiten = vectors.index_select(1, keep).div_(values.index_select(0, keep).sqrt()).div_(std.unsqueeze(1));
        var whiteMeans = means.mm(whiten); // (K, r)
        var coef = whiten.mm(whiteMeans.t()); // (D, K)
        var intercept = whiteMeans.square().sum(1).mul_(-0.5).add_(priors.log());

        // Discriminant directions: principal axes of the prior-weighted class means in whitened space.
        var overall = priors.unsqueeze(0).mm(means); // (1, D)
        var centred = (whiteMeans - overall.mm(whiten)).mul_(priors.sqrt().unsqueeze(1));
        var (_, singular, vt) = linalg.svd(centred, fullMatrices: false);
        long rank = Math.Min(k - 1, singular.gt(Options.Tolerance * Math.Max(1e-300, singular[0].item<double>())).sum().item<long>());
        long components = Options.Components is int c ? Math.Min(c, rank) : rank;
        if (Options.Components is < 1) throw new DeepscopeException($"lda: components must be at least 1; got {Options.Components}");
        var scalings = whiten.mm(vt.narrow(0, 0, Math.Max(1, components)).t());

        return new LdaModel(data.Classes, d,
            coef.to_type(ScalarType.Float32).MoveToOuterDisposeScope(),
            intercept.to_type(ScalarType.Float32).MoveToOuterDisposeScope(),
            overall.to_type(ScalarType.Float32).MoveToOuterDisposeScope(),
            scalings.to_type(ScalarType.Float32).MoveToOuterDisposeScope());
    }

    /// <summary>Ledoit-Wolf shrinkage of the standardised, class-centred covariance (scikit-learn's "auto").</summary>
    static double LedoitWolf(TrainingSet data, Tensor means, Tensor index, Tensor std, Tensor covariance, long n)
    {
        // The estimate uses the biased (1/n) covariance S; covariance above is scaled by 1/(n-k).
        long d = covariance.shape[0];
        int k = data.ClassCount;
        using var scope = NewDisposeScope();
        var s = covariance * ((double)Math.Max(1, n - k) / n);
        double mu = s.trace().item<double>() / d;
        double frobenius = s.square().sum().item<double>();
        double delta = (frobenius - d * mu * mu) / d;
        double beta = (RowBlocks.SumOfSquaredNormsSquared(data.X, means, index, std) / n - frobenius) / (d * (double)n);
        return delta <= 0 ? 0 : Math.Min(beta, delta) / delta;
    }
}

/// <summary>A fitted LDA: a linear classifier plus the supervised projection onto its discriminant directions.</summary>
public sealed class LdaModel : LinearModel
{
    readonly Tensor _mean, _scalings;

    internal LdaModel(long[] classes, long features, Tensor coef, Tensor intercept, Tensor mean, Tensor scalings)
        : base(classes, features, coef, intercept, probabilistic: true)
    {
        _mean = mean;
        _scalings = scalings;
    }

    /// <summary>Number of discriminant directions (at most K-1).</summary>
    public long Components => _scalings.shape[1];

    /// <summary>Projects x (N, D) onto the discriminant directions: (N, Components).</summary>
    public Tensor Transform(Tensor x)
    {
        LearnerInput.CheckFeatures(x, Features);
        return RowBlocks.Map(x, part => (part - _mean).mm(_scalings), 1 << 16);
    }

    public override void Dispose()
    {
        _mean.Dispose();
        _scalings.Dispose();
        base.Dispose();
    }
}
