using Deepscope.Catalogs;
using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>k nearest neighbours by Euclidean distance, uniform or distance-weighted votes (scikit-learn's default: 5, uniform).</summary>
public sealed record KNearestOptions
{
    [Param("k", Aliases = ["n_neighbors"], Min = 1, Description = "neighbours that vote")]
    public int K { get; init; } = 5;
    [Param("weights", Words = ["uniform=false", "distance=true"], Description = "uniform votes or votes weighted by 1 / distance")]
    public bool DistanceWeighted { get; init; }
}

/// <summary>
/// k-NN: fitting keeps a reference to the training matrix (no copy); prediction computes squared distances for a
/// batch of queries against all training rows in one matrix product (||q||^2 + ||x||^2 - 2 q x^T), then top-k.
/// </summary>
public sealed class KNearestNeighbors(KNearestOptions? options = null) : ILearner
{
    public KNearestOptions Options { get; } = options ?? new KNearestOptions();
    public string Name => "knn";

    public IReadOnlyDictionary<string, string> Parameters => OptionsBinder.Values(Options);

    public IClassifier Fit(Tensor x, Tensor y)
    {
        if (Options.K < 1) throw new DeepscopeException($"knn: k must be at least 1; got {Options.K}");
        var data = LearnerInput.Check(x, y);
        if (Options.K > data.Rows) throw new DeepscopeException($"knn: k = {Options.K} exceeds the {data.Rows} training samples");
        // alias(): a second handle on the same storage, so the model stays valid when the caller disposes x.
        return new KNearestModel(data.Classes, data.Features, data.X.alias(), data.IndexTensor(), Options);
    }
}

public sealed class KNearestModel : ProbabilisticClassifier
{
    readonly Tensor _x, _norms, _index;
    readonly KNearestOptions _options;

    internal KNearestModel(long[] classes, long features, Tensor x, Tensor index, KNearestOptions options) : base(classes, features)
    {
        _x = x;
        _index = index;
        _options = options;
        _norms = tensor(new NativeMatrix(x).SquaredNorms());
    }

    /// <summary>Vote shares (N, K); ties in the vote go to the lower class (argmax takes the first), as scikit-learn's mode.</summary>
    protected override Tensor Probabilities(Tensor x)
    {
        int k = _options.K, classes = Classes.Length;
        // Keep the (batch, N_train) distance block near 64 MB.
        long batch = Math.Max(1, (16L << 20) / Math.Max(1, _x.shape[0]));
        return RowBlocks.Map(x, part =>
        {
            using var scope = NewDisposeScope();
            // x (N, D) as the left operand: libtorch then reads it in place (a transposed right operand can be copied whole).
            var distances = _x.mm(part.t()).t().mul_(-2).add_(part.square().sum(1, keepdim: true)).add_(_norms);
            var (nearest, which) = distances.topk(k, dim: 1, largest: false, sorted: true);
            var labels = _index.index_select(0, which.view(-1)).view(which.shape);
            var weights = _options.DistanceWeighted
                ? WeightsByDistance(nearest.clamp_min(0).sqrt())
                : ones_like(nearest);
            var votes = zeros(part.shape[0], classes).scatter_add_(1, labels, weights);
            return votes.div_(votes.sum(1, keepdim: true)).MoveToOuterDisposeScope();
        }, batch);
    }

    /// <summary>1/d weights; a query that coincides with training rows takes only those (scikit-learn's rule).</summary>
    static Tensor WeightsByDistance(Tensor distance)
    {
        var exact = distance.eq(0);
        var anyExact = exact.any(1, keepdim: true);
        return where(anyExact, exact.to_type(ScalarType.Float32), distance.reciprocal());
    }

    public override void Dispose()
    {
        _x.Dispose();
        _norms.Dispose();
        _index.Dispose();
        base.Dispose();
    }
}
