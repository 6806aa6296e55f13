using Deepscope.Data.Sources;
using static TorchSharp.torch;

namespace Deepscope.Training.Metrics;

/// <summary>
/// A metric over a whole evaluation set (torchmetrics' reset/update/compute): <see cref="Update"/> with each batch's
/// model output and the batch, then <see cref="Compute"/>. Logged per epoch as <c>eval_NAME</c>.
/// </summary>
public interface IMetric
{
    string Name { get; }

    /// <summary>Whether a larger value is better (picks the best epoch and drives early stopping).</summary>
    bool HigherIsBetter { get; }

    void Reset();

    void Update(Tensor output, Batch batch);

    double Compute();
}

/// <summary>The mean of a loss over examples (batch means weighted by batch size).</summary>
public sealed class LossMetric(LossFunction loss, string field = Fields.Label, string name = "loss") : IMetric
{
    double _sum;
    long _count;

    public string Name => name;
    public bool HigherIsBetter => false;

    public void Reset() => (_sum, _count) = (0, 0);

    public void Update(Tensor output, Batch batch)
    {
        using var value = loss(output, batch[field]);
        _sum += value.item<float>() * (double)batch.Count;
        _count += batch.Count;
    }

    public double Compute() => _sum / _count;
}

/// <summary>
/// The fraction of argmax predictions equal to a class field: per example for logits (N, K) against labels, per pixel
/// for (N, K, H, W) against a mask.
/// </summary>
public sealed class AccuracyMetric(string field = Fields.Label) : IMetric
{
    long _hits, _count;

    public string Name => "accuracy";
    public bool HigherIsBetter => true;

    public void Reset() => (_hits, _count) = (0, 0);

    public void Update(Tensor output, Batch batch)
    {
        var truth = batch[field];
        using var predicted = output.argmax(1);
        using var matches = predicted.eq(truth);
        using var hits = matches.sum();
        _hits += hits.item<long>();
        _count += truth.numel();
    }

    public double Compute() => _hits / (double)_count;
}
