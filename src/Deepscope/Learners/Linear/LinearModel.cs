using static TorchSharp.torch;

namespace Deepscope.Learners;

/// <summary>
/// A fitted linear classifier: scores x W + b (N, K), the class of the highest score, and softmax probabilities for
/// the probabilistic models (LDA, logistic regression).
/// </summary>
public class LinearModel : Classifier
{
    readonly bool _probabilistic;

    internal LinearModel(long[] classes, long features, Tensor coef, Tensor intercept, bool probabilistic)
        : base(classes, features)
    {
        Coef = coef;
        Intercept = intercept;
        _probabilistic = probabilistic;
    }

    /// <summary>Weights (D, K) float32.</summary>
    public Tensor Coef { get; }
    /// <summary>Biases (K) float32.</summary>
    public Tensor Intercept { get; }

    /// <summary>Solver iterations used (iterative learners; 0 for closed-form ones).</summary>
    public int Iterations { get; init; }

    /// <summary>Whether the solver met its tolerance within its iteration budget (closed-form: true).</summary>
    public bool Converged { get; init; } = true;

    public override bool HasProbabilities => _probabilistic;

    /// <summary>Decision scores (N, K).</summary>
    public Tensor DecisionFunction(Tensor x)
    {
        LearnerInput.CheckFeatures(x, Features);
        return x.mm(Coef).add_(Intercept);
    }

    protected override Tensor PredictIndices(Tensor x)
    {
        using var scores = x.mm(Coef).add_(Intercept);
        return scores.argmax(1);
    }

    protected override Tensor? SecondClassScores(Tensor x)
    {
        if (HasProbabilities) return base.SecondClassScores(x);
        using var scores = x.mm(Coef).add_(Intercept);
        return scores.select(1, 1) - scores.select(1, 0);
    }

    protected override Tensor Probabilities(Tensor x)
    {
        using var scores = x.mm(Coef).add_(Intercept);
        return scores.softmax(1);
    }

    public override void Dispose()
    {
        Coef.Dispose();
        Intercept.Dispose();
        base.Dispose();
    }
}
