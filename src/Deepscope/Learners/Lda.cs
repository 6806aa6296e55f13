using Deepscope.Catalogs;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// Options of linear discriminant analysis. <see cref="Shrinkage"/>: null for none (scikit-learn's default),
/// a value in [0, 1], or <see cref="double.NaN"/> for the Ledoit-Wolf estimate ("auto"). Directions of the
/// standardised within-class covariance with variance below <see cref="Tolerance"/>^2 are dropped (rank threshold,
/// as scikit-learn's svd solver does on singular values).
/// </summary>
public sealed record LdaOptions
{
    [Param("shrinkage", Words = ["none=", "auto=NaN"], Min = 0, Max = 1, Description = "none, auto (Ledoit-Wolf) or a value in [0, 1]")]
    public double? Shrinkage { get; init; }
    [Param("tol", Min = 0, Description = "rank threshold on the standardised within-class variance")]
    public double Tolerance { get; init; } = 1e-4;
    [Param("n_components", Min = 1, Description = "dimensions of Transform (none: K-1)")]
    public int? Components { get; init; }
}

/// <summary>
/// Linear discriminant analysis: Gaussian classes with one shared covariance. Fitting whitens the standardised
/// pooled within-class covariance (eigendecomposition, rank-thresholded), so prediction is one linear map; the
/// fitted model also projects onto the K-1 most discriminant directions (<see cref="LdaModel.Transform"/>).
/// </summary>
public sealed class Lda(LdaOptions? options = null) : ILearner
{
    public LdaOptions Options { get; } = options ?? new LdaOptions();
    public string Name => "lda";

    public IReadOnlyDictionary<string, string> Parameters => OptionsBinder.Values(Options);

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

        // The shared covariance: pooled unbiased (scikit-learn's svd solver) or, with shrinkage, the prior-weighted
        // sum of shrunk biased class covariances (its lsqr/eigen solvers). Float shrinkage is linear in the class
        // covariances, so it applies to the pooled one; Ledoit-Wolf picks a shrinkage per class.
        var covariance = Options.Shrinkage switch
        {
            null => RowBlocks.Scatter(data.X, means, index).div_(Math.Max(1, n - k)),
            double shrink when double.IsNaN(shrink) => LedoitWolfCovariance(data, means, counts),
            double shrink => Shrink(RowBlocks.Scatter(data.X, means, index).div_(n), shrink),
        };
        // Standardise so the rank threshold is scale-free (constant columns keep 1).
        var std = covariance.diagonal().sqrt();
        std = where(std.eq(0), ones_like(std), std);
        // D x D float64 temporaries (128 MB each at D = 4,000) are freed as soon as they are used.
        using (var outer = std.outer(std)) covariance.div_(outer);

        var (values, vectors) = linalg.eigh(covariance);
        covariance.Dispose();
        var keep = values.gt(Options.Tolerance * Options.Tolerance).nonzero().squeeze(1);
        if (keep.shape[0] == 0) throw new DeepscopeException("lda: the within-class covariance is zero (every class is a single point)");
        // Whitening map in raw feature space: x -> (x / std) V diag(lambda^-1/2).
        var whiten = vectors.index_select(1, keep).div_(values.index_select(0, keep).sqrt()).div_(std.unsqueeze(1));
        vectors.Dispose();
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

    /// <summary>(1 - s) S + s (trace(S) / D) I.</summary>
    static Tensor Shrink(Tensor covariance, double shrinkage)
    {
        double mu = covariance.trace().item<double>() / covariance.shape[0];
        return covariance.mul_(1 - shrinkage).add_(eye(covariance.shape[0], dtype: ScalarType.Float64).mul_(shrinkage * mu));
    }

    /// <summary>
    /// sum_k prior_k * shrunk(S_k): each class covariance S_k (biased) is standardised, shrunk towards its mean
    /// eigenvalue by the Ledoit-Wolf estimate, and scaled back (scikit-learn's shrinkage="auto"). One class at a time,
    /// so memory holds one D x D matrix beyond the result.
    /// </summary>
    static Tensor LedoitWolfCovariance(TrainingSet data, Tensor means, long[] counts)
    {
        long d = data.Features;
        var total = zeros(d, d, ScalarType.Float64);
        for (int c = 0; c < counts.Length; c++)
        {
            using var scope = NewDisposeScope();
            var rows = tensor(Enumerable.Range(0, data.Index.Length).Where(i => data.Index[i] == c).Select(i => (long)i).ToArray());
            var members = data.X.index_select(0, rows);
            var centre = means.narrow(0, c, 1);
            var zero = zeros(members.shape[0], ScalarType.Int64);
            var s = RowBlocks.Scatter(members, centre, zero).div_(counts[c]);
            var std = s.diagonal().sqrt();
            std = where(std.eq(0), ones_like(std), std);
            var correlation = s / std.outer(std);
            double mu = correlation.trace().item<double>() / d;
            double frobenius = correlation.square().sum().item<double>();
            double delta = (frobenius - d * mu * mu) / d;
            double beta = (RowBlocks.SumOfSquaredNormsSquared(members, centre, zero, std) / counts[c] - frobenius) / (d * (double)counts[c]);
            double shrinkage = delta <= 0 ? 0 : Math.Min(beta, delta) / delta;
            var shrunk = s.mul_(1 - shrinkage).add_(std.square().mul_(shrinkage * mu).diag());
            total.add_(shrunk.mul_((double)counts[c] / data.Rows));
        }
        return total;
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
        return RowBlocks.Map(x, part => (part - _mean).mm(_scalings));
    }

    public override void Dispose()
    {
        _mean.Dispose();
        _scalings.Dispose();
        base.Dispose();
    }
}
