using static TorchSharp.torch;

namespace Deepscope.Anomaly;

/// <summary>An outlier score fitted on normal examples only: larger means less like them.</summary>
public interface IOutlierScorer : IDisposable
{
    /// <summary>One score per row of <paramref name="x"/>.</summary>
    double[] Score(Tensor x);
}

/// <summary>
/// Mahalanobis distance to the normal examples' mean under their covariance, shrunk towards a multiple of the identity
/// ((1 - a) S + a tr(S)/D I, a = <paramref name="shrinkage"/>) so it stays invertible when features outnumber examples.
/// </summary>
public sealed class MahalanobisScorer : IOutlierScorer
{
    readonly Tensor _mean, _precision;

    public MahalanobisScorer(Tensor normal, double shrinkage = 0.1)
    {
        if (shrinkage is < 0 or > 1) throw new DeepscopeException($"shrinkage must be in [0, 1], got {shrinkage}");
        if (normal.dim() != 2 || normal.shape[0] < 2) throw new DeepscopeException("the Mahalanobis score needs at least 2 normal examples (N, D)");
        using var scope = NewDisposeScope();
        var x = normal.to_type(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.T.matmul(centred) / (x.shape[0] - 1);
        long d = x.shape[1];
        var shrunk = covariance * (1 - shrinkage) + eye(d, dtype: ScalarType.Float64) * (shrinkage * covariance.trace() / d + 1e-9);
        _precision = linalg.inv(shrunk).MoveToOuterDisposeScope();
        _mean = mean.MoveToOuterDisposeScope();
    }

    public double[] Score(Tensor x)
    {
        using var scope = NewDisposeScope();
        var centred = x.to_type(ScalarType.Float64) - _mean;
        return (centred.matmul(_precision) * centred).sum(1).clamp_min(0).sqrt().data<double>().ToArray();
    }

    public void Dispose()
    {
        _mean.Dispose();
        _precision.Dispose();
    }
}

/// <summary>Mean Euclidean distance to the <paramref name="k"/> nearest normal examples.</summary>
public sealed class NearestNeighbourScorer(Tensor normal, int k = 5) : IOutlierScorer
{
    const int RowsPerBlock = 256;
    readonly Tensor _normal = normal.dim() == 2 && normal.shape[0] >= k && k >= 1
        ? normal.to_type(ScalarType.Float32, copy: true)
        : throw new DeepscopeException($"the k-NN score needs at least k = {k} >= 1 normal examples (N, D)");

    public double[] Score(Tensor x)
    {
        var scores = new double[x.shape[0]];
        for (long start = 0; start < x.shape[0]; start += RowsPerBlock)
        {
            using var scope = NewDisposeScope();
            long n = Math.Min(RowsPerBlock, x.shape[0] - start);
            var distances = cdist(x.narrow(0, start, n).to_type(ScalarType.Float32), _normal);
            var nearest = distances.topk(k, dim: 1, largest: false).values.mean([1]);
            nearest.to_type(ScalarType.Float64).data<double>().ToArray().CopyTo(scores, start);
        }
        return scores;
    }

    public void Dispose() => _normal.Dispose();
}
