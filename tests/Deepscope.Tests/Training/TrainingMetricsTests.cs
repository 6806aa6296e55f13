using System.Text.Json;
using Deepscope.Data.Sources;
using Deepscope.Training.Metrics;
using static TorchSharp.torch;

namespace Deepscope.Tests.Training;

/// <summary>The pluggable evaluation metrics against scikit-image, hand computations and their definitions.</summary>
public class TrainingMetricsTests
{
    static Batch With(string field, Tensor value) => new(new Dictionary<string, Tensor> { [field] = value });

    static double Score(IMetric metric, params (Tensor Output, Batch Batch)[] batches)
    {
        metric.Reset();
        foreach (var (output, batch) in batches) metric.Update(output, batch);
        return metric.Compute();
    }

    [Fact]
    public void SsimMatchesScikitImage()
    {
        // Fixtures/Ssim/make_fixtures.py: skimage 0.19 structural_similarity, Gaussian window (sigma 1.5), data range 1.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ssim", "ssim.json")));
        foreach (var pair in json.RootElement.GetProperty("pairs").EnumerateArray())
        {
            long[] shape = [1, .. pair.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())];
            using var clean = tensor(pair.GetProperty("clean").EnumerateArray().Select(v => v.GetDouble()).ToArray()).view(shape);
            using var noisy = tensor(pair.GetProperty("noisy").EnumerateArray().Select(v => v.GetDouble()).ToArray()).view(shape);
            using var batch = With(Fields.Target, clean);
            Assert.Equal(pair.GetProperty("ssim").GetDouble(), Score(new SsimMetric(), (noisy, batch)), 10);
            Assert.Equal(1.0, Score(new SsimMetric(), (clean, batch)), 12);
        }
    }

    [Fact]
    public void PsnrAveragesPerImageValues()
    {
        // MSE 0.01 and 0.0001 against a zero target: 20 dB and 40 dB.
        using var output = cat([full([1, 1, 4, 4], 0.1), full([1, 1, 4, 4], 0.01)]);
        using var batch = With(Fields.Target, zeros(2, 1, 4, 4));
        Assert.Equal(30, Score(new PsnrMetric(), (output, batch)), 4);
        Assert.Equal(30 + 20 * Math.Log10(255), Score(new PsnrMetric(dataRange: 255), (output, batch)), 4);
    }

    static Tensor OneHotLogits(params long[] predicted) => nn.functional.one_hot(tensor(predicted), 3).to_type(ScalarType.Float32);

    [Fact]
    public void IouAveragesOverClassesThatOccur()
    {
        // Truth 0 0 1 1, predicted 0 0 1 0. Class 0: TP 2, FP 1, FN 0 -> 2/3; class 1: TP 1, FP 0, FN 1 -> 1/2;
        // class 2 absent from both: left out.
        using var batch = With(Fields.Mask, tensor(new long[] { 0, 0, 1, 1 }));
        using var logits = OneHotLogits(0, 0, 1, 0);
        Assert.Equal((2 / 3.0 + 1 / 2.0) / 2, Score(new IouMetric(3), (logits, batch)), 12);
        // Per pixel: logits (N, K, H, W) against a mask (N, H, W), accumulated over batches.
        using var pixels = logits.view(1, 4, 3).permute(0, 2, 1).reshape(1, 3, 2, 2);
        using var mask = With(Fields.Mask, tensor(new long[] { 0, 0, 1, 1 }).view(1, 2, 2));
        Assert.Equal((2 / 3.0 + 1 / 2.0) / 2, Score(new IouMetric(3), (pixels, mask)), 12);
    }

    [Fact]
    public void MicroF1LeavesTheExcludedClassOut()
    {
        // Truth 0 0 1 1 2 2, predicted 0 1 1 2 2 0.
        using var batch = With(Fields.Label, tensor(new long[] { 0, 0, 1, 1, 2, 2 }));
        using var logits = OneHotLogits(0, 1, 1, 2, 2, 0);
        // All classes: micro-F1 = accuracy = 3/6.
        Assert.Equal(0.5, Score(new MicroF1Metric(3), (logits, batch)), 12);
        // Without class 0 (EmoContext's "others"): TP 2 (1, 2), FP 2 (pred 1 for true 0, pred 2 for true 1), FN 2 (true 1 -> 2, true 2 -> 0).
        Assert.Equal(0.5, Score(new MicroF1Metric(3, excludedClass: 0), (logits, batch)), 12);
        // Without class 2: TP 2 (0, 1), FP 2 (true 2 -> 0, true 0 -> 1), FN 2 (true 0 -> 1, true 1 -> 2).
        using var truth2 = With(Fields.Label, tensor(new long[] { 0, 0, 1, 1, 2, 2, 2 }));
        using var logits2 = OneHotLogits(0, 1, 1, 2, 2, 0, 2);
        // Adding a correct class-2 example changes nothing when class 2 is excluded, but raises plain micro-F1.
        Assert.Equal(0.5, Score(new MicroF1Metric(3, excludedClass: 2), (logits2, truth2)), 12);
        Assert.Equal(4 / 7.0, Score(new MicroF1Metric(3), (logits2, truth2)), 12);
    }

    [Fact]
    public void RocAucIsTheMannWhitneyStatisticWithHalfTies()
    {
        // scikit-learn's roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75.
        using var labels = With(Fields.Label, tensor(new long[] { 0, 0, 1, 1 }));
        using var scores = tensor(new float[] { 0.1f, 0.4f, 0.35f, 0.8f });
        Assert.Equal(0.75, Score(new RocAucMetric(), (scores, labels)), 12);
        // Ties: positives 0.5 and 0.9, negatives 0.5 and 0.5 -> (1/2 + 1/2 + 1 + 1) / 4.
        using var tied = tensor(new float[] { 0.5f, 0.5f, 0.5f, 0.9f });
        using var tiedLabels = With(Fields.Label, tensor(new long[] { 0, 1, 0, 1 }));
        Assert.Equal(0.75, Score(new RocAucMetric(), (tied, tiedLabels)), 12);
        // Two-class logits score by the positive class's probability, which orders examples as the logit difference does.
        using var logits = stack([zeros(4), tensor(new float[] { 0.1f, 0.4f, 0.35f, 0.8f })], 1);
        Assert.Equal(0.75, Score(new RocAucMetric(), (logits, labels)), 12);
        Assert.True(double.IsNaN(Score(new RocAucMetric(), (scores, With(Fields.Label, zeros(4, ScalarType.Int64))))));
    }

    [Fact]
    public void LossAndAccuracyWeighBatchesBySize()
    {
        var loss = new LossMetric(Deepscope.Training.Losses.MeanSquaredError, Fields.Target);
        using var a = With(Fields.Target, zeros(1, 1));
        using var b = With(Fields.Target, zeros(3, 1));
        // Batch means 4 (one example) and 1 (three examples): 7/4 per example.
        Assert.Equal(7 / 4.0, Score(loss, (full(1, 1, 2f), a), (ones(3, 1), b)), 12);
        using var labels = With(Fields.Label, tensor(new long[] { 0, 1, 2 }));
        Assert.Equal(2 / 3.0, Score(new AccuracyMetric(), (OneHotLogits(0, 1, 0), labels)), 12);
    }
}
