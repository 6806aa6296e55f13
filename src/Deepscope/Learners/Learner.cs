using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// A learning method with its hyper-parameters (scikit-learn's contract): <see cref="Fit"/> learns from features
/// <c>x</c> (N, D) float32 and labels <c>y</c> (N) int64 and returns a fitted model; the learner itself keeps no state.
/// </summary>
public interface ILearner
{
    /// <summary>The name the CLI takes (<c>lda</c>, <c>svm-rbf</c>, ...).</summary>
    string Name { get; }

    /// <summary>The hyper-parameters as the CLI spells them, for reports and run records.</summary>
    IReadOnlyDictionary<string, string> Parameters { get; }

    IClassifier Fit(Tensor x, Tensor y);
}

/// <summary>A fitted classifier. Its tensors are its own: dispose it when done.</summary>
public interface IClassifier : IDisposable
{
    /// <summary>The class labels seen in training, ascending; columns of <see cref="PredictProbabilities"/> follow them.</summary>
    long[] Classes { get; }

    /// <summary>Feature count D the model was trained on.</summary>
    long Features { get; }

    /// <summary>Whether <see cref="PredictProbabilities"/> is available (not for SVMs, as in scikit-learn's defaults).</summary>
    bool HasProbabilities { get; }

    /// <summary>Predicted labels (N) int64.</summary>
    Tensor Predict(Tensor x);

    /// <summary>Class probabilities (N, K) float32; throws when <see cref="HasProbabilities"/> is false.</summary>
    Tensor PredictProbabilities(Tensor x);

    /// <summary>Accuracy on (x, y), a fraction in [0, 1].</summary>
    double Score(Tensor x, Tensor y);
}

/// <summary>
/// The shared half of every fitted classifier: input checks, label mapping, scoring. Subclasses compute class
/// indices (0..K-1) and, when they can, probabilities.
/// </summary>
public abstract class Classifier(long[] classes, long features) : IClassifier
{
    public long[] Classes { get; } = classes;
    public long Features { get; } = features;
    public virtual bool HasProbabilities => false;

    public Tensor Predict(Tensor x)
    {
        LearnerInput.CheckFeatures(x, Features);
        using var scope = NewDisposeScope();
        using var classes = tensor(Classes);
        return classes.index_select(0, PredictIndices(x)).MoveToOuterDisposeScope();
    }

    public Tensor PredictProbabilities(Tensor x)
    {
        if (!HasProbabilities) throw new DeepscopeException($"{GetType().Name} has no class probabilities; use Predict");
        LearnerInput.CheckFeatures(x, Features);
        return Probabilities(x);
    }

    public double Score(Tensor x, Tensor y)
    {
        var labels = LearnerInput.Labels(y, x.shape[0]);
        using var predicted = Predict(x);
        var p = predicted.data<long>().ToArray();
        int correct = 0;
        for (int i = 0; i < p.Length; i++) if (p[i] == labels[i]) correct++;
        return p.Length == 0 ? double.NaN : (double)correct / p.Length;
    }

    /// <summary>
    /// For two classes, a score per row that grows with confidence in the second class (probability, else the
    /// decision value), for ROC curves; null for more classes or models without scores.
    /// </summary>
    public double[]? PositiveScores(Tensor x)
    {
        if (Classes.Length != 2) return null;
        LearnerInput.CheckFeatures(x, Features);
        using var scores = SecondClassScores(x);
        if (scores is null) return null;
        using var asDouble = scores.to_type(ScalarType.Float64).contiguous();
        return asDouble.data<double>().ToArray();
    }

    /// <summary>Scores (N) for the second of two classes; probabilities by default.</summary>
    protected virtual Tensor? SecondClassScores(Tensor x)
    {
        if (!HasProbabilities) return null;
        using var p = Probabilities(x);
        return p.select(1, 1).contiguous();
    }

    /// <summary>Class indices (N) int64 into <see cref="Classes"/>; <paramref name="x"/> is already checked.</summary>
    protected abstract Tensor PredictIndices(Tensor x);

    /// <summary>Probabilities (N, K); only called when <see cref="HasProbabilities"/>.</summary>
    protected virtual Tensor Probabilities(Tensor x) => throw new NotSupportedException();

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>A classifier that predicts the most probable class of its <see cref="Classifier.PredictProbabilities"/>.</summary>
public abstract class ProbabilisticClassifier(long[] classes, long features) : Classifier(classes, features)
{
    public override bool HasProbabilities => true;

    protected override Tensor PredictIndices(Tensor x)
    {
        using var p = Probabilities(x);
        return p.argmax(1);
    }
}
