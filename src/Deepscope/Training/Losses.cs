using static TorchSharp.torch;

namespace Deepscope.Training;

/// <summary>A loss over a batch's model output and labels (or targets, or masks), reduced to a scalar.</summary>
public delegate Tensor LossFunction(Tensor output, Tensor labels);

public static class Losses
{
    /// <summary>
    /// Mean cross-entropy of logits (N, classes) against class indices (N); per pixel, logits (N, K, H, W) against a
    /// mask (N, H, W).
    /// </summary>
    public static LossFunction CrossEntropy { get; } = (output, labels) => nn.functional.cross_entropy(output, labels);

    /// <summary>
    /// Cross-entropy with a weight per class (per pixel for (N, K, H, W) logits against a mask): the weighted mean, as
    /// torch's <c>cross_entropy(weight=w)</c> (sum of w_y * loss over the sum of w_y).
    /// </summary>
    public static LossFunction WeightedCrossEntropy(IReadOnlyList<float> classWeights)
    {
        var weight = tensor(classWeights.ToArray()).DetachFromDisposeScope();
        return (output, labels) => nn.functional.cross_entropy(output, labels, weight);
    }

    /// <summary>
    /// Focal loss (Lin et al. 2017) of logits (N, K[, H, W]) against class indices: the mean over examples (pixels) of
    /// -a_y (1 - p_y)^gamma log p_y, which lets the many easy pixels (clean glass) weigh little; a_y are optional class
    /// weights (1 without them); gamma = 0 and no weights is plain cross-entropy.
    /// </summary>
    public static LossFunction Focal(double gamma = 2, IReadOnlyList<float>? classWeights = null)
    {
        var weight = classWeights is null ? null : tensor(classWeights.ToArray()).DetachFromDisposeScope();
        return (output, labels) =>
        {
            using var scope = NewDisposeScope();
            var logProbability = output.log_softmax(1).gather(1, labels.unsqueeze(1)).squeeze(1);
            var loss = -(1 - logProbability.exp()).pow(gamma) * logProbability;
            if (weight is not null) loss *= weight.to(output.device).index_select(0, labels.flatten()).view_as(labels);
            return loss.mean().MoveToOuterDisposeScope();
        };
    }

    /// <summary>Mean squared error of the output against a target of the same shape.</summary>
    public static LossFunction MeanSquaredError { get; } = (output, target) => nn.functional.mse_loss(output, target);

    /// <summary>Mean absolute error of the output against a target of the same shape.</summary>
    public static LossFunction L1 { get; } = (output, target) => nn.functional.l1_loss(output, target);

    /// <summary>
    /// Soft Dice loss of logits (N, K, H, W) against a mask (N, H, W): 1 minus the mean over classes of
    /// (2 sum(p y) + s) / (sum(p) + sum(y) + s), with p the softmax probabilities, y the one-hot mask, sums over the
    /// batch and pixels and <paramref name="smooth"/> s keeping absent classes finite (Milletari et al. 2016).
    /// </summary>
    public static LossFunction Dice(double smooth = 1) => (output, mask) =>
    {
        using var scope = NewDisposeScope();
        long classes = output.shape[1];
        var probabilities = output.softmax(1);
        var onehot = nn.functional.one_hot(mask, classes).permute(0, 3, 1, 2).to_type(probabilities.dtype);
        long[] sumDims = [0, 2, 3];
        var overlap = (probabilities * onehot).sum(sumDims);
        var total = probabilities.sum(sumDims) + onehot.sum(sumDims);
        var dice = (2 * overlap + smooth) / (total + smooth);
        return (1 - dice.mean()).MoveToOuterDisposeScope();
    };

    /// <summary>The sum of two losses on the same output (per-pixel cross-entropy plus Dice, a common segmentation loss).</summary>
    public static LossFunction Sum(LossFunction first, LossFunction second) => (output, target) => first(output, target) + second(output, target);
}
