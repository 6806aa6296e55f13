using Deepscope.Catalogs;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>Options of Gaussian naive Bayes (scikit-learn GaussianNB's default).</summary>
public sealed record GaussianNaiveBayesOptions
{
    /// <summary>Added to every variance, as a fraction of the largest feature variance, so constant features stay finite.</summary>
    [Param("var_smoothing", Min = 0, Description = "variance added to every feature, times the largest feature variance")]
    public double VarSmoothing { get; init; } = 1e-9;
}

/// <summary>
/// Gaussian naive Bayes: each class has its own mean and variance per feature and the features are independent given
/// the class; priors are the class frequencies. Variances are population variances (ddof 0) plus var_smoothing times
/// the largest feature variance of the whole training set, as scikit-learn.
/// </summary>
public sealed class GaussianNaiveBayes(GaussianNaiveBayesOptions? options = null) : ILearner
{
    public GaussianNaiveBayesOptions Options { get; } = options ?? new GaussianNaiveBayesOptions();
    public string Name => "nb";
    public IReadOnlyDictionary<string, string> Parameters => OptionsBinder.Values(Options);

    public IClassifier Fit(Tensor x, Tensor y) => FitModel(x, y);

    public GaussianNaiveBayesModel FitModel(Tensor x, Tensor y)
    {
        var data = LearnerInput.Check(x, y);
        using var scope = NewDisposeScope();
        var counts = data.ClassCounts();
        var index = data.IndexTensor();
        var means = RowBlocks.ClassMeans(data.X, index, counts);
        using var n = tensor(Array.ConvertAll(counts, c => (double)c)).unsqueeze(1);
        var variances = SquaredDeviations(data.X, means, index).div_(n);
        using var all = zeros(data.Rows, ScalarType.Int64);
        var overall = SquaredDeviations(data.X, RowBlocks.ColumnMeans(data.X).unsqueeze(0), all).div_(data.Rows);
        variances.add_(Options.VarSmoothing * overall.max().item<double>());
        var logPriors = n.squeeze(1).div(data.Rows).log_();
        // log prior - 1/2 sum_d log(2 pi var): the part of each class's log-likelihood that does not depend on x.
        var constant = logPriors - variances.mul(2 * Math.PI).log_().sum(1).mul_(0.5);
        return new GaussianNaiveBayesModel(data.Classes, data.Features, means.MoveToOuterDisposeScope(),
            variances.MoveToOuterDisposeScope(), logPriors.MoveToOuterDisposeScope(), constant.MoveToOuterDisposeScope());
    }

    /// <summary>Per-class sums of (x - mean)^2 per feature (K, D) float64, accumulated by row blocks.</summary>
    static Tensor SquaredDeviations(Tensor x, Tensor means, Tensor classIndex)
    {
        var sums = zeros(means.shape[0], x.shape[1], ScalarType.Float64);
        foreach (var (start, length) in RowBlocks.Of(x.shape[0], x.shape[1]))
        {
            using var scope = NewDisposeScope();
            var rows = classIndex.narrow(0, start, length);
            var centred = x.narrow(0, start, length).to_type(ScalarType.Float64).sub_(means.index_select(0, rows));
            sums.index_add_(0, rows, centred.mul_(centred), 1.0);
        }
        return sums;
    }
}

/// <summary>A fitted Gaussian naive Bayes model: class means, variances (K, D) and log priors (K), float64.</summary>
public sealed class GaussianNaiveBayesModel : ProbabilisticClassifier
{
    public Tensor Means { get; }
    public Tensor Variances { get; }
    public Tensor LogPriors { get; }
    readonly Tensor _constant;

    internal GaussianNaiveBayesModel(long[] classes, long features, Tensor means, Tensor variances, Tensor logPriors, Tensor constant)
        : base(classes, features) => (Means, Variances, LogPriors, _constant) = (means, variances, logPriors, constant);

    /// <summary>log P(class) + log P(x | class) (N, K) float64, up to the evidence.</summary>
    public Tensor JointLogLikelihood(Tensor x) => RowBlocks.Map(x, part =>
    {
        var rows = part.to_type(ScalarType.Float64);
        // Class by class, as (x - mean)^2 / var rather than expanded into products, to keep every digit.
        var columns = Enumerable.Range(0, Classes.Length)
            .Select(c => rows.sub(Means[c]).pow_(2).div_(Variances[c]).sum(1).mul_(-0.5)).ToArray();
        return stack(columns, 1).add_(_constant);
    });

    protected override Tensor Probabilities(Tensor x)
    {
        using var scope = NewDisposeScope();
        return JointLogLikelihood(x).softmax(1).to_type(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public override void Dispose()
    {
        Means.Dispose();
        Variances.Dispose();
        LogPriors.Dispose();
        _constant.Dispose();
        base.Dispose();
    }
}
