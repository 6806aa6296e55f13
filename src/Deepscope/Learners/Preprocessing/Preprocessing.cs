using Deepscope.Numerics;
using Deepscope.Embedding;
using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>A preprocessing step learned on training features (scaling, PCA), applied alike to any later features.</summary>
public interface IPreprocessor
{
    string Name { get; }
    IFittedTransform Fit(Tensor x);
}

/// <summary>A fitted preprocessing step. Owns its tensors.</summary>
public interface IFittedTransform : IDisposable
{
    long InputFeatures { get; }
    long OutputFeatures { get; }
    /// <summary>The transformed features, a new tensor.</summary>
    Tensor Transform(Tensor x);
}

/// <summary>Standard scaling: subtract each column's mean, divide by its (population) standard deviation; constant columns only centred.</summary>
public sealed class StandardScaler : IPreprocessor
{
    public string Name => "scale";

    public IFittedTransform Fit(Tensor x) => FloatMatrix.WithFloat32<IFittedTransform>(x, input =>
        {
            using var scope = NewDisposeScope();
            long n = input.shape[0], d = input.shape[1];
            if (n == 0) throw new DeepscopeException("scale: no rows to learn the scaling from");
            // Per-block scopes: each block's float64 temporaries are freed before the next one is made.
            var mean = RowBlocks.ColumnMeans(input);
            var squares = zeros(d, ScalarType.Float64);
            foreach (var (start, length) in RowBlocks.Of(n, d))
            {
                using var block = NewDisposeScope();
                squares.add_(input.narrow(0, start, length).to_type(ScalarType.Float64).sub_(mean).pow_(2).sum(0L));
            }
            var std = squares.div_(n).sqrt_();
            std = where(std.eq(0), ones_like(std), std);
            return new Fitted(mean.to_type(ScalarType.Float32).MoveToOuterDisposeScope(), std.to_type(ScalarType.Float32).MoveToOuterDisposeScope());
        });

    public sealed class Fitted(Tensor mean, Tensor std) : IFittedTransform
    {
        public Tensor Mean { get; } = mean;
        public Tensor Std { get; } = std;
        public long InputFeatures => Mean.shape[0];
        public long OutputFeatures => Mean.shape[0];

        public Tensor Transform(Tensor x)
        {
            LearnerInput.CheckFeatures(x, InputFeatures);
            return x.to_type(ScalarType.Float32).sub(Mean).div_(Std);
        }

        /// <summary>Scales a float32 matrix in place (no second copy of a large matrix).</summary>
        public void TransformInPlace(Tensor x)
        {
            LearnerInput.CheckFeatures(x, InputFeatures);
            if (x.dtype != ScalarType.Float32) throw new ArgumentException("in-place scaling needs float32", nameof(x));
            x.sub_(Mean).div_(Std);
        }

        public void Dispose()
        {
            Mean.Dispose();
            Std.Dispose();
        }
    }
}

/// <summary>
/// Principal component analysis to <c>components</c> dimensions as a preprocessing step: <see cref="PcaOptions"/> with
/// scikit-learn's automatic solver (randomized when k is small against the data, else exact), both of which read large
/// feature matrices in row blocks instead of copying them.
/// </summary>
public sealed class Pca(int components) : IPreprocessor
{
    public int Components { get; } = components;
    public string Name => $"pca{Components}";

    public IFittedTransform Fit(Tensor x) => FloatMatrix.WithFloat32<IFittedTransform>(x, input =>
        {
            long n = input.shape[0], d = input.shape[1];
            if (Components < 1 || Components > Math.Min(n, d))
                throw new DeepscopeException($"pca: the number of components must be in [1, min(N, D) = {Math.Min(n, d)}]; got {Components}");
            return new Fitted(new PcaOptions { Components = Components }.Fit(input));
        });

    public sealed class Fitted(PcaModel model) : IFittedTransform
    {
        public PcaModel Model { get; } = model;
        public IReadOnlyList<double> ExplainedVariance => Model.ExplainedVariance;
        public double ExplainedVarianceRatio => Model.TotalExplainedVarianceRatio;
        public long InputFeatures => Model.Mean.shape[0];
        public long OutputFeatures => Model.Components.shape[0];

        public Tensor Transform(Tensor x)
        {
            LearnerInput.CheckFeatures(x, InputFeatures);
            return Model.Transform(x);
        }

        public void Dispose() => Model.Dispose();
    }
}

/// <summary>Preprocessing steps then a learner, fitted together (so cross-validation learns scaling and PCA on each training fold only).</summary>
public sealed class Pipeline(IReadOnlyList<IPreprocessor> steps, ILearner learner) : ILearner
{
    public IReadOnlyList<IPreprocessor> Steps { get; } = steps;
    public ILearner Learner { get; } = learner;
    public string Name => Learner.Name;

    public IReadOnlyDictionary<string, string> Parameters
    {
        get
        {
            var all = new Dictionary<string, string>(Learner.Parameters);
            if (Steps.Count > 0) all["preprocessing"] = string.Join("+", Steps.Select(s => s.Name));
            return all;
        }
    }

    public IClassifier Fit(Tensor x, Tensor y)
    {
        if (Steps.Count == 0) return Learner.Fit(x, y);
        var fitted = new List<IFittedTransform>();
        var current = x;
        try
        {
            foreach (var step in Steps)
            {
                var transform = step.Fit(current);
                fitted.Add(transform);
                var next = transform.Transform(current);
                if (!ReferenceEquals(current, x)) current.Dispose();
                current = next;
            }
            var model = Learner.Fit(current, y);
            return new PipelineModel(fitted, model);
        }
        catch
        {
            foreach (var f in fitted) f.Dispose();
            throw;
        }
        // Models that keep the training matrix (k-NN) hold their own handle on it, so this one can go.
        finally { if (!ReferenceEquals(current, x)) current.Dispose(); }
    }
}

/// <summary>A fitted pipeline: its transforms, then the classifier.</summary>
public sealed class PipelineModel(IReadOnlyList<IFittedTransform> transforms, IClassifier model)
    : Classifier(model.Classes, transforms.Count > 0 ? transforms[0].InputFeatures : model.Features)
{
    public IReadOnlyList<IFittedTransform> Transforms { get; } = transforms;
    public IClassifier Model { get; } = model;
    public override bool HasProbabilities => Model.HasProbabilities;

    T Apply<T>(Tensor x, Func<Tensor, T> then)
    {
        var current = x;
        try
        {
            foreach (var t in Transforms)
            {
                var next = t.Transform(current);
                if (!ReferenceEquals(current, x)) current.Dispose();
                current = next;
            }
            return then(current);
        }
        finally { if (!ReferenceEquals(current, x)) current.Dispose(); }
    }

    protected override Tensor PredictIndices(Tensor x) => Apply(x, t =>
    {
        using var labels = Model.Predict(t);
        using var classes = tensor(Classes);
        return searchsorted(classes, labels);
    });

    protected override Tensor Probabilities(Tensor x) => Apply(x, Model.PredictProbabilities);

    protected override Tensor? SecondClassScores(Tensor x) =>
        Model is Classifier inner && Apply(x, inner.PositiveScores) is { } scores ? tensor(scores) : null;

    public override void Dispose()
    {
        foreach (var t in Transforms) t.Dispose();
        Model.Dispose();
        base.Dispose();
    }
}
