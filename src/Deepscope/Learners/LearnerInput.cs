using Deepscope.Numerics;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// Training data after the one check every learner relies on: X is (N, D) float32, contiguous and finite; y has N
/// labels of at least two classes. <see cref="Index"/> maps each row's label to its class index 0..K-1.
/// </summary>
public sealed class TrainingSet
{
    /// <summary>The features (N, D) float32 contiguous: the caller's tensor when it already was one, never copied then.</summary>
    public required Tensor X { get; init; }
    /// <summary>Class labels, ascending.</summary>
    public required long[] Classes { get; init; }
    /// <summary>Class index (0..K-1) of every row.</summary>
    public required int[] Index { get; init; }
    public long Rows => X.shape[0];
    public long Features => X.shape[1];
    public int ClassCount => Classes.Length;

    /// <summary>Rows per class, indexed like <see cref="Classes"/>.</summary>
    public long[] ClassCounts()
    {
        var counts = new long[Classes.Length];
        foreach (var c in Index) counts[c]++;
        return counts;
    }

    /// <summary>Class indices as an int64 tensor (N).</summary>
    public Tensor IndexTensor() => tensor(Array.ConvertAll(Index, i => (long)i));
}

/// <summary>The one place where learners check their inputs; messages name the problem for the user.</summary>
public static class LearnerInput
{
    /// <summary>
    /// Checks (x, y) for training. x is converted to float32 contiguous only when it is not already (a float32
    /// contiguous x is used as it is, so a 60,000 x 4,000 matrix is never copied here).
    /// </summary>
    public static TrainingSet Check(Tensor x, Tensor y, int minimumClasses = 2)
    {
        if (x.dim() != 2) throw new DeepscopeException($"features must be a matrix (N, D); got shape ({string.Join(", ", x.shape)})");
        if (x.shape[0] == 0) throw new DeepscopeException("no training samples: the feature matrix has 0 rows");
        if (x.shape[1] == 0) throw new DeepscopeException("the feature matrix has 0 columns");
        var labels = Labels(y, x.shape[0]);
        var features = FloatMatrix.AsFloat32(x);
        FloatMatrix.CheckFinite(features);
        var classes = labels.Distinct().Order().ToArray();
        if (classes.Length < minimumClasses)
            throw new DeepscopeException($"the training labels hold a single class ({classes[0]}); a classifier needs at least {minimumClasses}");
        var position = new Dictionary<long, int>(classes.Length);
        for (int i = 0; i < classes.Length; i++) position[classes[i]] = i;
        return new TrainingSet { X = features, Classes = classes, Index = Array.ConvertAll(labels, l => position[l]) };
    }

    /// <summary>Labels as int64 values, checking their count and type (integer, one per row).</summary>
    public static long[] Labels(Tensor y, long rows)
    {
        if (y.dim() != 1) throw new DeepscopeException($"labels must be a vector (N); got shape ({string.Join(", ", y.shape)})");
        if (y.shape[0] != rows) throw new DeepscopeException($"{y.shape[0]} labels for {rows} feature rows: they must match");
        if (y.is_floating_point() || y.dtype == ScalarType.Bool)
            throw new DeepscopeException($"labels must be integers; got {y.dtype}");
        using var longs = y.to_type(ScalarType.Int64).contiguous();
        return longs.data<long>().ToArray();
    }

    /// <summary>Checks x for prediction against a model trained on <paramref name="features"/> columns.</summary>
    public static void CheckFeatures(Tensor x, long features)
    {
        if (x.dim() != 2) throw new DeepscopeException($"features must be a matrix (N, D); got shape ({string.Join(", ", x.shape)})");
        if (x.shape[1] != features) throw new DeepscopeException($"the model was trained on {features} features; got {x.shape[1]}");
        FloatMatrix.CheckFinite(x);
    }
}
